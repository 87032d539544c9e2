#pragma once
// Which parent cells a granule touches: the catalog's view of one ATL06 granule. Every
// segment of every beam counts (before quality filtering), as in magg's catalog, so a
// parent may later end with "No data after filtering" but no point is ever lost.
#include <cstdint>
#include <string>
#include <vector>

#include "grids/healpix/latitude.hpp"
#include "io/s3_store.hpp"

namespace granary::atl06 {

// Morton indices at `parent_order` of the cells that any land-ice segment of the granule
// falls in, ascending. Throws granary::Error naming the file when it cannot be opened, is
// truncated, or has no gt*/land_ice_segments group (not ATL06 layout).
// `s3` says how an s3:// granule is read (e.g. NASA Earthdata keys); `latitude`, which cells.
std::vector<std::int64_t> granule_parent_cells(const std::string& path, int parent_order, const io::S3Options& s3 = {},
                                               healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical);

}  // namespace granary::atl06
