#pragma once
// The small inputs of both recipes that the exit-code and disk-full tests run on, made by
// granary itself in `dir`: ecco/ (LLC12, 2 levels, 2 monthly and 2 daily records, factors.bin)
// and atl06/ (two granules crossing three parents, catalog.json).
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace granary::test {

inline void make_small_inputs(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  for (const std::string args :
       {"ecco synth --out " + d + "/ecco --nx 12 --levels 2 --timesteps 2 --days 2",
        "ecco factors --grid " + d + "/ecco/grid --out " + d + "/ecco/factors.bin",
        "atl06 synth --out " + d + "/atl06/granules --granules 2 --segments-per-beam 3000 --surface antarctica "
        "--cell -3121311,-4114312,-5112322",
        "atl06 catalog --granules " + d + "/atl06/granules --out " + d + "/atl06/catalog.json"}) {
    const auto r = run_granary("--log-level warn " + args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  }
}

// A suite whose tests share one set of small inputs, made once per suite (Suite: the derived
// fixture, so that each suite has its own).
template <typename Suite>
class SmallInputsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    make_small_inputs(dir_->path());
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::filesystem::path dir() { return dir_->path(); }

 private:
  static inline std::unique_ptr<TempDir> dir_;
};

// A config.yaml's text with `key`'s line replaced by `key: value`.
inline std::string with_config_key(const std::string& text, const std::string& key, const std::string& value) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += (line.rfind(key + ":", 0) == 0 ? key + ": " + value : line) + "\n";
  return out;
}

}  // namespace granary::test
