#pragma once
// HEALPix's base-face coordinates: a nested id is a face (0..11) and a position (ix, iy) on
// it, and a point (x, y) in [0, 1]^2 of a face maps to the sphere by the projection of
// Gorski et al. (2005). Cell boxes and drawn cell outlines both walk a cell's edges here.
#include <cstdint>

namespace granary::healpix {

struct FacePosition {
  int face = 0;
  std::int64_t ix = 0, iy = 0;  // 0..nside-1
};

// Throws granary::Error for an id out of range at `order`.
FacePosition nest_to_face(std::int64_t nest, int order);

// (x, y) across `face` in [0, 1] to (lat, lon) degrees, lon in [0, 360); as healpix_cxx's xyf2loc.
void face_to_latlon(double x, double y, int face, double& lat_deg, double& lon_deg);

}  // namespace granary::healpix
