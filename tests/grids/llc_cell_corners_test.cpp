// Cell corners (XC_bnds / YC_bnds) from the mitgrid faces, and derived from XG/YG through the
// tile connectivity when the mitgrid files are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "grids/llc/cell_corners.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/mitgrid.hpp"
#include "grids/llc/sphere.hpp"
#include "recipes/ecco/synth_grid.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using namespace llc::sphere;
constexpr double kEarthRadius = 6370.0e3;

Vec3 corner(const llc::CellCorners& c, std::size_t p, int nb) {
  return to_xyz(c.lon[c.at(p, nb)], c.lat[c.at(p, nb)]);
}

// Metres between the same corner of two corner sets.
double gap(const llc::CellCorners& a, const llc::CellCorners& b, std::size_t p, int nb) {
  return kEarthRadius * angle(corner(a, p, nb), corner(b, p, nb));
}

struct Comparison {
  std::size_t differ = 0;
  double worst = 0;  // metres, over the corners that agree
};
Comparison compare(const llc::CellCorners& a, const llc::CellCorners& b, double tolerance_m) {
  Comparison c;
  for (std::size_t p = 0; p < a.layout.points(); ++p)
    for (int nb = 0; nb < 4; ++nb) {
      const double d = gap(a, b, p, nb);
      if (d > tolerance_m) ++c.differ;
      else c.worst = std::max(c.worst, d);
    }
  return c;
}

TEST(LlcCellCornersReal, MitgridCornersMatchXgYgAndConnectivity) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto dir = (data / "ecco/grid_llc90").string();
  const auto g = llc::load_grid(dir);
  const auto& L = g.layout;
  const auto mit = llc::load_cell_corners(dir, L);
  ASSERT_EQ(mit.lon.size(), 4 * L.points());
  // The south-west corner is XG/YG, bit for bit.
  for (std::size_t p = 0; p < L.points(); ++p) {
    ASSERT_EQ(mit.lon[mit.at(p, 0)], g.xg[p]) << p;
    ASSERT_EQ(mit.lat[mit.at(p, 0)], g.yg[p]) << p;
  }
  // Counter-clockwise seen from outside, for every ocean cell (under Antarctica, at 80 S,
  // the real grid has a folded land cell: tile 3, j 0, i 13).
  std::size_t clockwise = 0;
  for (std::size_t p = 0; p < L.points(); ++p) {
    if (!g.mask_c[p]) continue;
    const Vec3 sw = corner(mit, p, 0), se = corner(mit, p, 1), nw = corner(mit, p, 3);
    if (norm(cross(se - sw, nw - sw)) < 1e-14) continue;
    clockwise += dot(cross(se - sw, nw - sw), sw) < 0;
  }
  EXPECT_EQ(clockwise, 0u);
  // The same corners from XG/YG alone: all agree except the few that no cell owns as a
  // south-west corner and are extrapolated (the east edges of tiles 9 and 12: 2 x (90 SE +
  // 90 NE) corners; tile 3's south-east corner; the tiles 2/6/10 cube vertex).
  const auto derived = llc::corners_from_xg_yg(g.xg, g.yg, L);
  const auto c = compare(mit, derived, 1.0);
  std::printf("XG/YG-derived corners: %zu of %zu differ from the mitgrid corners by > 1 m; the rest within %.2g m\n",
              c.differ, 4 * L.points(), c.worst);
  EXPECT_LE(c.differ, 2u * 180 + 1 + 3);
  EXPECT_LT(c.worst, 1e-3);
  // The extrapolated corners still land within a cell of the truth.
  for (std::size_t p = 0; p < L.points(); ++p)
    for (int nb = 0; nb < 4; ++nb) EXPECT_LT(gap(mit, derived, p, nb), std::max(g.dxg[p], g.dyg[p])) << p << " " << nb;
}

TEST(LlcCellCorners, SyntheticGridWithAndWithoutMitgrid) {
  test::TempDir tmp;
  const auto dir = tmp.path().string();
  ecco::synth::write_synthetic_grid(dir, 8, 2);
  const auto g = llc::load_grid(dir);
  const auto from_mitgrid = llc::load_cell_corners(dir, g.layout);
  EXPECT_NE(from_mitgrid.source.find("mitgrid"), std::string::npos);
  for (std::size_t p = 0; p < g.points(); ++p) {
    ASSERT_EQ(from_mitgrid.lon[from_mitgrid.at(p, 0)], g.xg[p]) << p;
    ASSERT_EQ(from_mitgrid.lat[from_mitgrid.at(p, 0)], g.yg[p]) << p;
  }
  for (int f = 1; f <= 5; ++f) fs::remove(llc::mitgrid_path(dir, f));
  const auto derived = llc::load_cell_corners(dir, g.layout);
  EXPECT_NE(derived.source.find("XG/YG"), std::string::npos);
  const auto c = compare(from_mitgrid, derived, 1.0);
  EXPECT_LE(c.differ, 2u * 16 + 1 + 3);
  EXPECT_LT(c.worst, 1e-3);
}

TEST(LlcCellCorners, BadMitgridFilesAreClearErrors) {
  test::TempDir tmp;
  const auto dir = tmp.path().string();
  ecco::synth::write_synthetic_grid(dir, 4, 1);
  const llc::Layout L{4};
  // A truncated face names the file and the expected size.
  fs::resize_file(llc::mitgrid_path(dir, 4), 1000);
  try {
    llc::load_cell_corners(dir, L);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("tile004.mitgrid"), std::string::npos) << what;
    EXPECT_NE(what.find("1000 bytes"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(16 * 13 * 5 * 8)), std::string::npos) << what;  // 13 x 5 points
  }
  // Some faces but not all: names the missing ones.
  fs::remove(llc::mitgrid_path(dir, 2));
  fs::remove(llc::mitgrid_path(dir, 5));
  try {
    llc::load_cell_corners(dir, L);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("tile002.mitgrid"), std::string::npos) << what;
    EXPECT_NE(what.find("tile005.mitgrid"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace granary
