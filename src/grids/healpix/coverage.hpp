#pragma once
// Which HEALPix cells a footprint touches (polygons, polylines, lat/lon boxes), for catalogs
// built from granule metadata instead of the granules' points.
//
// Guarantee: every cell at `order` that shares a point with the footprint is in the result
// (a superset, never a miss). How: every edge is followed along its great circle with
// samples 1/16 of a "fine" cell apart (order + 3, cells 8x smaller); the fine cells of the
// samples are taken together with all their neighbours. Any point of an edge is within
// 1/32 of a fine cell of a sample, so the fine cell holding it is the sample's fine cell or
// one sharing an edge or corner with it; the answer holds the parents of those fine cells.
// A cell that touches a polygon's inside but not its boundary lies wholly inside, so its
// centre is inside: those are found by a flood fill from the boundary cells, testing
// centres. The price is a band at most 1/8 of a cell wide on either side of every edge: a
// cell is included when the footprint passes within ~1/8 of a cell of it.
//
// Polygon rings: lon/lat vertices, closed or not, either orientation. The inside is the side
// that does not contain the antipode of the ring's centroid, i.e. the smaller side for any
// ring that fits in a hemisphere (every granule footprint); larger polygons are refused with
// an error rather than answered wrongly. Edges crossing the antimeridian and rings around a
// pole need nothing special (the geometry is done on unit vectors). Holes are ignored (the
// cells of the outer ring are a superset).
#include <cstdint>
#include <span>
#include <vector>

namespace granary::healpix {

struct LatLon {
  double lat = 0;  // degrees
  double lon = 0;  // degrees, any range
};

// Morton indices at `order` of the cells the polygon touches (boundary and inside), ascending.
// Throws granary::Error for fewer than 3 distinct vertices, an edge joining antipodal points,
// or a ring that does not fit in a hemisphere.
std::vector<std::int64_t> polygon_cells(std::span<const LatLon> ring, int order);

// Morton indices at `order` of the cells a polyline touches (great-circle segments; one
// point is allowed), ascending.
std::vector<std::int64_t> line_cells(std::span<const LatLon> line, int order);

// Morton indices of the cells a longitude/latitude box touches (edges along parallels and
// meridians; west > east crosses the antimeridian), ascending.
std::vector<std::int64_t> rectangle_cells(double west, double south, double east, double north, int order);

// Nested ids at `order` of the cells sharing an edge or a corner with cell `nest` (7 or 8 of
// them for order >= 1, as healpy's get_all_neighbours without the -1 entries), ascending.
std::vector<std::int64_t> neighbours(std::int64_t nest, int order);

}  // namespace granary::healpix
