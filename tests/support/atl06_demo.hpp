#pragma once
// A small synthetic ATL06 set for tests that run whole plans: three granules crossing two
// order-6 parents (3,000 segments a beam) and their catalog, in a temp dir.
#include <filesystem>

#include <gtest/gtest.h>

#include "recipes/atl06/synth.hpp"
#include "support/test_support.hpp"

namespace granary::test {

struct Atl06Demo {
  TempDir dir;
  std::filesystem::path catalog() const { return dir / "catalog.json"; }
  Atl06Demo() {
    atl06::synth::SynthOptions o;
    o.out_dir = dir / "granules";
    o.granules = 3;
    o.segments_per_beam = 3000;
    o.cells = {-4113213, -4114312};
    atl06::synth::write_synthetic_granules(o);
    const auto r = run_granary("atl06 catalog --granules " + o.out_dir.string() + " --out " + catalog().string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  // `atl06 run -j 2` of the catalog into the store dir/`store`.
  CommandResult run_locally(const std::string& store) const {
    return run_granary("atl06 run --catalog " + catalog().string() + " --out " + (dir / store).string() + " -j 2");
  }
  // `plan atl06` of the catalog: the store dir/`store`, the plan dir/`plan`, `units` units.
  CommandResult plan(const std::string& store, const std::string& plan, std::size_t units) const {
    return run_granary("plan atl06 --catalog " + catalog().string() + " --out " + (dir / store).string() + " --plan " +
                       (dir / plan).string() + " --units " + std::to_string(units));
  }
};

}  // namespace granary::test
