#include "recipes/ecco/synth_grid.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <numbers>

#include <fmt/format.h>

#include "grids/llc/connectivity.hpp"
#include "grids/llc/mitgrid.hpp"
#include "util/endian.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco::synth {
namespace fs = std::filesystem;
using namespace llc::sphere;

namespace {

constexpr double kSouth = -80.0;       // southern edge of the lat-lon quadrants
constexpr double kLatLonNorth = 57.0;  // where the quadrants stop being lat-lon
constexpr double kCapCorner = 67.0;    // latitude of the cap's corners
constexpr double kWest0 = -38.0;       // western edge of face 1

double mercator(double lat_deg) { return std::log(std::tan(std::numbers::pi / 4 + rad(lat_deg) / 2)); }
double from_mercator(double y) { return deg(2 * std::atan(std::exp(y)) - std::numbers::pi / 2); }
double wrap_lon(double lon) {
  lon = std::fmod(lon + 180.0, 360.0);
  return (lon < 0 ? lon + 360.0 : lon) - 180.0;
}
double stereo_radius(double lat_deg) { return std::tan(rad(90.0 - lat_deg) / 2); }

// Vec3 arithmetic next to the plane-vector arithmetic below (same scope, one overload set).
using llc::sphere::operator+;
using llc::sphere::operator-;
using llc::sphere::operator*;

struct P2 {
  double x = 0, y = 0;
};
P2 operator+(P2 a, P2 b) { return {a.x + b.x, a.y + b.y}; }
P2 operator-(P2 a, P2 b) { return {a.x - b.x, a.y - b.y}; }
P2 operator*(double s, P2 a) { return {s * a.x, s * a.y}; }
double length(P2 a) { return std::hypot(a.x, a.y); }
P2 unit_at_azimuth(double deg_) { return {std::cos(rad(deg_)), std::sin(rad(deg_))}; }

// North polar stereographic plane (radius tan(colatitude / 2)) to the unit sphere.
Vec3 from_stereo(P2 p) {
  const double r = length(p);
  if (r == 0) return {0, 0, 1};
  const double colat = 2 * std::atan(r);
  const double s = std::sin(colat) / r;
  return {s * p.x, s * p.y, std::cos(colat)};
}

// The cap's axes in the stereographic plane: its south side faces longitude 97 (the middle
// of face 2), x runs with increasing longitude along it.
const P2 kCapX = unit_at_azimuth(187.0), kCapY = unit_at_azimuth(277.0);
// Inward normal of the cap side each quadrant meets: face 1 -> west side, face 2 -> south,
// face 4 -> east, face 5 -> north.
const P2 kInward[4] = {kCapX, kCapY, -1.0 * kCapX, -1.0 * kCapY};

}  // namespace

Geometry::Geometry(int nx) : nx_(nx) {
  if (nx < 4) fail("synthetic LLC grid: nx = {} is too small (at least 4)", nx);
  transition_rows_ = std::max(2, static_cast<int>(std::lround(nx / 3.0)));
  mercator_south_ = mercator(kSouth);
  mercator_57_ = mercator(kLatLonNorth);
  half_side_ = stereo_radius(kCapCorner) / std::numbers::sqrt2;
}

Geometry::Stereo Geometry::cap(double x, double y) const {
  const P2 p = half_side_ * ((2 * x / nx_ - 1) * kCapX + (2 * y / nx_ - 1) * kCapY);
  return {p.x, p.y};
}

// Quadrant q (face 1, 2, 4, 5), column c eastward in [0, nx], row s northward in [0, 3nx].
Vec3 Geometry::quadrant(int q, double c, double s) const {
  const double lon = wrap_lon(kWest0 + 90.0 * q + 90.0 * c / nx_);
  const int s57 = 3 * nx_ - transition_rows_;
  if (s <= s57) return to_xyz(lon, from_mercator(mercator_south_ + (mercator_57_ - mercator_south_) * s / s57));
  // Column curve from the 57 N circle (leaving it northward) to the cap side (entering it
  // square-on; near the cap corners the entry direction turns to the corner's bisector, so
  // that the columns shared by neighbouring quadrants agree).
  const P2 a = stereo_radius(kLatLonNorth) * unit_at_azimuth(lon);
  const Stereo bs = q == 0 ? cap(0, nx_ - c) : q == 1 ? cap(c, 0) : q == 2 ? cap(nx_, c) : cap(nx_ - c, nx_);
  const P2 b{bs.x, bs.y};
  const P2 ta = (-1.0 / length(a)) * a;
  const double u = 2 * c / nx_ - 1;
  const P2 end_normal = u < 0 ? kInward[q] + kInward[(q + 3) % 4] : kInward[q] + kInward[(q + 1) % 4];
  const double w = u * u * u * u;
  P2 tb = (1 - w) * kInward[q] + w * ((1.0 / length(end_normal)) * end_normal);
  tb = (1.0 / length(tb)) * tb;
  const double tau = (s - s57) / transition_rows_, l = length(b - a);
  const double h00 = 2 * tau * tau * tau - 3 * tau * tau + 1, h10 = tau * tau * tau - 2 * tau * tau + tau;
  const double h01 = -2 * tau * tau * tau + 3 * tau * tau, h11 = tau * tau * tau - tau * tau;
  return from_stereo(h00 * a + (h10 * l) * ta + h01 * b + (h11 * l) * tb);
}

Vec3 Geometry::point(int face, double x, double y) const {
  switch (face) {
    case 1:
    case 2: return quadrant(face - 1, x, y);
    case 3: {
      const Stereo p = cap(x, y);
      return from_stereo({p.x, p.y});
    }
    case 4:
    case 5: return quadrant(face - 2, y, 3.0 * nx_ - x);  // x runs south, y east
  }
  fail("synthetic LLC grid: face {} does not exist", face);
}

LonLat Geometry::lonlat(int face, double x, double y) const {
  LonLat ll = to_lonlat(point(face, x, y));
  ll.lon = wrap_lon(ll.lon);
  return ll;
}

VerticalGrid vertical_grid(int levels) {
  if (levels < 1) fail("synthetic LLC grid: {} levels (need at least 1)", levels);
  constexpr double kTop = 10.0, kColumn = 6000.0;
  // Layer thicknesses kTop * r^k, scaled to sum to kColumn exactly; uniform when there are
  // too few or too many levels for a 10 m top layer.
  auto total = [&](double r) {
    double sum = 0, d = kTop;
    for (int k = 0; k < levels; ++k) sum += d, d *= r;
    return sum;
  };
  std::vector<double> drf(levels, kColumn / levels);
  if (levels > 1 && levels * kTop < kColumn) {
    double lo = 1.0, hi = 2.0;
    while (total(hi) < kColumn) hi *= 2;
    for (int it = 0; it < 100; ++it) {
      const double mid = 0.5 * (lo + hi);
      (total(mid) < kColumn ? lo : hi) = mid;
    }
    const double scale = kColumn / total(hi);
    double d = kTop;
    for (int k = 0; k < levels; ++k) drf[k] = d * scale, d *= hi;
  }
  VerticalGrid v;
  v.drf = drf;
  v.rf.push_back(0.0);
  for (int k = 0; k < levels; ++k) {
    v.rc.push_back(v.rf.back() - drf[k] / 2);
    v.rf.push_back(v.rf.back() - drf[k]);
  }
  for (int k = 0; k < levels; ++k) v.drc.push_back(k == 0 ? -v.rc[0] : v.rc[k - 1] - v.rc[k]);
  return v;
}

// ---------------------------------------------------------------------------- land
namespace {

struct LL {
  double lon, lat;
};
// Coarse outlines (longitude, latitude), enough to recognise the continents on a map.
const std::vector<std::vector<LL>>& continents() {
  static const std::vector<std::vector<LL>> shapes = {
      // North America (Hudson Bay as a notch)
      {{-168, 66}, {-162, 70}, {-156, 71.5}, {-140, 70}, {-128, 70.5}, {-115, 68}, {-95, 68}, {-90, 69},
       {-82, 69}, {-82, 63}, {-94, 59}, {-94, 56}, {-82, 55}, {-79, 52}, {-78, 59}, {-70, 61}, {-64, 60},
       {-56, 53}, {-60, 47}, {-66, 44}, {-70, 42}, {-74, 40}, {-76, 35}, {-81, 31}, {-80, 26}, {-82, 26},
       {-84, 30}, {-90, 29.5}, {-97, 28}, {-97, 22}, {-95, 19}, {-91, 19}, {-87, 21}, {-88, 16}, {-84, 15},
       {-83, 10}, {-79, 9}, {-77, 8}, {-80, 7}, {-84, 9}, {-86, 12}, {-92, 14}, {-97, 16}, {-105, 20},
       {-110, 24}, {-112, 29}, {-115, 31}, {-117, 33}, {-121, 35}, {-124, 40}, {-124, 47}, {-128, 51},
       {-134, 57}, {-140, 60}, {-148, 61}, {-152, 59}, {-158, 57}, {-164, 55}, {-158, 59}, {-162, 60},
       {-165, 62}, {-165, 65}},
      // Canadian Arctic Archipelago
      {{-122, 71}, {-95, 70}, {-80, 73}, {-65, 77}, {-75, 82}, {-90, 81}, {-110, 78}, {-122, 75}},
      // Greenland
      {{-73, 78}, {-66, 81}, {-45, 83}, {-22, 82}, {-18, 77}, {-22, 70}, {-32, 68}, {-42, 60}, {-50, 62},
       {-54, 68}, {-58, 75}, {-68, 77}},
      // Iceland
      {{-24, 65.5}, {-14, 66.5}, {-13.5, 65}, {-18, 63.4}, {-22.5, 63.8}},
      // South America
      {{-80, 8}, {-77, 9}, {-72, 12}, {-64, 10.5}, {-60, 8}, {-52, 4}, {-50, 0}, {-44, -2}, {-35, -5},
       {-37, -12}, {-39, -18}, {-42, -23}, {-48, -26}, {-53, -33}, {-58, -38}, {-62, -39}, {-65, -42},
       {-66, -47}, {-69, -51}, {-68, -55}, {-72, -54}, {-75, -50}, {-74, -42}, {-73, -36}, {-71, -30},
       {-70, -20}, {-76, -14}, {-80, -7}, {-81, -3}, {-80, 1}, {-78, 3}},
      // Africa
      {{-17, 15}, {-17, 21}, {-13, 27}, {-10, 30}, {-6, 35.5}, {0, 36}, {10, 37}, {11, 33}, {20, 31}, {25, 32},
       {32, 31}, {35, 28}, {39, 19}, {43, 12}, {51, 12}, {51, 10}, {46, 2}, {40, -3}, {40, -10}, {40, -15},
       {35, -20}, {35, -24}, {33, -28}, {28, -33}, {20, -35}, {18, -32}, {15, -27}, {12, -17}, {13, -10},
       {12, -5}, {9, -1}, {9, 4}, {5, 6}, {-2, 5}, {-8, 4.5}, {-12, 7}, {-15, 11}},
      // Madagascar
      {{44, -25}, {47, -25}, {50, -15}, {49.5, -12}, {44, -16}},
      // Eurasia
      {{-9, 37},    {-9, 43},    {-2, 43.5},  {-4, 48},    {2, 51},     {8, 54},     {8, 57},     {5, 59},
       {5, 62},     {12, 66},    {18, 70},    {28, 71},    {40, 67},    {44, 68},    {60, 69},    {70, 73},
       {80, 73},    {100, 77},   {112, 74},   {130, 71},   {140, 72},   {160, 70},   {179.9, 69}, {179.9, 65},
       {170, 60},   {163, 58},   {162, 54},   {157, 51},   {155, 57},   {150, 59.5}, {140, 59},   {136, 54},
       {140, 48},   {135, 43},   {129, 41},   {129, 35},   {126, 35},   {126, 38},   {122, 40},   {118, 39},
       {122, 36},   {120, 31},   {122, 29},   {119, 25},   {114, 22},   {108, 21},   {106, 18},   {109, 12},
       {105, 9},    {103, 11},   {101, 13},   {99, 9},     {101, 6},    {104, 1.3},  {101, 3},    {98, 8},
       {98, 16},    {94, 17},    {92, 22},    {88, 22},    {85, 20},    {80, 15},    {80, 10},    {77, 8},
       {73, 17},    {72, 21},    {68, 23},    {62, 25},    {57, 25.5},  {56, 27},    {50, 30},    {48, 29.5},
       {50, 26},    {51, 24},    {56, 26},    {58, 23},    {59, 22},    {52, 16},    {44, 12.5},  {43, 15},
       {39, 21},    {35, 28},    {34, 31},    {35.5, 34},  {36, 36.5},  {30, 36.5},  {27, 37},    {26, 40},
       {23, 40},    {24, 38},    {21, 37},    {20, 40},    {16, 41},    {18, 40},    {15, 38},    {12, 42},
       {10, 44},    {6, 43},     {3, 43},     {0, 39},     {-2, 37},    {-6, 36}},
      // Britain and Ireland
      {{-6, 50}, {1.5, 51}, {1.7, 53}, {-0.5, 54}, {-2, 56}, {-1.8, 57.7}, {-5, 58.6}, {-6.3, 56.5}, {-5, 55},
       {-6, 54}, {-10, 54}, {-10, 51.5}, {-6, 52}, {-5, 50.5}},
      // Japan
      {{130, 31}, {132, 34}, {136, 34}, {140, 35}, {141, 38}, {142, 41}, {145, 43.5}, {142, 45.5}, {139.5, 42},
       {140, 40}, {137, 37}, {133, 35.5}, {129.5, 33.5}},
      // Borneo, Sumatra, New Guinea
      {{109, 1}, {111, 2}, {117, 7}, {119, 5}, {118, 1}, {116, -4}, {110, -3}},
      {{95, 5.5}, {98, 4}, {104, -2}, {106, -6}, {102, -4}, {98, 0}},
      {{131, -1}, {135, -3}, {141, -2.5}, {146, -5}, {150, -10}, {145, -8}, {141, -9}, {138, -8}, {135, -4.5}},
      // Australia
      {{114, -22}, {114, -26}, {115, -34}, {118, -35}, {124, -34}, {129, -31.5}, {133, -32}, {138, -35},
       {141, -38}, {146, -39}, {150, -37}, {153, -32}, {153, -25}, {149, -21}, {146, -19}, {145, -15},
       {142, -11}, {141, -17}, {136, -15}, {137, -12}, {132, -11}, {129, -15}, {125, -14}, {122, -18}},
      // New Zealand
      {{172.7, -34.5}, {178.5, -37.7}, {176, -41.5}, {174, -41.5}, {171, -44}, {167, -46.3}, {168.5, -44},
       {172, -41}},
      // Antarctic Peninsula
      {{-57, -63}, {-62, -64.5}, {-68, -68}, {-75, -71}, {-60, -74}},
  };
  return shapes;
}

// Antarctica's coast (ice-shelf fronts included, as ECCO has no cavities) as the latitude
// where each meridian first meets it coming from the pole, every 5 degrees from 180W; read
// off GSHHG's low-resolution shoreline.
constexpr double kAntarcticCoast[72] = {
    -77.9, -78.4, -78.5, -78.6, -78.1, -77.1, -76.6, -75.4, -75.3, -74.6, -74.4, -73.6,
    -73.8, -74.0, -74.7, -75.0, -71.9, -72.3, -72.5, -73.5, -73.0, -72.9, -69.3, -65.9,
    -75.2, -76.2, -77.5, -78.0, -78.1, -77.8, -76.6, -74.9, -73.1, -72.1, -70.9, -70.4,
    -69.6, -70.1, -70.0, -69.6, -69.7, -70.1, -69.2, -69.1, -68.8, -67.7, -67.1, -65.9,
    -67.4, -67.7, -68.4, -69.6, -68.0, -66.7, -66.8, -66.2, -65.7, -66.2, -66.6, -66.5,
    -66.9, -66.7, -66.3, -66.1, -66.7, -67.2, -68.4, -68.7, -69.6, -78.0, -77.5, -77.6,
};

double antarctic_coast_lat(double lon) {
  const double f = (wrap_lon(lon) + 180.0) / 5.0;
  const int k = static_cast<int>(std::floor(f)) % 72;
  const double t = f - std::floor(f);
  return (1 - t) * kAntarcticCoast[k] + t * kAntarcticCoast[(k + 1) % 72];
}

bool inside(const std::vector<LL>& poly, double lon, double lat) {
  bool in = false;
  for (std::size_t a = 0, b = poly.size() - 1; a < poly.size(); b = a++) {
    const LL& p = poly[a];
    const LL& q = poly[b];
    if ((p.lat > lat) != (q.lat > lat) && lon < (q.lon - p.lon) * (lat - p.lat) / (q.lat - p.lat) + p.lon) in = !in;
  }
  return in;
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

// Open-ocean depth (m): abyssal plains with a mid-Atlantic ridge, an East Pacific rise and a
// western Pacific trench.
double open_ocean_depth(double lon, double lat) {
  const double atlantic_ridge = -30.0 + 12.0 * std::sin(rad(2.2 * lat));
  const double pacific_rise = -110.0 + 10.0 * std::sin(rad(lat));
  auto near = [](double lon_, double at, double width) {
    const double d = wrap_lon(lon_ - at);
    return std::exp(-(d / width) * (d / width));
  };
  double depth = 4800.0 + 500.0 * std::sin(rad(2 * lon)) * std::cos(rad(2 * lat));
  depth -= 2000.0 * near(lon, atlantic_ridge, 7.0) * (lat > -58 && lat < 66 ? 1.0 : 0.3);
  depth -= 1500.0 * near(lon, pacific_rise, 9.0) * (lat > -55 && lat < 25 ? 1.0 : 0.3);
  depth += 1200.0 * near(lon, 145.0, 3.0) * std::exp(-((lat - 20) / 15) * ((lat - 20) / 15));
  return std::min(depth, 5750.0);
}

}  // namespace

bool is_land(double lon, double lat) {
  lon = wrap_lon(lon);
  if (lat < antarctic_coast_lat(lon)) return true;
  for (const auto& shape : continents())
    if (inside(shape, lon, lat)) return true;
  return false;
}

std::vector<double> bathymetry(const llc::Layout& L, const std::vector<double>& xc, const std::vector<double>& yc,
                               const VerticalGrid& vertical) {
  const std::size_t n = L.points();
  // Cell steps to the nearest land cell (breadth-first through the tile connectivity).
  constexpr int kFar = 1 << 30;
  std::vector<int> steps(n, kFar);
  std::deque<std::size_t> queue;
  for (std::size_t p = 0; p < n; ++p)
    if (is_land(xc[p], yc[p])) steps[p] = 0, queue.push_back(p);
  const llc::Side sides[4] = {llc::Side::W, llc::Side::E, llc::Side::S, llc::Side::N};
  std::vector<std::vector<std::int64_t>> adjacent;
  for (auto s : sides) adjacent.push_back(llc::adjacent_cells(L, s));
  while (!queue.empty()) {
    const std::size_t p = queue.front();
    queue.pop_front();
    for (const auto& across : adjacent) {
      const std::int64_t q = across[p];
      if (q >= 0 && steps[q] == kFar) steps[q] = steps[p] + 1, queue.push_back(static_cast<std::size_t>(q));
    }
  }
  const double step_km = 10000.0 / L.nx;  // 90 degrees of arc per tile
  const auto& rf = vertical.rf;
  const auto& drf = vertical.drf;
  std::vector<double> depth(n, 0.0);
  for (std::size_t p = 0; p < n; ++p) {
    if (steps[p] == 0) continue;
    // Cells next to land are shelves of 5-400 m, the slope reaches the abyss in ~800 km.
    const double f = 0.5 + 0.5 * std::sin(rad(3 * xc[p])) * std::cos(rad(2 * yc[p]));
    const double shelf = 5.0 + 395.0 * f * f;
    const double from_shelf_km = (steps[p] - 1) * step_km;
    double d = shelf + (open_ocean_depth(xc[p], yc[p]) - shelf) * smoothstep(from_shelf_km / 800.0);
    d = std::min(d, -rf.back());
    // MITgcm's partial bottom cells with hFacMin = 0.2: thinner ones round to 0 or 0.2.
    for (std::size_t k = 0; k < drf.size(); ++k) {
      const double frac = (d + rf[k]) / drf[k];
      if (frac > 0 && frac < 0.2) d = -rf[k] + (frac < 0.1 ? 0.0 : 0.2 * drf[k]);
    }
    depth[p] = d;
  }
  return depth;
}

// ---------------------------------------------------------------------------- MDS output
std::string mds_meta_text(const MdsRecord& r) {
  std::vector<std::string> dims;
  for (auto d : r.dims) dims.push_back(fmt::format("{:6d},    1,{:5d}", d, d));
  std::string text = fmt::format(" nDims = [ {:3d} ];\n dimList = [\n{}\n ];\n", dims.size(), fmt::join(dims, ",\n"));
  text += fmt::format(" dataprec = [ '{}' ];\n nrecords = [     1 ];\n",
                      r.precision == mds::Precision::Float32 ? "float32" : "float64");
  if (r.time_step) text += fmt::format(" timeStepNumber = [ {:10d} ];\n", *r.time_step);
  if (r.time_interval)
    text += fmt::format(" timeInterval = [ {:19.12E} {:19.12E} ];\n", (*r.time_interval)[0], (*r.time_interval)[1]);
  if (!r.field.empty())
    text += fmt::format(" missingValue = [ -9.99000000000000E+02 ];\n nFlds = [    1 ];\n fldList = {{\n '{:<8s}'\n }};\n",
                        r.field);
  return text;
}

void write_mds(const std::string& base, const MdsRecord& r, const std::vector<double>& values) {
  std::int64_t expected = 1;
  for (auto d : r.dims) expected *= d;
  if (static_cast<std::int64_t>(values.size()) != expected)
    fail("{}.data: {} values for a record of {} ({})", base, values.size(), expected, fmt::join(r.dims, "x"));
  const std::size_t width = mds::bytes_of(r.precision);
  std::vector<std::byte> bytes(values.size() * width);
  for (std::size_t p = 0; p < values.size(); ++p) {
    if (width == 4) store_be<float>(bytes.data() + 4 * p, static_cast<float>(values[p]));
    else store_be<double>(bytes.data() + 8 * p, values[p]);
  }
  files::write_atomic(base + ".data", bytes);
  files::write_atomic(base + ".meta", mds_meta_text(r));
}

// ---------------------------------------------------------------------------- grid files
namespace {

class GridWriter {
 public:
  GridWriter(const std::string& dir, int nx, int levels)
      : dir_(dir), geo_(nx), L_{nx}, vertical_(vertical_grid(levels)) {}

  void write() {
    fs::create_directories(dir_);
    tile_fields();
    write_2d("XC", xc_);
    write_2d("YC", yc_);
    write_2d("XG", xg_);
    write_2d("YG", yg_);
    write_2d("DXG", dxg_);
    write_2d("DYG", dyg_);
    write_2d("DXC", dxc_);
    write_2d("DYC", dyc_);
    write_2d("RAC", rac_);
    write_2d("AngleCS", cs_);
    write_2d("AngleSN", sn_);
    write_2d("Depth", bathymetry(L_, xc_, yc_, vertical_));
    write_1d("RC", vertical_.rc);
    write_1d("RF", vertical_.rf);
    write_1d("DRC", vertical_.drc);
    write_1d("DRF", vertical_.drf);
    for (int f = 1; f <= 5; ++f) write_face(f);
  }

 private:
  Vec3 at(int face, double x, double y) const { return geo_.point(face, x, y); }
  double distance(const Vec3& a, const Vec3& b) const { return kEarthRadius * angle(a, b); }
  double quad_area(const Vec3& sw, const Vec3& se, const Vec3& ne, const Vec3& nw) const {
    return kEarthRadius * kEarthRadius * (triangle_area(sw, se, ne) + triangle_area(sw, ne, nw));
  }
  // Face coordinates of tile cell (t, j, i): its south-west corner.
  llc::TileInFace face_of(int t) const { return llc::tile_in_face(t, L_.nx); }
  Vec3 centre_of(std::size_t p) const { return to_xyz(xc_[p], yc_[p]); }

  void tile_fields() {
    const std::size_t n = L_.points();
    for (auto* v : {&xc_, &yc_, &xg_, &yg_, &dxg_, &dyg_, &dxc_, &dyc_, &rac_, &cs_, &sn_}) v->assign(n, 0.0);
    for (int t = 0; t < llc::kTiles; ++t) {
      const auto f = face_of(t);
      for (int j = 0; j < L_.nx; ++j)
        for (int i = 0; i < L_.nx; ++i) {
          const std::size_t p = L_.index(t, j, i);
          const double x = f.x0 + i, y = f.y0 + j;
          const LonLat c = geo_.lonlat(f.face, x + 0.5, y + 0.5), g = geo_.lonlat(f.face, x, y);
          xc_[p] = c.lon, yc_[p] = c.lat, xg_[p] = g.lon, yg_[p] = g.lat;
          const Vec3 sw = at(f.face, x, y), se = at(f.face, x + 1, y), ne = at(f.face, x + 1, y + 1),
                     nw = at(f.face, x, y + 1);
          dxg_[p] = distance(sw, se);
          dyg_[p] = distance(sw, nw);
          rac_[p] = quad_area(sw, se, ne, nw);
          // x axis: west face centre to east face centre, against local east/north.
          const Vec3 dx = at(f.face, x + 1, y + 0.5) - at(f.face, x, y + 0.5);
          const double e = dot(dx, east_at(c.lon)), nn = dot(dx, north_at(c.lon, c.lat)), h = std::hypot(e, nn);
          cs_[p] = e / h, sn_[p] = nn / h;
        }
    }
    // Centre-to-centre distances across the west and south faces, through tile edges.
    for (int t = 0; t < llc::kTiles; ++t) {
      const auto f = face_of(t);
      for (int j = 0; j < L_.nx; ++j)
        for (int i = 0; i < L_.nx; ++i) {
          const std::size_t p = L_.index(t, j, i);
          const double x = f.x0 + i, y = f.y0 + j;
          dxc_[p] = centre_distance(p, llc::cell_at(L_, t, j, i - 1), at(f.face, x, y + 0.5));
          dyc_[p] = centre_distance(p, llc::cell_at(L_, t, j - 1, i), at(f.face, x + 0.5, y));
        }
    }
  }

  // To the neighbour's centre; outside the domain twice the distance to the face.
  double centre_distance(std::size_t p, const std::optional<llc::TileIndex>& across, const Vec3& face) const {
    if (across) return distance(centre_of(p), centre_of(L_.index(across->tile, across->j, across->i)));
    return 2 * distance(centre_of(p), face);
  }

  void write_2d(const std::string& name, const std::vector<double>& tiles) const {
    std::vector<double> compact(tiles.size());
    llc::tiles_to_compact(L_, tiles.data(), compact.data());
    MdsRecord r;
    r.dims = {L_.nx, 13 * L_.nx};
    write_mds((fs::path(dir_) / name).string(), r, compact);
  }

  void write_1d(const std::string& name, const std::vector<double>& values) const {
    MdsRecord r;
    r.dims = {1, 1, static_cast<std::int64_t>(values.size())};
    write_mds((fs::path(dir_) / name).string(), r, values);
  }

  void write_face(int face) const {
    using F = llc::MitgridField;
    const auto shape = llc::face_shape(face, L_.nx);
    std::array<std::vector<double>, llc::kMitgridFields> fields;
    for (auto& v : fields) v.assign(shape.points(), 0.0);
    auto set = [&](F f, int y, int x, double value) { fields[static_cast<int>(f)][shape.index(y, x)] = value; };
    for (int y = 0; y <= shape.ny; ++y)
      for (int x = 0; x <= shape.nx; ++x) {
        const LonLat g = geo_.lonlat(face, x, y);
        set(F::xG, y, x, g.lon);
        set(F::yG, y, x, g.lat);
        set(F::dxV, y, x, distance(at(face, x - 0.5, y), at(face, x + 0.5, y)));
        set(F::dyU, y, x, distance(at(face, x, y - 0.5), at(face, x, y + 0.5)));
        set(F::rAz, y, x,
            quad_area(at(face, x - 0.5, y - 0.5), at(face, x + 0.5, y - 0.5), at(face, x + 0.5, y + 0.5),
                      at(face, x - 0.5, y + 0.5)));
        if (x < shape.nx) set(F::dxG, y, x, distance(at(face, x, y), at(face, x + 1, y)));
        if (y < shape.ny) set(F::dyG, y, x, distance(at(face, x, y), at(face, x, y + 1)));
        if (y < shape.ny) {  // u points
          set(F::dxC, y, x, distance(at(face, x - 0.5, y + 0.5), at(face, x + 0.5, y + 0.5)));
          set(F::rAw, y, x,
              quad_area(at(face, x - 0.5, y), at(face, x + 0.5, y), at(face, x + 0.5, y + 1), at(face, x - 0.5, y + 1)));
        }
        if (x < shape.nx) {  // v points
          set(F::dyC, y, x, distance(at(face, x + 0.5, y - 0.5), at(face, x + 0.5, y + 0.5)));
          set(F::rAs, y, x,
              quad_area(at(face, x, y - 0.5), at(face, x + 1, y - 0.5), at(face, x + 1, y + 0.5), at(face, x, y + 0.5)));
        }
        if (x < shape.nx && y < shape.ny) {  // centres
          const LonLat c = geo_.lonlat(face, x + 0.5, y + 0.5);
          set(F::xC, y, x, c.lon);
          set(F::yC, y, x, c.lat);
          set(F::dxF, y, x, distance(at(face, x, y + 0.5), at(face, x + 1, y + 0.5)));
          set(F::dyF, y, x, distance(at(face, x + 0.5, y), at(face, x + 0.5, y + 1)));
          set(F::rA, y, x, quad_area(at(face, x, y), at(face, x + 1, y), at(face, x + 1, y + 1), at(face, x, y + 1)));
        }
      }
    // Inside the face, the u/v-point distances are the tile values (across tile edges too).
    for (int t = 0; t < llc::kTiles; ++t) {
      const auto f = face_of(t);
      if (f.face != face) continue;
      for (int j = 0; j < L_.nx; ++j)
        for (int i = 0; i < L_.nx; ++i) {
          set(F::dxC, f.y0 + j, f.x0 + i, dxc_[L_.index(t, j, i)]);
          set(F::dyC, f.y0 + j, f.x0 + i, dyc_[L_.index(t, j, i)]);
        }
    }
    llc::write_mitgrid(llc::mitgrid_path(dir_, face), face, L_.nx, fields);
  }

  std::string dir_;
  Geometry geo_;
  llc::Layout L_;
  VerticalGrid vertical_;
  std::vector<double> xc_, yc_, xg_, yg_, dxg_, dyg_, dxc_, dyc_, rac_, cs_, sn_;
};

}  // namespace

void write_synthetic_grid(const std::string& dir, int nx, int levels) { GridWriter(dir, nx, levels).write(); }

}  // namespace granary::ecco::synth
