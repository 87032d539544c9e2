#pragma once
// A conservative latitude/longitude box around a HEALPix cell: a cheap test that rejects
// points far from a cell before the exact (and ~50x dearer) ang2pix. Every point whose
// ang2nest is the cell lies inside the box; points inside the box may still be outside
// the cell, so callers always confirm with the exact index.
#include <cstdint>

#include "grids/healpix/latitude.hpp"

namespace granary::healpix {

struct CellBox {
  double lat_min = -90, lat_max = 90;
  // Longitudes as offsets from lon_centre, wrapped into (-180, 180]: a box across the
  // antimeridian needs no special case. all_lons: the cell touches a pole.
  double lon_centre = 0, dlon_min = -180, dlon_max = 180;
  bool all_lons = true;
  // Great-circle distance (degrees) from the cell's centre that no point of the cell exceeds.
  double radius_deg = 180;
  double centre_lat = 0;

  bool contains_lat(double lat) const { return lat >= lat_min && lat <= lat_max; }
  bool contains_lon(double lon) const {
    if (all_lons) return true;
    double d = lon - lon_centre;
    // One or two corrections suffice for any |lon| <= 540 (ATL06 stores [-180, 180]).
    while (d > 180) d -= 360;
    while (d <= -180) d += 360;
    return d >= dlon_min && d <= dlon_max;
  }
  bool contains(double lat, double lon) const { return contains_lat(lat) && contains_lon(lon); }
};

// The cell's boundary sampled densely in HEALPix face coordinates, widened by a margin
// larger than the boundary's curvature between samples.
CellBox cell_box(std::int64_t nest, int order);

// A box drawn in the kernel's (spherical) frame, as a box of geodetic positions under
// `latitude`: latitude bounds through the inverse conversion (monotonic), and a radius
// widened by the largest shift between the frames (the centre stays in the kernel frame).
// geodetic-spherical returns the box unchanged.
CellBox geodetic_box(const CellBox& kernel_box, LatitudeConvention latitude);

}  // namespace granary::healpix
