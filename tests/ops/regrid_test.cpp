// Lat-lon mapping factors (ops/regrid): synthetic cases checked by hand and against a
// brute-force implementation of the spec, the file format, and the real LLC90 grid checked
// against the published counts and the Python oracle (counts per level, float32 bits).
#include <gtest/gtest.h>
#include <netcdf.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "formats/mds/reader.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/layout.hpp"
#include "ops/regrid/factors.hpp"
#include "ops/regrid/factors_file.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary {
namespace {
namespace fs = std::filesystem;
using regrid::Factors;
using regrid::LevelStats;
using regrid::TargetGrid;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string describe(const LevelStats& s) {
  return fmt::format("wet {} ocean {} nnz {} in_r_1 {} in_r_2 {} in_r_3plus {} fallback {} max_in_r {}", s.wet,
                     s.ocean, s.nnz, s.in_r_1, s.in_r_2, s.in_r_3plus, s.fallback, s.max_in_r);
}

LevelStats stats_of(long wet, long ocean, long nnz, long r1, long r2, long r3, long fallback, long max_in_r) {
  return {wet, ocean, nnz, r1, r2, r3, fallback, max_in_r};
}

// A hand-made LLC grid: points in tile order at (lon, lat), levels of 10 m (RF 0, -10, ...),
// hFacC from Depth as MITgcm's partial cells, every cell `cell_length` wide.
llc::Grid make_grid(int nx, const std::vector<double>& lon, const std::vector<double>& lat,
                    const std::vector<double>& depth, int levels, double cell_length) {
  llc::Grid g;
  g.layout.nx = nx;
  g.dir = "synthetic-llc" + std::to_string(nx);
  const std::size_t n = g.points();
  EXPECT_EQ(lon.size(), n);
  g.xc = lon;
  g.yc = lat;
  g.depth = depth;
  g.dxg.assign(n, cell_length);
  g.dyg.assign(n, cell_length / 2);
  g.nz = levels;
  for (int k = 0; k < levels; ++k) {
    g.rc.push_back(-10.0 * k - 5.0);
    g.rf.push_back(-10.0 * k);
    g.drf.push_back(10.0);
  }
  g.rf.push_back(-10.0 * levels);
  g.hfac_c.resize(levels * n);
  for (int k = 0; k < levels; ++k)
    for (std::size_t p = 0; p < n; ++p) g.hfac_c[k * n + p] = std::clamp((depth[p] + g.rf[k]) / g.drf[k], 0.0, 1.0);
  // As load_grid does: maskC = hFacC > 0 (the faces' masks are not used here).
  g.mask_c.resize(g.hfac_c.size());
  for (std::size_t i = 0; i < g.hfac_c.size(); ++i) g.mask_c[i] = g.hfac_c[i] > 0.0;
  return g;
}

// The spec, literally: per level and target, distances to every point.
struct BruteForce {
  std::vector<LevelStats> stats;
  std::vector<std::vector<float>> out;  // per level
};

BruteForce brute_force(const llc::Grid& g, int levels, double resolution,
                       const std::vector<std::vector<float>>& values) {
  const TargetGrid target = TargetGrid::with_resolution(resolution);
  const double rb = std::trunc(target.max_row_radius());
  const double lb = std::trunc(g.max_cell_length());
  const std::size_t n = g.points();
  std::vector<std::array<double, 3>> src(n);
  for (std::size_t p = 0; p < n; ++p) src[p] = regrid::to_ecef(g.xc[p], g.yc[p]);
  BruteForce bf;
  for (int k = 0; k < levels; ++k) {
    auto wet = g.wet_mask(k);
    LevelStats s;
    s.wet = std::count(wet.begin(), wet.end(), 1);
    std::vector<float> out(target.size(), kNaN);
    for (int row = 0; row < target.nlat; ++row)
      for (int col = 0; col < target.nlon; ++col) {
        auto q = regrid::to_ecef(target.lon(col), target.lat(row));
        std::vector<double> d(n);
        for (std::size_t p = 0; p < n; ++p) {
          double dx = q[0] - src[p][0], dy = q[1] - src[p][1], dz = q[2] - src[p][2];
          d[p] = std::sqrt(dx * dx + dy * dy + dz * dz);
        }
        std::ptrdiff_t nearest = -1;
        for (std::size_t p = 0; p < n; ++p)
          if (d[p] < lb && (nearest < 0 || d[p] < d[nearest])) nearest = static_cast<std::ptrdiff_t>(p);
        if (nearest < 0 || !wet[nearest]) continue;
        std::vector<std::size_t> in_radius;
        for (std::size_t p = 0; p < n; ++p)
          if (wet[p] && d[p] < rb && d[p] <= target.row_radius(row)) in_radius.push_back(p);
        std::stable_sort(in_radius.begin(), in_radius.end(), [&](auto a, auto b) { return d[a] < d[b]; });
        if (in_radius.size() > 100) in_radius.resize(100);
        const long count = static_cast<long>(in_radius.size());
        ++s.ocean;
        s.in_r_1 += count == 1;
        s.in_r_2 += count == 2;
        s.in_r_3plus += count >= 3;
        s.fallback += count == 0;
        s.max_in_r = std::max(s.max_in_r, count);
        std::vector<std::size_t> sources = count ? in_radius : std::vector<std::size_t>{std::size_t(nearest)};
        s.nnz += static_cast<long>(sources.size());
        std::sort(sources.begin(), sources.end());
        double w = 1.0 / static_cast<double>(sources.size()), sum = 0.0;
        for (auto p : sources) sum += w * static_cast<double>(values[k][p]);
        out[target.index(row, col)] = static_cast<float>(sum);
      }
    bf.stats.push_back(s);
    bf.out.push_back(std::move(out));
  }
  return bf;
}

std::vector<float> apply(const Factors& f, int k, const std::vector<float>& values) {
  std::vector<float> out(f.target().size());
  f.apply(k, values.data(), out.data());
  return out;
}

// Same float32 bits everywhere (NaN positions included).
void expect_same_bits(const std::vector<float>& expected, const std::vector<float>& got, const std::string& what) {
  ASSERT_EQ(expected.size(), got.size()) << what;
  std::size_t diffs = 0, first = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    bool same = std::isnan(expected[i]) ? std::isnan(got[i])
                                        : std::bit_cast<std::uint32_t>(expected[i]) == std::bit_cast<std::uint32_t>(got[i]);
    if (!same && diffs++ == 0) first = i;
  }
  EXPECT_EQ(diffs, 0u) << what << ": first difference at target " << first << ": expected " << expected[first]
                       << ", got " << got[first];
}

using test::error_of;

// ---------------------------------------------------------------------------- target grid

TEST(RegridTargetGrid, HalfDegreeAxesAndRadii) {
  auto t = TargetGrid::with_resolution(0.5);
  EXPECT_EQ(t.nlat, 360);
  EXPECT_EQ(t.nlon, 720);
  EXPECT_EQ(t.size(), 259200u);
  EXPECT_EQ(t.lat(0), -89.75);
  EXPECT_EQ(t.lat(359), 89.75);
  EXPECT_EQ(t.lon(0), -179.75);
  EXPECT_EQ(t.lon(719), 179.75);
  EXPECT_EQ(t.index(2, 3), 2u * 720 + 3);
  // The oracle's documented radii: 31,367.35 m at the equator, 2,071.99 m at the poles.
  EXPECT_NEAR(t.row_radius(180), 31367.353940237357, 1e-6);
  EXPECT_NEAR(t.row_radius(0), 2071.9914100671294, 1e-6);
  EXPECT_EQ(std::trunc(t.max_row_radius()), 31367.0);
  auto one = TargetGrid::with_resolution(1.0);
  EXPECT_EQ(one.nlat, 180);
  EXPECT_EQ(one.lat(0), -89.5);
}

TEST(RegridTargetGrid, RejectsResolutionsThatDoNotTileTheSphere) {
  EXPECT_NE(error_of([] { TargetGrid::with_resolution(0.7); }).find("whole number"), std::string::npos);
  EXPECT_THROW(TargetGrid::with_resolution(0.0), Error);
  EXPECT_THROW(TargetGrid::with_resolution(-1.0), Error);
}

// ---------------------------------------------------------------------------- hand-made case
// 90-degree targets (2 x 4; row radius 4,505 km), LLC1 (13 points), LB = 6,000 km:
//   t4 (45N, 135W): p0 on it and p1 785 km away   -> 2 in radius at k=0; p1 is dry at k=1
//   t5 (45N, 45W):  nearest p2 at 4,670 km         -> outside the radius: nearest fallback
//   t1 (45S, 45W):  nearest p3 (194 km) is dry     -> land although wet p2 is within LB
//   t6 (45N, 45E):  p8, p11, p10 at 16, 47, 118 km -> 3 in radius, weight 1/3, summed in
//                   point order (8, 10, 11), not distance order
//   t3 (45S, 135E): p12 at RB + 0.25 m, 0.28 m inside the row radius -> excluded by the
//                   strict integer bound RB = int(radius): nearest fallback
//   others:         nothing within LB              -> land
// p4..p7 and p9 sit on the equator, >= 6,283 km from every target.
struct HandCase {
  llc::Grid grid = make_grid(1,
                             {-135, -125, -45, -47, 0, 90, 180, -90, 45.2, 0, 46.5, 45.6, 160},
                             {45, 45, 2, -44, 0, 0, 0, 0, 45, -1, 45, 45, -9.618827192},
                             {100, 5, 100, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100}, 2, 6.0e6);
};

TEST(RegridFactors, HandCaseWeightsFallbackAndLandMask) {
  HandCase c;
  auto f = Factors::build(c.grid, 2, 90.0, 1);
  EXPECT_EQ(f.params().radius_bound, 4504983.0);
  EXPECT_EQ(f.params().nearest_bound, 6.0e6);
  EXPECT_EQ(describe(f.stats(0)), describe(stats_of(12, 4, 7, 0, 1, 1, 2, 3)));
  EXPECT_EQ(describe(f.stats(1)), describe(stats_of(11, 4, 6, 1, 0, 1, 2, 3)));
  std::vector<std::uint8_t> expected_mask = {0, 0, 0, 1, 1, 1, 1, 0};
  EXPECT_EQ(f.ocean_mask(0), expected_mask);
  EXPECT_EQ(f.ocean_mask(1), expected_mask);

  std::vector<float> v(13, 1e30f);
  v[0] = 1.0f;
  v[1] = 2.0f;
  v[2] = -3.25f;
  // In point order the 1/3 is absorbed by 1e20/3 and the big terms then cancel exactly;
  // in distance order (8, 11, 10) the result would be 1/3.
  v[8] = 1e20f;
  v[10] = 1.0f;
  v[11] = -1e20f;
  v[12] = 7.5f;
  auto out0 = apply(f, 0, v);
  EXPECT_EQ(out0[4], 1.5f);     // (1 + 2) / 2
  EXPECT_EQ(out0[5], -3.25f);   // nearest fallback, weight 1
  EXPECT_EQ(std::bit_cast<std::uint32_t>(out0[6]), 0u);
  EXPECT_EQ(out0[3], 7.5f);
  for (int t : {0, 1, 2, 7}) EXPECT_TRUE(std::isnan(out0[t])) << t;
  // scipy adds w * v per entry; (sum of v) * w would round differently here (0xbf868966).
  v[8] = 834807.375f;
  v[10] = 0.9092959761619568f;
  v[11] = -834811.4375f;
  EXPECT_EQ(std::bit_cast<std::uint32_t>(apply(f, 0, v)[6]), 0xbf868965u);
  v[1] = kNaN;  // p1 is dry at level 1: its value must not be read
  auto out1 = apply(f, 1, v);
  EXPECT_EQ(out1[4], 1.0f);
  EXPECT_EQ(out1[5], -3.25f);

  using Points = std::vector<std::uint32_t>;
  EXPECT_EQ(f.sources(0, 4), (Points{0, 1}));
  EXPECT_EQ(f.sources(1, 4), (Points{0}));
  EXPECT_EQ(f.sources(0, 5), (Points{2}));
  EXPECT_EQ(f.sources(0, 6), (Points{8, 10, 11}));
  EXPECT_EQ(f.sources(0, 3), (Points{12}));
  EXPECT_EQ(f.sources(0, 1), Points{});
}

TEST(RegridFactors, ApplyStartsFromPositiveZeroLikeScipy) {
  HandCase c;
  auto f = Factors::build(c.grid, 1, 90.0, 1);
  std::vector<float> v(13, 0.0f);
  v[2] = -0.0f;  // 0.0 + 1.0 * -0.0 == +0.0
  auto out = apply(f, 0, v);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(out[5]), 0u);
}

// ---------------------------------------------------------------------------- brute force
struct RandomCase {
  llc::Grid grid;
  std::vector<std::vector<float>> values;  // per level; NaN on dry points (must never be read)
};

// LLC6 (468 points) scattered uniformly on the sphere, `clustered` of them within ~2 deg
// of (5E, 5N) so that one 10-degree target has more than 100 candidates.
RandomCase random_case(unsigned seed, int clustered, int levels) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0), depth(0.0, 35.0), val(-5.0, 5.0);
  const int nx = 6;
  const std::size_t n = 13 * nx * nx;
  std::vector<double> lon(n), lat(n), dep(n);
  for (std::size_t p = 0; p < n; ++p) {
    if (static_cast<int>(p % 4) == 0 && static_cast<int>(p / 4) < clustered) {
      lon[p] = 5.0 + 2.0 * u(rng);
      lat[p] = 5.0 + 2.0 * u(rng);
      dep[p] = 100.0;
    } else {
      lon[p] = 180.0 * u(rng);
      lat[p] = std::asin(u(rng)) * 180.0 / std::numbers::pi;
      dep[p] = depth(rng);
    }
  }
  RandomCase c{make_grid(nx, lon, lat, dep, levels, 1.2e6), {}};
  for (int k = 0; k < levels; ++k) {
    auto wet = c.grid.wet_mask(k);
    std::vector<float> v(n);
    for (std::size_t p = 0; p < n; ++p) v[p] = wet[p] ? static_cast<float>(val(rng)) : kNaN;
    c.values.push_back(std::move(v));
  }
  return c;
}

TEST(RegridFactors, MatchesBruteForceOnRandomPoints) {
  for (unsigned seed : {1u, 2u, 3u}) {
    auto c = random_case(seed, 0, 4);
    auto f = Factors::build(c.grid, 4, 10.0, 2);
    auto bf = brute_force(c.grid, 4, 10.0, c.values);
    long multi = 0, fallback = 0, land = 0;
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(describe(f.stats(k)), describe(bf.stats[k])) << "seed " << seed << " level " << k;
      expect_same_bits(bf.out[k], apply(f, k, c.values[k]), fmt::format("seed {} level {}", seed, k));
      multi += bf.stats[k].in_r_2 + bf.stats[k].in_r_3plus;
      fallback += bf.stats[k].fallback;
      land += static_cast<long>(f.target().size()) - bf.stats[k].ocean;
    }
    // The case exercises every branch.
    EXPECT_GT(multi, 0);
    EXPECT_GT(fallback, 0);
    EXPECT_GT(land, 0);
    auto all = f.all_stats(3);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(describe(all[k]), describe(f.stats(k)));
  }
}

TEST(RegridFactors, KeepsTheHundredNearestInRadius) {
  auto c = random_case(7, 117, 2);
  auto f = Factors::build(c.grid, 2, 10.0, 2);
  auto bf = brute_force(c.grid, 2, 10.0, c.values);
  EXPECT_EQ(f.stats(0).max_in_r, 100);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(describe(f.stats(k)), describe(bf.stats[k])) << "level " << k;
    expect_same_bits(bf.out[k], apply(f, k, c.values[k]), fmt::format("level {}", k));
  }
}

TEST(RegridFactors, SameResultWithAnyThreadCount) {
  auto c = random_case(11, 40, 3);
  test::TempDir dir;
  Factors::build(c.grid, 3, 5.0, 1).save((dir / "one").string());
  Factors::build(c.grid, 3, 5.0, 3).save((dir / "three").string());
  EXPECT_EQ(files::read_all(dir / "one"), files::read_all(dir / "three"));
}

TEST(RegridFactors, RejectsBadRequests) {
  HandCase c;
  EXPECT_NE(error_of([&] { Factors::build(c.grid, 3, 90.0); }).find("the grid has 2"), std::string::npos);
  EXPECT_NE(error_of([&] { Factors::build(c.grid, 2, 0.7); }).find("whole number of rows"), std::string::npos);
  auto holey = c.grid;
  holey.yc[7] = std::nan("");
  EXPECT_NE(error_of([&] { Factors::build(holey, 2, 90.0); }).find("XC/YC of point 7 is not finite"),
            std::string::npos);
  auto f = Factors::build(c.grid, 2, 90.0);
  std::vector<float> v(13), out(8);
  EXPECT_NE(error_of([&] { f.apply(2, v.data(), out.data()); }).find("have 2 levels, level 2"), std::string::npos);
  EXPECT_NE(error_of([&] { f.check_levels(50); }).find("have 2 levels, the field has 50"), std::string::npos);
  f.check_levels(2);
}

// ---------------------------------------------------------------------------- file format

TEST(RegridFactorsFile, RoundTripKeepsEverything) {
  auto c = random_case(5, 20, 3);
  auto built = Factors::build(c.grid, 3, 10.0, 2);
  test::TempDir dir;
  auto path = (dir / "factors.bin").string();
  built.save(path);
  auto loaded = Factors::load(path);
  EXPECT_EQ(loaded.origin(), path);
  EXPECT_EQ(loaded.levels(), 3);
  EXPECT_EQ(loaded.target().nlat, 18);
  EXPECT_EQ(loaded.params().nx, 6);
  EXPECT_EQ(loaded.params().radius_bound, built.params().radius_bound);
  EXPECT_EQ(loaded.params().geometry_crc32, regrid::geometry_crc32(c.grid));
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(describe(loaded.stats(k)), describe(built.stats(k)));
    EXPECT_EQ(loaded.ocean_mask(k), built.ocean_mask(k));
    expect_same_bits(apply(built, k, c.values[k]), apply(loaded, k, c.values[k]), fmt::format("level {}", k));
  }
  loaded.save((dir / "again.bin").string());
  EXPECT_EQ(files::read_all(path), files::read_all(dir / "again.bin"));
  loaded.check_grid(c.grid);
  // No temporary siblings are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

TEST(RegridFactorsFile, DetectsAnotherGrid) {
  auto c = random_case(5, 0, 2);
  test::TempDir dir;
  auto path = (dir / "f.bin").string();
  Factors::build(c.grid, 2, 10.0, 1).save(path);
  auto f = Factors::load(path);
  auto moved = c.grid;
  moved.xc[17] += 1e-9;
  EXPECT_NE(error_of([&] { f.check_grid(moved); }).find(path + " were built for another grid geometry"),
            std::string::npos);
  auto shallower = c.grid;
  for (auto& h : shallower.hfac_c) h = h > 0.9 ? 0.0 : h;
  for (std::size_t i = 0; i < shallower.hfac_c.size(); ++i) shallower.mask_c[i] = shallower.hfac_c[i] > 0.0;
  EXPECT_NE(error_of([&] { f.check_grid(shallower); }).find("wet mask of level"), std::string::npos);
  auto llc1 = make_grid(1, std::vector<double>(13, 0.0), std::vector<double>(13, 0.0), std::vector<double>(13, 100.0),
                        2, 1e6);
  EXPECT_NE(error_of([&] { f.check_grid(llc1); }).find("were built for LLC6"), std::string::npos);
}

class RegridFactorsCorrupt : public ::testing::Test {
 protected:
  void SetUp() override {
    HandCase c;
    Factors::build(c.grid, 2, 90.0, 1).save(path);
    bytes = files::read_all(path);
  }
  void write(const std::vector<std::byte>& b) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), b.size());
  }
  std::string load_error() {
    return error_of([&] { Factors::load(path); });
  }
  test::TempDir dir;
  std::string path = (dir / "factors.bin").string();
  std::vector<std::byte> bytes;
};

TEST_F(RegridFactorsCorrupt, WrongMagic) {
  bytes[0] = std::byte{'X'};
  write(bytes);
  auto e = load_error();
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("not a granary factors file"), std::string::npos) << e;
}

TEST_F(RegridFactorsCorrupt, OtherVersion) {
  bytes[8] = std::byte{99};
  write(bytes);
  auto e = load_error();
  EXPECT_NE(e.find(path + ": factors format version 99, this granary reads version 1"), std::string::npos) << e;
}

TEST_F(RegridFactorsCorrupt, Truncated) {
  for (std::size_t keep : {std::size_t{5}, std::size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    write(std::vector<std::byte>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep)));
    auto e = load_error();
    EXPECT_NE(e.find(path), std::string::npos) << keep << ": " << e;
    EXPECT_TRUE(e.find("truncated") != std::string::npos || e.find("JSON") != std::string::npos) << keep << ": " << e;
  }
}

TEST_F(RegridFactorsCorrupt, FlippedPayloadBit) {
  bytes[bytes.size() - 10] ^= std::byte{0x10};
  write(bytes);
  auto e = load_error();
  EXPECT_NE(e.find(path + ": factors checksum mismatch"), std::string::npos) << e;
}

// A header whose integers are floats beyond int (a crafted file; get<int>() of one is
// undefined) is an error naming the file and the key, checksum and all otherwise valid.
TEST_F(RegridFactorsCorrupt, HeaderIntegersThatAreNoIntegers) {
  std::uint32_t json_size;
  std::memcpy(&json_size, bytes.data() + 12, 4);
  const std::string header(reinterpret_cast<const char*>(bytes.data()) + 16, json_size);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"levels", "-9.2e300"}, {"nx", "2.5"}, {"nlat", "1e19"}, {"points", "-1"}}) {
    auto j = nlohmann::json::parse(header);
    j[key] = nlohmann::json::parse(value);
    const std::string text = j.dump(1);
    std::vector<std::byte> b(bytes.begin(), bytes.begin() + 12);
    const auto size = static_cast<std::uint32_t>(text.size());
    b.resize(16);
    std::memcpy(b.data() + 12, &size, 4);
    for (char c : text) b.push_back(static_cast<std::byte>(c));
    b.insert(b.end(), bytes.begin() + 16 + json_size, bytes.end() - 4);
    const auto crc = static_cast<std::uint32_t>(::crc32_z(0L, reinterpret_cast<const Bytef*>(b.data()), b.size()));
    b.resize(b.size() + 4);
    std::memcpy(b.data() + b.size() - 4, &crc, 4);
    write(b);
    const auto e = load_error();
    EXPECT_NE(e.find(path + ": bad factors JSON header: " + key + " must be an integer"), std::string::npos) << e;
  }
}

TEST_F(RegridFactorsCorrupt, MissingFile) {
  fs::remove(path);
  EXPECT_NE(load_error().find(path), std::string::npos);
}

// ---------------------------------------------------------------------------- real LLC90 grid

fs::path llc90_grid(const fs::path& data) { return data / "ecco" / "grid_llc90"; }

TEST(RegridRealGrid, CountsMatchThePublishedNumbers) {
  GRANARY_REQUIRE_REAL_DATA(data);
  auto grid = llc::load_grid(llc90_grid(data).string());
  auto f = Factors::build(grid, 50, 0.5);
  EXPECT_EQ(f.params().radius_bound, 31367.0);
  EXPECT_EQ(f.params().nearest_bound, 111177.0);
  auto s0 = f.stats(0), s49 = f.stats(49);
  EXPECT_EQ(s0.wet, 60646);
  EXPECT_EQ(s0.ocean, 169137);
  EXPECT_EQ(s0.nnz, 169202);
  EXPECT_EQ(s0.in_r_2, 65);
  EXPECT_EQ(s0.fallback, 98153);
  EXPECT_EQ(s49.wet, 818);
  EXPECT_EQ(s49.ocean, 2778);
  EXPECT_EQ(s49.nnz, 2778);
  f.check_grid(grid);
  f.check_levels(50);
}

TEST(RegridRealGrid, CliPrintsTheCountsAndWritesOneFile) {
  GRANARY_REQUIRE_REAL_DATA(data);
  test::TempDir dir;
  auto out = dir / "factors.bin";
  auto r = test::run_granary(fmt::format("ecco factors --grid {} --out {} --levels 3 -j 2", llc90_grid(data).string(),
                                         out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto f = Factors::load(out.string());
  std::string expected = "k,wet,ocean,nnz,in_r_1,in_r_2,in_r_3plus,fallback,max_in_r\n";
  for (int k = 0; k < 3; ++k) {
    auto s = f.stats(k);
    expected += fmt::format("{},{},{},{},{},{},{},{},{}\n", k, s.wet, s.ocean, s.nnz, s.in_r_1, s.in_r_2,
                            s.in_r_3plus, s.fallback, s.max_in_r);
  }
  EXPECT_EQ(r.out, expected);
  EXPECT_NE(r.err.find("total"), std::string::npos) << r.err;
  auto bad = test::run_granary(fmt::format("ecco factors --grid {} --out {} --levels 51", llc90_grid(data).string(),
                                           (dir / "x.bin").string()));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("the grid has 50"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir / "x.bin"));
}

// The oracle's factors, SSH and synthetic 3D products are built once for the whole suite
// (the factor build alone takes ~10 s).
class RegridOracle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto data = test::real_data_dir();
    auto py = test::oracle_python();
    if (!data || !py) return;  // the tests skip themselves
    dir_ = std::make_unique<test::TempDir>();
    grid_dir_ = llc90_grid(*data);
    ssh_ = *data / "ecco" / "model_output_r2_mean" / "SSH.bin";
    const std::string oracle = *py + " " + (test::reference_dir() / "ecco_reference.py").string();
    const std::string grid = " --grid " + grid_dir_.string();
    const std::vector<std::string> steps = {
        oracle + " factors" + grid + " --out " + path("factors").string() + " --levels 50",
        oracle + " synth3d" + grid + " --out " + path("THETA.data").string() + " --levels 50",
        oracle + " latlon" + grid + " --factors " + path("factors").string() + " --field " + ssh_.string() +
            " --out " + path("ssh.nc").string(),
        oracle + " latlon" + grid + " --factors " + path("factors").string() + " --field " +
            path("THETA.data").string() + " --out " + path("theta.nc").string()};
    for (const auto& step : steps) {
      auto r = test::run_command(step);
      if (r.exit_code != 0) {
        setup_error_ = "oracle step failed (" + step + "): " + r.err;
        return;
      }
    }
    grid_ = std::make_unique<llc::Grid>(llc::load_grid(grid_dir_.string()));
    ours_ = std::make_unique<Factors>(Factors::build(*grid_, 50, 0.5));
  }
  static void TearDownTestSuite() {
    ours_.reset();
    grid_.reset();
    dir_.reset();
  }
  static fs::path path(const std::string& name) { return *dir_ / name; }

  // The oracle writes NaN as the _FillValue, which netCDF-C returns as is.
  static std::vector<float> read_oracle_nc(const fs::path& file, const char* var) {
    int nc = -1, id = -1, ndims = 0;
    EXPECT_EQ(nc_open(file.c_str(), NC_NOWRITE, &nc), NC_NOERR) << file;
    EXPECT_EQ(nc_inq_varid(nc, var, &id), NC_NOERR) << var;
    nc_inq_varndims(nc, id, &ndims);
    std::vector<int> dims(ndims);
    nc_inq_vardimid(nc, id, dims.data());
    std::size_t total = 1;
    for (int d : dims) {
      std::size_t len = 0;
      nc_inq_dimlen(nc, d, &len);
      total *= len;
    }
    std::vector<float> v(total);
    EXPECT_EQ(nc_get_var_float(nc, id, v.data()), NC_NOERR);
    nc_close(nc);
    constexpr float kFill = 9.969209968386869e36f;
    for (float& x : v)
      if (x == kFill) x = kNaN;
    return v;
  }

  // One compact float32 field level -> tile order.
  static std::vector<float> tiles_of(const std::vector<float>& compact, int k) {
    llc::Layout L{90};
    std::vector<float> tiles(L.points());
    llc::compact_to_tiles(L, compact.data() + k * L.points(), tiles.data());
    return tiles;
  }

  static inline std::unique_ptr<test::TempDir> dir_;
  static inline fs::path grid_dir_, ssh_;
  static inline std::string setup_error_;
  static inline std::unique_ptr<llc::Grid> grid_;
  static inline std::unique_ptr<Factors> ours_;
};

TEST_F(RegridOracle, CountsMatchEveryLevel) {
  GRANARY_REQUIRE_REAL_DATA(data);
  GRANARY_REQUIRE_ORACLE(py);
  ASSERT_EQ(setup_error_, "");
  std::ifstream csv(path("factors") / "counts.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("k,wet,ocean,nnz,in_r_1,in_r_2,in_r_3plus,fallback,max_in_r,", 0), 0u) << line;
  auto all = ours_->all_stats();
  int levels = 0;
  while (std::getline(csv, line)) {
    std::vector<long> v;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',') && v.size() < 9;) v.push_back(std::stol(cell));
    ASSERT_EQ(v.size(), 9u) << line;
    const int k = static_cast<int>(v[0]);
    auto oracle = stats_of(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    EXPECT_EQ(describe(ours_->stats(k)), describe(oracle)) << "level " << k;
    EXPECT_EQ(describe(all[k]), describe(oracle)) << "level " << k;
    ++levels;
  }
  EXPECT_EQ(levels, 50);
}

TEST_F(RegridOracle, SshIsBitIdentical) {
  GRANARY_REQUIRE_REAL_DATA(data);
  GRANARY_REQUIRE_ORACLE(py);
  ASSERT_EQ(setup_error_, "");
  auto d = mds::describe(ssh_.string(), mds::Shape{105300, std::nullopt, mds::Precision::Float32});
  auto ours = apply(*ours_, 0, tiles_of(mds::read_levels<float>(d, 0, 1), 0));
  auto oracle = read_oracle_nc(path("ssh.nc"), "SSH");
  expect_same_bits(oracle, ours, "SSH");
  auto mask = ours_->ocean_mask(0);
  EXPECT_EQ(std::count(mask.begin(), mask.end(), 1), 169137);
  for (std::size_t t = 0; t < mask.size(); ++t) ASSERT_EQ(mask[t] == 1, !std::isnan(ours[t])) << t;
}

TEST_F(RegridOracle, Synthetic3dIsBitIdenticalAtEveryLevel) {
  GRANARY_REQUIRE_REAL_DATA(data);
  GRANARY_REQUIRE_ORACLE(py);
  ASSERT_EQ(setup_error_, "");
  auto d = mds::describe(path("THETA.data").string(), std::nullopt);
  ASSERT_EQ(d.levels, 50);
  auto compact = mds::read_levels<float>(d, 0, 50);
  auto oracle = read_oracle_nc(path("theta.nc"), "THETA");
  const std::size_t cells = ours_->target().size();
  ASSERT_EQ(oracle.size(), 50 * cells);
  for (int k = 0; k < 50; ++k) {
    std::vector<float> expected(oracle.begin() + k * cells, oracle.begin() + (k + 1) * cells);
    expect_same_bits(expected, apply(*ours_, k, tiles_of(compact, k)), fmt::format("THETA level {}", k));
  }
}

}  // namespace
}  // namespace granary
