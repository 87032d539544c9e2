#pragma once
// The small inputs of both recipes that the exit-code and disk-full tests run on, made by
// granary itself in `dir`: ecco/ (LLC12, 2 levels, 2 monthly and 2 daily records, factors.bin)
// and atl06/ (two granules crossing three parents, catalog.json).
#include <filesystem>
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

}  // namespace granary::test
