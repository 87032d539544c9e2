#include "ops/regrid/target_grid.hpp"

#include <cmath>
#include <numbers>

#include "util/error.hpp"

namespace granary::regrid {

TargetGrid TargetGrid::with_resolution(double resolution) {
  if (!(resolution > 0.0) || !(resolution <= 90.0))
    fail("lat-lon resolution {} degrees: must be in (0, 90]", resolution);
  double rows = 180.0 / resolution;
  double whole = std::round(rows);
  if (std::abs(rows - whole) > 1e-9 * whole)
    fail("lat-lon resolution {} degrees: 180 / resolution = {} is not a whole number of rows",
         resolution, rows);
  TargetGrid g;
  g.resolution = resolution;
  g.nlat = static_cast<int>(whole);
  g.nlon = 2 * g.nlat;
  return g;
}

double deg_to_rad(double degrees) {
  // numpy's deg2rad multiplies by the rounded constant pi/180 (not pi, then / 180).
  constexpr double kDegToRad = std::numbers::pi / 180.0;
  return degrees * kDegToRad;
}

double TargetGrid::row_radius(int row) const {
  double la = lat(row);
  double band = std::sin(deg_to_rad(la + resolution / 2)) - std::sin(deg_to_rad(la - resolution / 2));
  double area = kAreaRadius * kAreaRadius * deg_to_rad(resolution) * band;
  return std::sqrt(area / std::numbers::pi);
}

double TargetGrid::max_row_radius() const {
  double best = 0.0;
  for (int row = 0; row < nlat; ++row) best = std::max(best, row_radius(row));
  return best;
}

std::array<double, 3> to_ecef(double lon_deg, double lat_deg) {
  double lo = deg_to_rad(lon_deg), la = deg_to_rad(lat_deg);
  double r_cos_lat = kEcefRadius * std::cos(la);
  return {r_cos_lat * std::cos(lo), r_cos_lat * std::sin(lo), kEcefRadius * std::sin(la)};
}

namespace {
template <typename Centre>
std::vector<double> bounds_of(int n, double resolution, Centre centre) {
  std::vector<double> b;
  b.reserve(2 * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    b.push_back(centre(i) - resolution / 2);
    b.push_back(centre(i) + resolution / 2);
  }
  return b;
}
}  // namespace

std::vector<double> TargetGrid::latitudes() const {
  std::vector<double> v(static_cast<std::size_t>(nlat));
  for (int r = 0; r < nlat; ++r) v[r] = lat(r);
  return v;
}

std::vector<double> TargetGrid::longitudes() const {
  std::vector<double> v(static_cast<std::size_t>(nlon));
  for (int c = 0; c < nlon; ++c) v[c] = lon(c);
  return v;
}

std::vector<double> TargetGrid::latitude_bounds() const {
  return bounds_of(nlat, resolution, [this](int r) { return lat(r); });
}

std::vector<double> TargetGrid::longitude_bounds() const {
  return bounds_of(nlon, resolution, [this](int c) { return lon(c); });
}

}  // namespace granary::regrid
