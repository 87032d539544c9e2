#pragma once
// The synthetic ECCO set of `granary ecco synth` (LLC12, 3 levels, 2 monthly and 2 daily
// records) with its mapping factors, for tests that run whole ECCO runs; `config_to(name)`
// writes a copy of config.yaml whose products go to demo()/name (two runs side by side).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::test {

struct EccoDemo {
  TempDir dir;
  std::filesystem::path demo() const { return dir / "demo"; }
  EccoDemo() {
    auto r = run_granary("ecco synth --out " + demo().string() + " --nx 12 --levels 3 --timesteps 2 --days 2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_granary("ecco factors --grid " + (demo() / "grid").string() + " --out " + (demo() / "factors.bin").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  // A config like config.yaml with processed_output_dir = `products`; returns its path.
  std::filesystem::path config_to(const std::string& products) const {
    auto text = files::read_text(demo() / "config.yaml");
    const std::string key = "processed_output_dir: products";
    text.replace(text.find(key), key.size(), "processed_output_dir: " + products);
    const auto path = demo() / (products + ".yaml");
    files::write_atomic(path, text);
    return path;
  }
  // `ecco run` of jobs.txt into demo()/products.
  CommandResult run_locally() const {
    return run_granary("ecco run --config " + (demo() / "config.yaml").string() + " --jobs " + (demo() / "jobs.txt").string() + " -j 2");
  }
};

}  // namespace granary::test
