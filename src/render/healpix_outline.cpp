#include "render/healpix_outline.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "grids/healpix/face.hpp"
#include "grids/healpix/morton.hpp"
#include "util/error.hpp"

namespace granary::render {

std::vector<LatLon> cell_outline(std::int64_t nest, int order, int samples_per_edge) {
  const healpix::FacePosition pos = healpix::nest_to_face(nest, order);
  const std::int64_t nside = std::int64_t{1} << order;
  const double ix = static_cast<double>(pos.ix), iy = static_cast<double>(pos.iy);
  const int steps = std::max(1, samples_per_edge);
  std::vector<LatLon> outline;
  outline.reserve(4 * static_cast<std::size_t>(steps));
  for (int edge = 0; edge < 4; ++edge)
    for (int s = 0; s < steps; ++s) {
      const double f = static_cast<double>(s) / steps;
      const double u = edge == 0 ? f : edge == 1 ? 1 : edge == 2 ? 1 - f : 0;
      const double v = edge == 0 ? 0 : edge == 1 ? f : edge == 2 ? 1 : 1 - f;
      LatLon p;
      healpix::face_to_latlon((ix + u) / static_cast<double>(nside), (iy + v) / static_cast<double>(nside), pos.face, p.lat, p.lon);
      if (!outline.empty()) {
        while (p.lon - outline.front().lon > 180) p.lon -= 360;
        while (p.lon - outline.front().lon < -180) p.lon += 360;
      }
      outline.push_back(p);
    }
  return outline;
}

}  // namespace granary::render
