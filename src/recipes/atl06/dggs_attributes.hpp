#pragma once
// The attributes that tell DGGS-aware readers how the ATL06 store's cells are indexed:
// HEALPix, nested scheme, at the child order, on the WGS84 ellipsoid, cells along the
// dimension "cells" with their ids in the coordinate array "cell_ids".
#include <nlohmann/json.hpp>

namespace granary::atl06 {

// Zarr v3 group attributes (e.g. of group "12/"): the `zarr_conventions` entry and the
// `dggs` block of the zarr-conventions DGGS convention v1.
nlohmann::json dggs_group_attributes(int child_order);

// Zarr v2 attributes of the `cell_ids` array (without _ARRAY_DIMENSIONS), in xdggs's own
// convention: grid_name, level, indexing_scheme, ellipsoid.
nlohmann::json xdggs_cell_ids_attributes(int child_order);

}  // namespace granary::atl06
