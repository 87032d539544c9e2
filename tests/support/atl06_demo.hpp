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
};

}  // namespace granary::test
