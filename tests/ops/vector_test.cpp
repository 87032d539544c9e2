// Model-grid x/y vector components -> east/north at cell centres (ops/vector/east_north.hpp).
// Round trips a known smooth field on the real LLC90 grid and on the synthetic grid, and
// checks that the real ECCO wind stress has no sign flips at tile seams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "formats/mds/reader.hpp"
#include "grids/llc/cell_corners.hpp"
#include "grids/llc/connectivity.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/sphere.hpp"
#include "ops/vector/east_north.hpp"
#include "recipes/ecco/synth_fields.hpp"
#include "recipes/ecco/synth_grid.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

using namespace llc::sphere;
using llc::Side;

// A rigid rotation of the sphere about a tilted axis: smooth everywhere (poles included),
// |V| <= 1, with both east and north components.
const Vec3 kAxis = normalized(Vec3{0.3, -0.5, 0.8});
Vec3 field(const Vec3& p) { return cross(kAxis, p); }

// Model-grid components of `field` from the cell geometry: u on the west face (its x axis is
// normal to the face edge SW -> NW), v on the south face (y normal to SW -> SE).
void model_components(const llc::CellCorners& c, std::vector<float>& u, std::vector<float>& v) {
  const std::size_t n = c.layout.points();
  u.resize(n);
  v.resize(n);
  for (std::size_t p = 0; p < n; ++p) {
    const Vec3 sw = to_xyz(c.lon[c.at(p, 0)], c.lat[c.at(p, 0)]), se = to_xyz(c.lon[c.at(p, 1)], c.lat[c.at(p, 1)]),
               nw = to_xyz(c.lon[c.at(p, 3)], c.lat[c.at(p, 3)]);
    const Vec3 mid_w = normalized(sw + nw), mid_s = normalized(sw + se);
    const Vec3 x_w = cross(normalized(nw - sw), mid_w), y_s = cross(mid_s, normalized(se - sw));
    u[p] = static_cast<float>(dot(field(mid_w), x_w));
    v[p] = static_cast<float>(dot(field(mid_s), y_s));
  }
}

// Largest departure from 90 degrees of the four corner angles of a cell.
double skew_degrees(const llc::CellCorners& c, std::size_t p) {
  Vec3 q[4];
  for (int nb = 0; nb < 4; ++nb) q[nb] = to_xyz(c.lon[c.at(p, nb)], c.lat[c.at(p, nb)]);
  double worst = 0;
  for (int nb = 0; nb < 4; ++nb) {
    const Vec3 a = q[(nb + 1) % 4] - q[nb], b = q[(nb + 3) % 4] - q[nb];
    if (norm(a) == 0 || norm(b) == 0) return 90.0;
    const double cosine = dot(a, b) / (norm(a) * norm(b));
    worst = std::max(worst, std::abs(deg(std::acos(std::clamp(cosine, -1.0, 1.0))) - 90.0));
  }
  return worst;
}

struct RoundTrip {
  int compared = 0, tile_edge = 0, cap = 0, skewed = 0;
  double worst_orthogonal = 0;  // max |error| where the cell is within 2 degrees of orthogonal
};

// Cells whose four faces are wet at level 0 (so no land enters the averages).
RoundTrip check_round_trip(const llc::Grid& g, const llc::CellCorners& corners) {
  std::vector<float> u, v, east(g.points()), north(g.points());
  model_components(corners, u, v);
  vec::velocity_to_east_north(g, 0, u.data(), v.data(), east.data(), north.data());
  const auto& L = g.layout;
  std::vector<std::vector<std::int64_t>> adjacent;
  for (Side s : {Side::W, Side::E, Side::S, Side::N}) adjacent.push_back(llc::adjacent_cells(L, s));
  const auto* wet = g.mask_level(llc::Location::C, 0);
  RoundTrip r;
  for (int t = 0; t < llc::kTiles; ++t)
    for (int j = 0; j < L.nx; ++j)
      for (int i = 0; i < L.nx; ++i) {
        const std::size_t p = L.index(t, j, i);
        bool all_wet = wet[p];
        for (const auto& a : adjacent) all_wet = all_wet && a[p] >= 0 && wet[a[p]];
        if (!all_wet) continue;
        const Vec3 c = to_xyz(g.xc[p], g.yc[p]), f = field(c);
        const double e = dot(f, east_at(g.xc[p])), nn = dot(f, north_at(g.xc[p], g.yc[p]));
        const double err = std::hypot(east[p] - e, north[p] - nn);
        const double skew = skew_degrees(corners, p);
        // 2% covers the interpolation and the grid's own AngleCS/SN (worst around the north
        // pole of LLC90, 1.3%); a sign slip at a seam would cost ~100%. Non-orthogonal cells:
        // the x/y components no longer add up to the vector; allow sin(skew) more.
        const double allowed = 0.02 + std::sin(rad(std::min(skew, 60.0)));
        EXPECT_LT(err, allowed) << "tile " << t << " j " << j << " i " << i << " skew " << skew << ": east " << east[p]
                                << " vs " << e << ", north " << north[p] << " vs " << nn;
        if (skew < 2.0) r.worst_orthogonal = std::max(r.worst_orthogonal, err);
        else ++r.skewed;
        ++r.compared;
        r.tile_edge += i == 0 || j == 0 || i == L.nx - 1 || j == L.nx - 1;
        r.cap += t == 6;
      }
  return r;
}

TEST(VectorEastNorthReal, SolidBodyRotationRoundTrip) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto dir = (data / "ecco/grid_llc90").string();
  const auto g = llc::load_grid(dir);
  const auto corners = llc::load_cell_corners(dir, g.layout);
  const auto r = check_round_trip(g, corners);
  std::printf("LLC90 round trip: %d wet cells (%d on tile edges, %d in the arctic cap, %d skewed > 2 deg), "
              "worst error %.2e of |V| <= 1 where orthogonal\n",
              r.compared, r.tile_edge, r.cap, r.skewed, r.worst_orthogonal);
  EXPECT_GT(r.compared, 50000);
  EXPECT_GT(r.tile_edge, 2000);
  EXPECT_GT(r.cap, 5000);
  EXPECT_LT(r.worst_orthogonal, 0.015);
}

// Model-grid 2D field from a compact big-endian float32 file without .meta.
std::vector<float> read_compact_2d(const std::string& path, const llc::Layout& L) {
  auto d = mds::describe(path, mds::Shape{static_cast<std::int64_t>(L.points()), 1, mds::Precision::Float32});
  auto flat = mds::read_levels<float>(d, 0, 1);
  std::vector<float> tiles(L.points());
  llc::compact_to_tiles(L, flat.data(), tiles.data());
  return tiles;
}

TEST(VectorEastNorthReal, WindStressIsContinuousAcrossTileSeams) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const auto g = llc::load_grid((data / "ecco/grid_llc90").string());
  const auto& L = g.layout;
  const auto taux = read_compact_2d((data / "ecco/model_output_r2_mean/TauX.bin").string(), L);
  const auto tauy = read_compact_2d((data / "ecco/model_output_r2_mean/TauY.bin").string(), L);
  std::vector<float> east(L.points()), north(L.points());
  vec::velocity_to_east_north(g, 0, taux.data(), tauy.data(), east.data(), north.data());
  const auto* wet = g.mask_level(llc::Location::C, 0);
  // Compare each wet edge cell with its wet neighbour across the seam, and (as the yardstick)
  // each wet cell one step inside with its inner neighbour.
  struct Stats {
    int pairs = 0, strong = 0, same_sign = 0;
    std::vector<double> rel;
    void add(double a, double b) {
      ++pairs;
      rel.push_back(std::abs(a - b) / std::max(std::abs(a) + std::abs(b), 1e-3));
      if (std::abs(a) > 0.02 && std::abs(b) > 0.02) ++strong, same_sign += (a > 0) == (b > 0);
    }
    double median() {
      std::nth_element(rel.begin(), rel.begin() + rel.size() / 2, rel.end());
      return rel[rel.size() / 2];
    }
  } seam_e, seam_n, inner_e;
  for (int t = 0; t < llc::kTiles; ++t)
    for (int m = 0; m < L.nx; ++m) {
      const std::pair<int, int> edge[2] = {{m, L.nx - 1}, {L.nx - 1, m}};  // east and north edge cells
      for (int s = 0; s < 2; ++s) {
        const auto [j, i] = edge[s];
        const auto across = llc::cell_at(L, t, j + (s == 1), i + (s == 0));
        if (!across) continue;
        const std::size_t p = L.index(t, j, i), q = L.index(across->tile, across->j, across->i);
        if (!wet[p] || !wet[q]) continue;
        seam_e.add(east[p], east[q]);
        seam_n.add(north[p], north[q]);
        const std::size_t inner = s == 0 ? L.index(t, j, i - 1) : L.index(t, j - 1, i);
        const std::size_t inner2 = s == 0 ? L.index(t, j, i - 2) : L.index(t, j - 2, i);
        if (wet[inner] && wet[inner2]) inner_e.add(east[inner], east[inner2]);
      }
    }
  const double me = seam_e.median(), mn = seam_n.median(), mi = inner_e.median();
  std::printf("TauX/TauY -> east/north across seams: %d wet pairs; |dE|/(|E1|+|E2|) median %.3f (inside tiles %.3f), "
              "|dN| median %.3f; same sign east %d/%d\n",
              seam_e.pairs, me, mi, mn, seam_e.same_sign, seam_e.strong);
  EXPECT_GT(seam_e.pairs, 1000);
  EXPECT_GT(seam_e.strong, 500);
  EXPECT_GE(seam_e.same_sign, seam_e.strong - seam_e.strong / 100);  // at least 99% agree in sign
  EXPECT_LT(me, 2 * mi + 0.02);
  EXPECT_LT(mn, 0.2);
}

TEST(VectorEastNorthSynthetic, RoundTripAndGeneratedVelocity) {
  test::TempDir tmp;
  ecco::synth::SynthOptions o;
  o.nx = 24;
  o.levels = 3;
  o.months = 1;
  o.days = 0;
  ecco::synth::write_synthetic_ecco(tmp.path().string(), o);
  const auto dir = (tmp.path() / "grid").string();
  const auto g = llc::load_grid(dir);
  const auto corners = llc::load_cell_corners(dir, g.layout);
  const auto r = check_round_trip(g, corners);
  std::printf("synthetic LLC24 round trip: %d wet cells (%d on tile edges, %d in the cap, %d skewed > 2 deg), "
              "worst error %.2e where orthogonal\n",
              r.compared, r.tile_edge, r.cap, r.skewed, r.worst_orthogonal);
  EXPECT_GT(r.tile_edge, 500);
  EXPECT_GT(r.cap, 300);
  EXPECT_LT(r.worst_orthogonal, 0.015);

  // The generated UVEL/VVEL rotate back to the analytic current.
  const auto& L = g.layout;
  auto level0 = [&](const char* field) {
    const auto path = (tmp.path() / fmt::format("model_output/diags_monthly/{0}_mon_mean/{0}_mon_mean.0000000732.data", field)).string();
    auto d = mds::describe(path, std::nullopt);
    auto flat = mds::read_levels<float>(d, 0, 1);
    std::vector<float> tiles(L.points());
    llc::compact_to_tiles(L, flat.data(), tiles.data());
    return tiles;
  };
  const auto uvel = level0("UVEL"), vvel = level0("VVEL");
  std::vector<float> east(L.points()), north(L.points());
  vec::velocity_to_east_north(g, 0, uvel.data(), vvel.data(), east.data(), north.data());
  std::vector<std::vector<std::int64_t>> adjacent;
  for (Side s : {Side::W, Side::E, Side::S, Side::N}) adjacent.push_back(llc::adjacent_cells(L, s));
  int compared = 0;
  for (std::size_t p = 0; p < L.points(); ++p) {
    bool all_wet = g.mask_c[p];
    for (const auto& a : adjacent) all_wet = all_wet && a[p] >= 0 && g.mask_c[a[p]];
    if (!all_wet || skew_degrees(corners, p) > 2.0) continue;
    const auto truth = ecco::synth::synthetic_velocity(g.xc[p], g.yc[p], g.rc[0]);
    // The current varies over a cell (3.75 degrees here), so allow 10% of its 0.45 m/s scale.
    EXPECT_NEAR(east[p], truth.east, 0.045) << p;
    EXPECT_NEAR(north[p], truth.north, 0.045) << p;
    ++compared;
  }
  EXPECT_GT(compared, 2000);
}

TEST(VectorEastNorth, NeedsAngles) {
  llc::Grid g;
  g.layout.nx = 4;
  g.nz = 1;
  g.dir = "/some/grid";
  g.mask_w.assign(g.points(), 1);
  g.mask_s.assign(g.points(), 1);
  std::vector<float> a(g.points()), b(g.points());
  try {
    vec::velocity_to_east_north(g, 0, a.data(), a.data(), b.data(), b.data());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/some/grid"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("AngleCS"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace granary
