// maskC/W/S and hFacW/S of llc::Grid: derived through the tile connectivity when the grid
// has no hFacW/hFacS files, read from them when it has.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "grids/llc/connectivity.hpp"
#include "grids/llc/grid.hpp"
#include "recipes/ecco/synth_grid.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

using llc::Location;
using llc::Side;

std::size_t count(const std::uint8_t* m, std::size_t n) { return static_cast<std::size_t>(std::count(m, m + n, 1)); }

// Every derived face value equals min(hFacC here, hFacC across), 0 across the domain edge.
void expect_derived(const llc::Grid& g, int k) {
  const auto& L = g.layout;
  const auto west = llc::adjacent_cells(L, Side::W), south = llc::adjacent_cells(L, Side::S);
  const auto hw = g.hfac(Location::W, k), hs = g.hfac(Location::S, k);
  const double* hc = g.hfac_c_level(k);
  const auto* mw = g.mask_level(Location::W, k);
  const auto* ms = g.mask_level(Location::S, k);
  for (std::size_t p = 0; p < L.points(); ++p) {
    const double w = west[p] < 0 ? 0.0 : std::min(hc[p], hc[west[p]]);
    const double s = south[p] < 0 ? 0.0 : std::min(hc[p], hc[south[p]]);
    ASSERT_EQ(hw[p], w) << "k " << k << " p " << p;
    ASSERT_EQ(hs[p], s) << "k " << k << " p " << p;
    ASSERT_EQ(mw[p], w > 0) << "k " << k << " p " << p;
    ASSERT_EQ(ms[p], s > 0) << "k " << k << " p " << p;
  }
}

TEST(LlcMasksReal, DerivedThroughTileEdges) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto g = llc::load_grid((data / "ecco/grid_llc90").string());
  const auto& L = g.layout;
  for (int k : {0, 20, 49}) expect_derived(g, k);
  const std::size_t n = L.points();
  const auto c0 = count(g.mask_level(Location::C, 0), n), w0 = count(g.mask_level(Location::W, 0), n),
             s0 = count(g.mask_level(Location::S, 0), n);
  std::printf("LLC90 level 0: maskC %zu, maskW %zu, maskS %zu wet\n", c0, w0, s0);
  EXPECT_EQ(c0, 60646u);
  // A wet face needs two wet cells: fewer than the wet centres, but most of them.
  EXPECT_LT(w0, c0);
  EXPECT_GT(w0, c0 * 9 / 10);
  EXPECT_LT(s0, c0);
  EXPECT_GT(s0, c0 * 9 / 10);
  // West faces on the west edge of tiles come from the neighbour tile: some are wet, e.g.
  // the equatorial Atlantic between tile 1 and tile 11 (rotated).
  std::size_t edge_wet = 0;
  for (int t = 0; t < llc::kTiles; ++t)
    for (int j = 0; j < L.nx; ++j) edge_wet += g.mask_level(Location::W, 0)[L.index(t, j, 0)];
  EXPECT_GT(edge_wet, 300u);
  // Deeper levels have fewer wet faces.
  EXPECT_LT(count(g.mask_level(Location::W, 49), n), count(g.mask_level(Location::W, 20), n));
  EXPECT_EQ(g.mask(Location::C, 49), g.wet_mask(49));
}

TEST(LlcMasks, FromHfacFilesWhenPresent) {
  test::TempDir tmp;
  const auto dir = tmp.path().string();
  ecco::synth::write_synthetic_grid(dir, 4, 2);
  const auto derived = llc::load_grid(dir);
  expect_derived(derived, 0);
  expect_derived(derived, 1);
  EXPECT_TRUE(derived.hfac_w_file.empty());
  // hFacW.data: 0.5 everywhere at level 0, 0 at level 1 (whatever hFacC says).
  const llc::Layout& L = derived.layout;
  ecco::synth::MdsRecord r;
  r.dims = {L.nx, 13 * L.nx, 2};
  std::vector<double> values(2 * L.points(), 0.0);
  std::fill(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(L.points()), 0.5);
  ecco::synth::write_mds((tmp.path() / "hFacW").string(), r, values);
  const auto g = llc::load_grid(dir);
  ASSERT_EQ(g.hfac_w_file.size(), 2 * L.points());
  EXPECT_EQ(count(g.mask_level(Location::W, 0), L.points()), L.points());
  EXPECT_EQ(count(g.mask_level(Location::W, 1), L.points()), 0u);
  EXPECT_EQ(g.hfac(Location::W, 0)[17], 0.5);
  // hFacS still derived.
  EXPECT_EQ(g.mask(Location::S, 1), derived.mask(Location::S, 1));
  // A wrong-sized hFacS is an error naming the file.
  values.resize(L.points());
  r.dims = {L.nx, 13 * L.nx};
  ecco::synth::write_mds((tmp.path() / "hFacS").string(), r, values);
  try {
    llc::load_grid(dir);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hFacS.data"), std::string::npos) << e.what();
  }
  EXPECT_THROW(g.mask(Location::C, 2), Error);
}

}  // namespace
}  // namespace granary
