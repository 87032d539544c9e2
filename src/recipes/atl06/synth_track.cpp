#include "recipes/atl06/synth_track.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "util/error.hpp"

namespace granary::atl06::synth {

using namespace llc::sphere;

Track make_track(double lat_deg, double lon_deg, bool ascending) {
  const Vec3 p0 = to_xyz(lon_deg, lat_deg);
  // Clairaut: cos(latitude) * sin(heading from north) is constant along a great circle and
  // equals cos(inclination) at the vertex.
  const double s = std::clamp(std::cos(rad(kInclinationDeg)) / std::max(std::cos(rad(lat_deg)), 1e-9), -1.0, 1.0);
  const double delta = std::asin(std::abs(s));
  const double azimuth = ascending ? -delta : std::numbers::pi + delta;
  const Vec3 t = std::cos(azimuth) * north_at(lon_deg, lat_deg) + std::sin(azimuth) * east_at(lon_deg);
  return {p0, t, cross(p0, t)};
}

Vec3 track_point(const Track& track, double along, double cross_track) {
  const double a = along / kEarthRadius, c = cross_track / kEarthRadius;
  const Vec3 on_track = std::cos(a) * track.p0 + std::sin(a) * track.t;
  return std::cos(c) * on_track + std::sin(c) * track.n;
}

SurfaceModel parse_surface_model(const std::string& name) {
  if (name == "slope") return SurfaceModel::Slope;
  if (name == "antarctica") return SurfaceModel::Antarctica;
  fail("surface model '{}' is not one of slope, antarctica", name);
}

namespace {

struct Dome {
  double lat, lon, height_m, radius_m;
};
// Summits and extents chosen so the domes meet near the Transantarctic Mountains and the
// margins fall near the coast.
constexpr std::array<Dome, 3> kAntarcticDomes{{
    {-80.4, 77.4, 4000.0, 1900e3},   // Dome A, East Antarctica
    {-75.1, 123.4, 3200.0, 1300e3},  // Dome C
    {-80.0, -110.0, 2000.0, 900e3},  // West Antarctic ice sheet
}};

// Vialov's steady-state ice-sheet profile h = H (1 - (r/R)^(4/3))^(3/8), the highest dome
// over p, floored like the ice shelves; and whether p lies on a dome at all.
Surface::Sample antarctic_shape(const Vec3& p) {
  Surface::Sample s{50.0, false};
  for (const Dome& dome : kAntarcticDomes) {
    const double r = angle(p, to_xyz(dome.lon, dome.lat)) * kEarthRadius;
    if (r >= dome.radius_m) continue;
    s.on_ice = true;
    s.height = std::max(s.height, dome.height_m * std::pow(1.0 - std::pow(r / dome.radius_m, 4.0 / 3.0), 3.0 / 8.0));
  }
  return s;
}

}  // namespace

Surface::Surface(Random& random, SurfaceModel model) : model_(model) {
  for (Vec3& d : directions_) d = normalized({random.normal(0, 1), random.normal(0, 1), random.normal(0, 1)});
  for (double& phase : phases_) phase = random.uniform(0, 2 * std::numbers::pi);
}

Surface::Sample Surface::at(const Vec3& p) const {
  const double d0 = dot(directions_[0], p), d1 = dot(directions_[1], p), d2 = dot(directions_[2], p),
               d3 = dot(directions_[3], p);
  if (model_ == SurfaceModel::Antarctica) {
    const Sample shape = antarctic_shape(p);
    return {shape.height + 30.0 * std::sin(35.0 * d1 + phases_[0]) + 25.0 * std::sin(400.0 * d2 + phases_[1]) +
                3.0 * std::sin(4000.0 * d3 + phases_[2]),
            shape.on_ice};
  }
  return {2200.0 + 900.0 * d0 + 120.0 * std::sin(35.0 * d1 + phases_[0]) + 25.0 * std::sin(400.0 * d2 + phases_[1]) +
              3.0 * std::sin(4000.0 * d3 + phases_[2]),
          true};
}

}  // namespace granary::atl06::synth
