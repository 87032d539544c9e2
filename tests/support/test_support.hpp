#pragma once
// Shared helpers for tests: where real data and the oracles live, temp dirs, running the CLI.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace granary::test {

// $GRANARY_TEST_DATA, else ../shared/data beside the source tree. Empty if absent.
std::optional<std::filesystem::path> real_data_dir();
// Skips the calling test (GTEST_SKIP) with a clear message when real data is absent.
#define GRANARY_REQUIRE_REAL_DATA(var)                                                        \
  auto var##_opt = ::granary::test::real_data_dir();                                          \
  if (!var##_opt) GTEST_SKIP() << "real data not found: set GRANARY_TEST_DATA (default ../shared/data)"; \
  const std::filesystem::path var = *var##_opt

// /usr/bin/python3 with numpy/scipy/xarray, and the oracle scripts; nullopt if unusable.
std::optional<std::string> oracle_python();
std::filesystem::path reference_dir();
#define GRANARY_REQUIRE_ORACLE(py)                                                            \
  auto py##_opt = ::granary::test::oracle_python();                                           \
  if (!py##_opt) GTEST_SKIP() << "oracle python (/usr/bin/python3 with numpy, scipy, xarray) not available"; \
  const std::string py = *py##_opt

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;   // stdout
  std::string err;   // stderr
};
// Runs a shell command line, capturing stdout and stderr.
CommandResult run_command(const std::string& command_line);
// Runs the granary binary under test with the given argument string.
CommandResult run_granary(const std::string& args);
std::string granary_binary();

// `size` pseudo-random bytes, the same for the same seed (objects a test can tell apart).
std::vector<std::byte> pattern(std::size_t size, unsigned seed);

// The message of the granary::Error that `action` throws ("(no granary::Error thrown)" if none).
std::string error_of(const std::function<void()>& action);

// tools/zarrita (or $GRANARY_ZARRITA_DIR) when zarrita is installed there (npm ci), else nullopt.
std::optional<std::filesystem::path> zarrita_dir();

}  // namespace granary::test
