#include "grids/healpix/cell_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "grids/healpix/face.hpp"
#include "grids/healpix/morton.hpp"
#include "grids/llc/sphere.hpp"
#include "util/error.hpp"

namespace granary::healpix {

CellBox cell_box(std::int64_t nest, int order) {
  const FacePosition pos = nest_to_face(nest, order);
  const std::int64_t nside = std::int64_t{1} << order;
  const int face = pos.face;
  const double ix = static_cast<double>(pos.ix);
  const double iy = static_cast<double>(pos.iy);

  double clat = 0, clon = 0;
  nest2ang(nest, order, clat, clon);
  CellBox box;
  box.lon_centre = clon;
  box.lat_min = 90, box.lat_max = -90;
  box.centre_lat = clat;
  double dmin = 180, dmax = -180, radius = 0;
  const auto centre = llc::sphere::to_xyz(clon, clat);
  auto angle_to_centre = [&](double lat, double lon) {
    return llc::sphere::deg(llc::sphere::angle(llc::sphere::to_xyz(lon, lat), centre));
  };
  constexpr int kSteps = 64;  // samples per edge
  for (int edge = 0; edge < 4; ++edge) {
    for (int s = 0; s <= kSteps; ++s) {
      const double f = static_cast<double>(s) / kSteps;
      double u = 0, v = 0;  // position inside the cell, [0, 1]^2
      switch (edge) {
        case 0: u = f, v = 0; break;
        case 1: u = 1, v = f; break;
        case 2: u = 1 - f, v = 1; break;
        default: u = 0, v = 1 - f; break;
      }
      double lat, lon;
      face_to_latlon((ix + u) / nside, (iy + v) / nside, face, lat, lon);
      radius = std::max(radius, angle_to_centre(lat, lon));
      box.lat_min = std::min(box.lat_min, lat);
      box.lat_max = std::max(box.lat_max, lat);
      double d = lon - clon;
      while (d > 180) d -= 360;
      while (d <= -180) d += 360;
      dmin = std::min(dmin, d);
      dmax = std::max(dmax, d);
    }
  }
  // Between two samples the boundary bends by far less than the sample spacing; one cell
  // size / kSteps * 4 of margin covers that and any rounding at the edges.
  const double cell_deg = 58.6323 / nside;
  const double margin = 4.0 * cell_deg / kSteps + 1e-9;
  box.radius_deg = radius + margin;
  box.lat_min = std::max(-90.0, box.lat_min - margin);
  box.lat_max = std::min(90.0, box.lat_max + margin);
  // A cell with a corner on a pole spans every longitude.
  const bool north_pole = face < 4 && ix == nside - 1 && iy == nside - 1;
  const bool south_pole = face >= 8 && ix == 0 && iy == 0;
  if (north_pole) box.lat_max = 90;
  if (south_pole) box.lat_min = -90;
  const double worst_cos = std::cos(std::max(std::abs(box.lat_min), std::abs(box.lat_max)) * std::numbers::pi / 180.0);
  const double lon_margin = worst_cos > 1e-6 ? margin / worst_cos : 360.0;
  box.all_lons = north_pole || south_pole || (dmax - dmin) + 2 * lon_margin >= 350.0;
  if (!box.all_lons) {
    box.dlon_min = dmin - lon_margin;
    box.dlon_max = dmax + lon_margin;
  }
  return box;
}

CellBox geodetic_box(const CellBox& k, LatitudeConvention latitude) {
  if (latitude == LatitudeConvention::GeodeticSpherical) return k;
  CellBox g = k;
  // 1e-9 degrees covers the conversion's rounding (1e-13 rad) many times over.
  g.lat_min = k.lat_min <= -90.0 ? -90.0 : std::max(-90.0, geodetic_from_authalic(k.lat_min) - 1e-9);
  g.lat_max = k.lat_max >= 90.0 ? 90.0 : std::min(90.0, geodetic_from_authalic(k.lat_max) + 1e-9);
  g.radius_deg = k.radius_deg + kMaxAuthalicShiftDeg;
  // Longitudes do not convert: a point's longitude is the same in both frames, so the
  // longitude bounds hold as they are.
  return g;
}

}  // namespace granary::healpix
