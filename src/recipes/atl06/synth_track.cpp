#include "recipes/atl06/synth_track.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

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

Surface::Surface(Random& random) {
  for (Vec3& d : directions_) d = normalized({random.normal(0, 1), random.normal(0, 1), random.normal(0, 1)});
  for (double& phase : phases_) phase = random.uniform(0, 2 * std::numbers::pi);
}

double Surface::height(const Vec3& p) const {
  const double d0 = dot(directions_[0], p), d1 = dot(directions_[1], p), d2 = dot(directions_[2], p),
               d3 = dot(directions_[3], p);
  return 2200.0 + 900.0 * d0 + 120.0 * std::sin(35.0 * d1 + phases_[0]) + 25.0 * std::sin(400.0 * d2 + phases_[1]) +
         3.0 * std::sin(4000.0 * d3 + phases_[2]);
}

}  // namespace granary::atl06::synth
