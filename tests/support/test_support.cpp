#include "support/test_support.hpp"

#include "util/error.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace granary::test {
namespace fs = std::filesystem;

namespace {
// Also when the binary is run by hand: no test, nor a granary it starts, may ask the EC2
// metadata address. Tests of instance metadata point their EnvLookup at a loopback server.
[[maybe_unused]] const bool g_no_instance_metadata = [] { return ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1) == 0; }();
}  // namespace

std::optional<fs::path> real_data_dir() {
  const char* env = std::getenv("GRANARY_TEST_DATA");
  fs::path dir = env && *env ? fs::path(env) : fs::path(GRANARY_TEST_DATA_DEFAULT);
  std::error_code ec;
  if (fs::is_directory(dir / "ecco", ec) || fs::is_directory(dir / "atl06", ec)) return fs::canonical(dir);
  return std::nullopt;
}

fs::path reference_dir() { return fs::path(GRANARY_REFERENCE_DIR); }

std::optional<std::string> oracle_python() {
  static std::optional<std::string> cached = [] () -> std::optional<std::string> {
    if (!fs::exists("/usr/bin/python3") || !fs::is_directory(reference_dir())) return std::nullopt;
    auto r = run_command("/usr/bin/python3 -c 'import numpy, scipy, xarray, netCDF4' 2>&1");
    if (r.exit_code != 0) return std::nullopt;
    return std::string("/usr/bin/python3");
  }();
  return cached;
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() / ("granary-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("GRANARY_KEEP_TEST_FILES")) fs::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command_line) {
  TempDir tmp;
  auto out = tmp / "stdout", err = tmp / "stderr";
  std::string full = "(" + command_line + ") >" + out.string() + " 2>" + err.string() + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string granary_binary() { return GRANARY_BINARY; }

CommandResult run_granary(const std::string& args) { return run_command(granary_binary() + " " + args); }

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no granary::Error thrown)";
}

std::optional<std::filesystem::path> zarrita_dir() {
  const char* env = std::getenv("GRANARY_ZARRITA_DIR");
  std::filesystem::path dir = env && *env ? std::filesystem::path(env) : std::filesystem::path(GRANARY_SOURCE_DIR) / "tools" / "zarrita";
  if (!std::filesystem::exists(dir / "node_modules" / "zarrita" / "package.json")) return std::nullopt;
  return dir;
}

std::vector<std::byte> pattern(std::size_t size, unsigned seed) {
  std::vector<std::byte> out(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<std::byte>(x >> 24);
  }
  return out;
}

}  // namespace granary::test
