#pragma once
// The boundary of a HEALPix nested cell as (lat, lon) samples, for drawing cells as polygons.
#include <cstdint>
#include <vector>

namespace granary::render {

struct LatLon {
  double lat = 0, lon = 0;  // degrees
};

// Corners and `samples_per_edge - 1` points inside each edge, counter-clockwise in face
// coordinates; the edges are exact HEALPix boundaries (the face projection of Gorski et al.
// 2005, as healpix_cxx's xyf2loc and grids/healpix/cell_bounds.cpp). Longitudes are unwrapped
// to stay within 180 degrees of the first sample, so a polygon never jumps across the map.
std::vector<LatLon> cell_outline(std::int64_t nest, int order, int samples_per_edge = 2);

}  // namespace granary::render
