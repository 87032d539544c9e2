// The LLC tile connectivity: table consistency, and geometric checks on the real LLC90 grid
// (halo centres are DXC/DYC away, shared corners coincide with the independent mitgrid faces,
// the axis images point the way the grid lines continue).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "grids/llc/connectivity.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/mitgrid.hpp"
#include "grids/llc/sphere.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

using llc::Side;
namespace sphere = llc::sphere;
constexpr Side kSides[4] = {Side::W, Side::E, Side::S, Side::N};
constexpr double kEarthRadius = 6370.0e3;  // MITgcm rSphere of the LLC90 grid

TEST(LlcConnectivity, TableIsSymmetricAndOrientationPreserving) {
  int outside = 0;
  for (int t = 0; t < llc::kTiles; ++t)
    for (Side s : kSides) {
      auto e = llc::neighbour(t, s);
      if (!e.exists()) {
        ++outside;
        continue;
      }
      auto back = llc::neighbour(e.tile, e.side);
      EXPECT_EQ(back.tile, t) << t << llc::to_string(s);
      EXPECT_EQ(back.side, s) << t << llc::to_string(s);
      EXPECT_EQ(back.reversed, e.reversed) << t << llc::to_string(s);
      const bool swaps_axes = (s == Side::W || s == Side::E) != (e.side == Side::W || e.side == Side::E);
      EXPECT_EQ(swaps_axes, e.reversed) << t << llc::to_string(s);
      // An edge meets an opposite side: east edges meet west or south edges, and so on.
      const bool increasing_here = s == Side::E || s == Side::N;
      const bool increasing_there = e.side == Side::E || e.side == Side::N;
      EXPECT_NE(increasing_here, increasing_there) << t << llc::to_string(s);
    }
  EXPECT_EQ(outside, 4);  // south of tiles 0 and 3, east of tiles 9 and 12
  EXPECT_FALSE(llc::neighbour(0, Side::S).exists());
  EXPECT_FALSE(llc::neighbour(3, Side::S).exists());
  EXPECT_FALSE(llc::neighbour(9, Side::E).exists());
  EXPECT_FALSE(llc::neighbour(12, Side::E).exists());
}

TEST(LlcConnectivity, HaloCellsAndFaceVectors) {
  llc::Layout L{4};
  // Tile 0's west halo is tile 12's north row, reversed.
  auto h = llc::cell_at(L, 0, 1, -1);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->tile, 12);
  EXPECT_EQ(h->j, 3);
  EXPECT_EQ(h->i, 2);
  // Unrotated neighbours: tile 1's east halo is tile 4's first column.
  h = llc::cell_at(L, 1, 2, 4);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->tile, 4);
  EXPECT_EQ(h->j, 2);
  EXPECT_EQ(h->i, 0);
  EXPECT_FALSE(llc::cell_at(L, 0, -1, 2));
  EXPECT_FALSE(llc::cell_at(L, 9, 1, 4));
  // u on tile 3's east edge is +v of tile 9's first row (x turns into y, no sign change);
  // v across that edge is -u (the along-edge axis is reversed).
  auto u = llc::locate(L.nx, 3, 8, 2 * 1 + 1);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->tile, 9);
  EXPECT_EQ(u->y2, 0);
  EXPECT_EQ(u->x2, 2 * (4 - 1 - 1) + 1);
  EXPECT_EQ(u->axes[0].axis, 1);
  EXPECT_EQ(u->axes[0].sign, 1);
  EXPECT_EQ(u->axes[1].axis, 0);
  EXPECT_EQ(u->axes[1].sign, -1);
  // The arctic cap's north edge is tile 10's west column, reversed: v there is +u of tile 10.
  auto v = llc::locate(L.nx, 6, 2 * 0 + 1, 8);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->tile, 10);
  EXPECT_EQ(v->x2, 0);
  EXPECT_EQ(v->y2, 2 * 3 + 1);
  EXPECT_EQ(v->axes[1].axis, 0);
  EXPECT_EQ(v->axes[1].sign, 1);
  // The neighbour tables agree with cell_at.
  auto east = llc::adjacent_cells(L, Side::E);
  EXPECT_EQ(east[L.index(1, 2, 3)], static_cast<std::int64_t>(L.index(4, 2, 0)));
  EXPECT_EQ(east[L.index(9, 0, 3)], -1);
}

struct RealGrid {
  llc::Grid grid;
  std::vector<double> mit_lon[6], mit_lat[6];  // xG, yG of each face
};

const RealGrid& real_grid(const std::filesystem::path& data) {
  static RealGrid g = [&] {
    RealGrid r;
    const auto dir = (data / "ecco/grid_llc90").string();
    r.grid = llc::load_grid(dir);
    for (int f = 1; f <= 5; ++f) {
      auto fields = llc::read_mitgrid(llc::mitgrid_path(dir, f), f, 90, {llc::MitgridField::xG, llc::MitgridField::yG});
      r.mit_lon[f] = fields[0];
      r.mit_lat[f] = fields[1];
    }
    return r;
  }();
  return g;
}

sphere::Vec3 centre(const llc::Grid& g, std::size_t p) { return sphere::to_xyz(g.xc[p], g.yc[p]); }

// The face between an edge cell and its halo cell: (t, j, i) in half-index units.
struct FacePoint {
  int x2, y2;
};
FacePoint face_towards(int nx, Side s, int m) {
  switch (s) {
    case Side::W: return {0, 2 * m + 1};
    case Side::E: return {2 * nx, 2 * m + 1};
    case Side::S: return {2 * m + 1, 0};
    case Side::N: return {2 * m + 1, 2 * nx};
  }
  return {};
}

struct EdgeCell {
  int j, i;      // the tile's own cell on that side
  int hj, hi;    // the halo cell beyond it
};
EdgeCell edge_cell(int nx, Side s, int m) {
  switch (s) {
    case Side::W: return {m, 0, m, -1};
    case Side::E: return {m, nx - 1, m, nx};
    case Side::S: return {0, m, -1, m};
    case Side::N: return {nx - 1, m, nx, m};
  }
  return {};
}

TEST(LlcConnectivityReal, HaloCentresAreDxcDycApart) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto& g = real_grid(data).grid;
  const auto& L = g.layout;
  const int nx = L.nx;
  ASSERT_EQ(g.dxc.size(), L.points());
  double worst = 0;
  int checked = 0;
  for (int t = 0; t < llc::kTiles; ++t)
    for (Side s : kSides) {
      if (!llc::neighbour(t, s).exists()) continue;
      for (int m = 0; m < nx; ++m) {
        const auto e = edge_cell(nx, s, m);
        const auto halo = llc::cell_at(L, t, e.hj, e.hi);
        ASSERT_TRUE(halo) << t << llc::to_string(s) << m;
        const auto f = face_towards(nx, s, m);
        const auto face = llc::locate(nx, t, f.x2, f.y2);
        ASSERT_TRUE(face);
        const std::size_t q = L.index(face->tile, face->y2 / 2, face->x2 / 2);
        // The face normal to x holds DXC (u point), the one normal to y DYC (v point).
        const double expected = face->x2 % 2 == 0 ? g.dxc[q] : g.dyc[q];
        const double actual =
            kEarthRadius * sphere::angle(centre(g, L.index(t, e.j, e.i)), centre(g, L.index(halo->tile, halo->j, halo->i)));
        const double rel = std::abs(actual - expected) / expected;
        // Next to the cube vertices (the ends of an edge) the grid is strongly curved and
        // MITgcm's DXC/DYC differ from the great-circle distance by up to 2%.
        const bool near_vertex = m < 2 || m >= nx - 2;
        if (!near_vertex) worst = std::max(worst, rel);
        EXPECT_LT(rel, near_vertex ? 3e-2 : 2e-3) << "tile " << t << " side " << llc::to_string(s) << " m " << m << ": " << actual << " m vs "
                             << expected << " m";
        ++checked;
      }
    }
  EXPECT_EQ(checked, (13 * 4 - 4) * nx);
  std::printf("halo centre distance vs DXC/DYC: worst relative difference %.2e (away from cube vertices) over %d edge cells\n",
              worst, checked);
}

TEST(LlcConnectivityReal, SharedCornersCoincideWithMitgridFaces) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto& r = real_grid(data);
  const auto& g = r.grid;
  const auto& L = g.layout;
  const int nx = L.nx;
  int outside = 0, checked = 0;
  double worst = 0;
  for (int t = 0; t < llc::kTiles; ++t) {
    const auto at = llc::tile_in_face(t, nx);
    const auto shape = llc::face_shape(at.face, nx);
    for (int j = 0; j <= nx; ++j)
      for (int i = 0; i <= nx; ++i) {
        if (j != 0 && j != nx && i != 0 && i != nx) continue;  // boundary corners only
        const auto owner = llc::corner_owner(L, t, j, i);
        const std::size_t f = shape.index(at.y0 + j, at.x0 + i);
        const auto mit = sphere::to_xyz(r.mit_lon[at.face][f], r.mit_lat[at.face][f]);
        if (!owner) {
          ++outside;
          // On the domain's edge (south of Antarctica the real grid is degenerate, corners
          // repeat there) nothing more to check.
          const bool on_outside_edge = (i == nx && !llc::neighbour(t, Side::E).exists()) ||
                                       (i == nx && j == 0 && !llc::neighbour(t, Side::S).exists());
          if (on_outside_edge) continue;
          // Otherwise no cell has this point as its south-west corner.
          for (std::size_t q = 0; q < L.points(); ++q)
            ASSERT_GT(sphere::angle(sphere::to_xyz(g.xg[q], g.yg[q]), mit) * kEarthRadius, 1.0)
                << "tile " << t << " corner j " << j << " i " << i << " is XG/YG point " << q;
          continue;
        }
        const std::size_t q = L.index(owner->tile, owner->j, owner->i);
        const double d = sphere::angle(sphere::to_xyz(g.xg[q], g.yg[q]), mit);
        worst = std::max(worst, d);
        EXPECT_LT(d * kEarthRadius, 1e-3) << "tile " << t << " corner j " << j << " i " << i << " owner " << owner->tile
                                          << "," << owner->j << "," << owner->i;
        ++checked;
      }
  }
  // The east edges of tiles 9 and 12, tile 3's south-east corner (the same domain edge), and
  // the cube vertex that is the north-west corner of tiles 2, 6 and 10.
  EXPECT_EQ(outside, 2 * (nx + 1) + 4);
  std::printf("shared corners: %d checked, worst distance %.3g m\n", checked, worst * kEarthRadius);
}

TEST(LlcConnectivityReal, AxisImagesFollowTheGridLines) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto& g = real_grid(data).grid;
  const auto& L = g.layout;
  const int nx = L.nx;
  for (int t = 0; t < llc::kTiles; ++t)
    for (Side s : kSides) {
      if (!llc::neighbour(t, s).exists()) continue;
      const int normal = s == Side::W || s == Side::E ? 0 : 1;
      const int outward = s == Side::E || s == Side::N ? 1 : -1;
      for (int m = 0; m < nx; ++m) {
        const auto e = edge_cell(nx, s, m);
        auto at = llc::locate(nx, t, 2 * e.hi + 1, 2 * e.hj + 1);
        ASSERT_TRUE(at);
        // One more step outward, taken in the neighbour's frame, continues the grid line:
        // it lands about twice as far from the edge cell.
        const auto img = at->axes[normal];
        int x2 = at->x2, y2 = at->y2;
        (img.axis == 0 ? x2 : y2) += 2 * outward * img.sign;
        ASSERT_TRUE(x2 >= 0 && x2 < 2 * nx && y2 >= 0 && y2 < 2 * nx);
        const auto c0 = centre(g, L.index(t, e.j, e.i));
        const double d1 = sphere::angle(c0, centre(g, L.index(at->tile, at->y2 / 2, at->x2 / 2)));
        const double d2 = sphere::angle(c0, centre(g, L.index(at->tile, y2 / 2, x2 / 2)));
        EXPECT_GT(d2, 1.5 * d1) << "tile " << t << " side " << llc::to_string(s) << " m " << m;
        // A step along the edge maps to the along-axis image.
        if (m + 1 < nx) {
          const auto next = edge_cell(nx, s, m + 1);
          const auto halo_next = llc::cell_at(L, t, next.hj, next.hi);
          ASSERT_TRUE(halo_next);
          const auto along = at->axes[1 - normal];
          int ax2 = at->x2, ay2 = at->y2;
          (along.axis == 0 ? ax2 : ay2) += 2 * along.sign;
          EXPECT_EQ(halo_next->tile, at->tile);
          EXPECT_EQ(halo_next->i, ax2 / 2);
          EXPECT_EQ(halo_next->j, ay2 / 2);
        }
      }
    }
}

}  // namespace
}  // namespace granary
