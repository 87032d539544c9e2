// Polygon / polyline / box coverage on HEALPix: no point of a footprint may fall in a cell
// the coverage leaves out, and the answer must stay close to the cells actually touched.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <set>
#include <sstream>

#include "grids/healpix/coverage.hpp"
#include "grids/healpix/morton.hpp"
#include "grids/llc/sphere.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

using healpix::LatLon;
using llc::sphere::Vec3;
namespace sph = llc::sphere;
using sph::operator+;
using sph::operator-;
using sph::operator*;
constexpr double kEarthKm = 6371.0;

bool contains(const std::vector<std::int64_t>& sorted, std::int64_t m) {
  return std::binary_search(sorted.begin(), sorted.end(), m);
}

LatLon to_latlon(const Vec3& v) {
  auto p = sph::to_lonlat(v);
  return {p.lat, p.lon};
}

// The point `distance_km` from p towards unit tangent direction t (great circle).
Vec3 walk(const Vec3& p, const Vec3& t, double distance_km) {
  const double a = distance_km / kEarthKm;
  return sph::normalized(std::cos(a) * p + std::sin(a) * t);
}

// A curved strip: a centreline of vertices every ~step km whose heading drifts, and the
// two sides `width_km` apart. The ring runs up the left side and back down the right.
struct Strip {
  std::vector<Vec3> centre, left_dir;  // centreline and the unit "left" tangent there
  double width_km = 0;
  std::vector<LatLon> ring() const {
    std::vector<LatLon> r;
    for (std::size_t i = 0; i < centre.size(); ++i) r.push_back(to_latlon(walk(centre[i], left_dir[i], width_km / 2)));
    for (std::size_t i = centre.size(); i-- > 0;) r.push_back(to_latlon(walk(centre[i], left_dir[i], -width_km / 2)));
    r.push_back(r.front());  // closed, as CMR writes them
    return r;
  }
  // A random point strictly inside (cross-track within 98 % of the half width).
  LatLon random_point(std::mt19937_64& rng) const {
    std::uniform_int_distribution<std::size_t> seg(0, centre.size() - 2);
    std::uniform_real_distribution<double> u01(0, 1), across(-0.49, 0.49);
    const std::size_t i = seg(rng);
    const double f = u01(rng);
    const Vec3 c = sph::normalized((1 - f) * centre[i] + f * centre[i + 1]);
    const Vec3 l = sph::normalized((1 - f) * left_dir[i] + f * left_dir[i + 1]);
    const Vec3 l_perp = sph::normalized(l - sph::dot(l, c) * c);
    return to_latlon(walk(c, l_perp, across(rng) * width_km));
  }
};

Strip random_strip(std::mt19937_64& rng, double lat0, double lon0) {
  std::uniform_real_distribution<double> heading(0, 2 * std::numbers::pi), length(500, 3000), width(2, 8),
      drift(-0.02, 0.02);
  Strip s;
  s.width_km = width(rng);
  Vec3 p = sph::to_xyz(lon0, lat0);
  const double h = heading(rng);
  Vec3 t = std::cos(h) * sph::east_at(lon0) + std::sin(h) * sph::north_at(lon0, lat0);
  const double step = 40.0, total = length(rng);
  for (double d = 0; d <= total; d += step) {
    s.centre.push_back(p);
    s.left_dir.push_back(sph::cross(p, t));
    const Vec3 next = walk(p, t, step);
    // Carry the heading along the great circle, then let it drift (ground tracks curve).
    t = sph::normalized(sph::cross(sph::cross(p, t), next));
    const double a = drift(rng);
    t = sph::normalized(std::cos(a) * t + std::sin(a) * sph::cross(next, t));
    p = next;
  }
  return s;
}

std::set<std::int64_t> cells_of_points(const std::vector<LatLon>& pts, int order) {
  std::set<std::int64_t> out;
  for (const auto& p : pts) out.insert(healpix::geo_to_morton(p.lat, p.lon, order));
  return out;
}

TEST(HealpixCoverage, NeighboursAreSymmetricSevenOrEight) {
  for (int order : {1, 3}) {
    const std::int64_t npix = 12LL << (2 * order);
    int seven = 0;
    std::vector<std::vector<std::int64_t>> all(npix);
    for (std::int64_t p = 0; p < npix; ++p) {
      all[p] = healpix::neighbours(p, order);
      ASSERT_TRUE(all[p].size() == 7 || all[p].size() == 8) << "order " << order << " cell " << p;
      seven += all[p].size() == 7;
    }
    // The 8 vertices where only three base faces meet leave 24 cells with 7 neighbours.
    EXPECT_EQ(seven, 24) << "order " << order;
    for (std::int64_t p = 0; p < npix; ++p)
      for (std::int64_t n : all[p]) EXPECT_TRUE(contains(all[n], p)) << p << " <-> " << n << " at order " << order;
  }
}

TEST(HealpixCoverage, NeighboursMatchHealpy) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 not available";
  test::TempDir tmp;
  std::mt19937_64 rng(7);
  std::vector<std::pair<int, std::int64_t>> cells;
  for (std::int64_t p = 0; p < 48; ++p) cells.push_back({1, p});
  for (int order : {2, 6, 12, 18}) {
    std::uniform_int_distribution<std::int64_t> pick(0, (12LL << (2 * order)) - 1);
    for (int i = 0; i < 400; ++i) cells.push_back({order, pick(rng)});
  }
  {
    std::ofstream f(tmp / "cells.txt");
    for (auto [o, p] : cells) f << o << ' ' << p << '\n';
  }
  const std::string script =
      "import sys, collections, healpy, numpy\n"
      "cells = [tuple(map(int, line.split())) for line in open(sys.argv[1])]\n"
      "by_order = collections.defaultdict(list)\n"
      "for o, p in cells: by_order[o].append(p)\n"
      "nb = {o: healpy.get_all_neighbours(1 << o, numpy.array(ps), nest=True) for o, ps in by_order.items()}\n"
      "seen = collections.Counter()\n"
      "for o, p in cells:\n"
      "    col = nb[o][:, seen[o]]; seen[o] += 1\n"
      "    print(' '.join(str(x) for x in sorted(int(x) for x in col if x >= 0)))\n";
  { std::ofstream(tmp / "nb.py") << script; }
  auto r = test::run_command("/usr/bin/python3 " + (tmp / "nb.py").string() + " " + (tmp / "cells.txt").string());
  if (r.exit_code != 0 && r.err.find("No module named") != std::string::npos)
    GTEST_SKIP() << "/usr/bin/python3 with healpy and numpy not available: " << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  for (auto [order, p] : cells) {
    ASSERT_TRUE(std::getline(lines, line));
    std::istringstream in(line);
    std::vector<std::int64_t> expected;
    for (std::int64_t x; in >> x;) expected.push_back(x);
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    EXPECT_EQ(healpix::neighbours(p, order), expected) << "order " << order << " cell " << p;
  }
}

TEST(HealpixCoverage, ThinStripsMissNoCell) {
  std::mt19937_64 rng(20240816);
  std::uniform_real_distribution<double> lat(-88, 88), lon(-180, 180);
  std::vector<std::pair<double, double>> starts = {{-85, 10}, {84, -120}, {10, 179.8}, {-60, -179.9}};
  for (int i = 0; i < 20; ++i) starts.push_back({lat(rng), lon(rng)});
  int index = 0;
  for (auto [lat0, lon0] : starts) {
    const int order = std::array{6, 3, 6, 9}[index++ % 4];
    SCOPED_TRACE("order " + std::to_string(order));
    const Strip strip = random_strip(rng, lat0, lon0);
    const auto ring = strip.ring();
    const auto cells = healpix::polygon_cells(ring, order);
    ASSERT_TRUE(std::is_sorted(cells.begin(), cells.end()));
    std::vector<LatLon> inside;
    for (int k = 0; k < 4000; ++k) inside.push_back(strip.random_point(rng));
    for (const auto& p : inside)
      ASSERT_TRUE(contains(cells, healpix::geo_to_morton(p.lat, p.lon, order)))
          << "point (" << p.lat << ", " << p.lon << ") of the strip from (" << lat0 << ", " << lon0 << ") is missed";
    // Not much larger: only cells within ~1/8 of a cell of the strip are added (a strip
    // a few km wide through ~100 km cells gains ~30 %).
    const auto touched = cells_of_points(inside, order);
    EXPECT_LE(double(cells.size()), 1.6 * double(touched.size()) + 2)
        << "strip from (" << lat0 << ", " << lon0 << "): " << cells.size() << " cells for " << touched.size()
        << " touched";
  }
}

TEST(HealpixCoverage, PolygonAroundSouthPole) {
  // A wiggly ring between -73 and -67 degrees, in both orientations.
  std::vector<LatLon> ring;
  for (int i = 0; i < 36; ++i) ring.push_back({-70.0 + 3.0 * std::sin(i * 0.9), -180.0 + 10.0 * i});
  std::vector<LatLon> reversed(ring.rbegin(), ring.rend());
  const int order = 6;
  const auto cells = healpix::polygon_cells(ring, order);
  EXPECT_EQ(cells, healpix::polygon_cells(reversed, order));
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> z(-1.0, -std::sin(73.0 * std::numbers::pi / 180)), lon(-180, 180);
  for (int k = 0; k < 5000; ++k) {
    const double lat = std::asin(z(rng)) * 180 / std::numbers::pi;  // uniform on the cap below -73
    const double lo = lon(rng);
    ASSERT_TRUE(contains(cells, healpix::geo_to_morton(lat, lo, order))) << lat << ", " << lo;
  }
  ASSERT_TRUE(contains(cells, healpix::geo_to_morton(-90, 0, order)));
  // Nothing north of the ring's band; about the cap's area in cells.
  for (std::int64_t m : cells) {
    auto c = healpix::morton_to_nest(m);
    double clat, clon;
    healpix::nest2ang(c.nest, c.order, clat, clon);
    EXPECT_LT(clat, -63.0) << m;
  }
  const double cap_cells = (1 - std::sin(67.0 * std::numbers::pi / 180)) / 2 * (12 << (2 * order));
  EXPECT_LT(cells.size(), 1.3 * cap_cells);
}

TEST(HealpixCoverage, LinesAndAntimeridian) {
  const std::vector<LatLon> line = {{-60, 179.5}, {-60.4, -179.2}, {-61, -178.0}};
  const int order = 8;
  const auto cells = healpix::line_cells(line, order);
  // Points on the great-circle segments.
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const Vec3 a = sph::to_xyz(line[i].lon, line[i].lat), b = sph::to_xyz(line[i + 1].lon, line[i + 1].lat);
    for (int k = 0; k <= 2000; ++k) {
      const double f = k / 2000.0;
      const auto p = to_latlon(sph::normalized((1 - f) * a + f * b));
      ASSERT_TRUE(contains(cells, healpix::geo_to_morton(p.lat, p.lon, order))) << p.lat << ", " << p.lon;
    }
  }
  EXPECT_LT(cells.size(), 60u) << "a 200 km line must not wrap around the globe";
}

TEST(HealpixCoverage, RectangleAcrossAntimeridian) {
  const int order = 6;
  const auto cells = healpix::rectangle_cells(170, 60, -170, 62, order);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> lat(60, 62), lon(170, 190);
  for (int k = 0; k < 3000; ++k) {
    const double la = lat(rng), lo = lon(rng);
    ASSERT_TRUE(contains(cells, healpix::geo_to_morton(la, lo, order))) << la << ", " << lo;
  }
  EXPECT_LT(cells.size(), 120u);
  // A box that is a polar cap.
  const auto cap = healpix::rectangle_cells(-180, 80, 180, 90, order);
  EXPECT_TRUE(contains(cap, healpix::geo_to_morton(90, 0, order)));
  EXPECT_TRUE(contains(cap, healpix::geo_to_morton(80.2, 33, order)));
}

TEST(HealpixCoverage, RejectsWhatItCannotAnswer) {
  const std::vector<LatLon> two = {{0, 0}, {1, 1}, {0, 0}};
  EXPECT_THROW(healpix::polygon_cells(two, 6), Error);
  std::vector<LatLon> equator;
  for (int i = 0; i < 12; ++i) equator.push_back({0, 30.0 * i});
  EXPECT_THROW(healpix::polygon_cells(equator, 6), Error);
  const std::vector<LatLon> bad = {{95, 0}, {1, 1}, {2, 0}};
  EXPECT_THROW(healpix::polygon_cells(bad, 6), Error);
  EXPECT_THROW(healpix::polygon_cells(std::vector<LatLon>{{0, 0}, {0, 1}, {1, 0}}, 19), Error);
}

}  // namespace
}  // namespace granary
