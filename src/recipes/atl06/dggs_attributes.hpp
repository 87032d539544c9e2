#pragma once
// The attributes that tell DGGS-aware readers how the ATL06 store's cells are indexed:
// HEALPix, nested scheme, at the child order, cells along the dimension "cells", and an
// ellipsoid only when it is true: WGS84 for authalic-wgs84 cells; none (a sphere, as the
// dggs convention and xdggs assume) for geodetic-spherical ones.
#include <nlohmann/json.hpp>

#include "recipes/atl06/cell_index.hpp"

namespace granary::atl06 {

// Group attributes (e.g. of group "12/"): `zarr_conventions` and the `dggs` block.
//   legacy form: the zarr-conventions dggs v1 entry; dggs = healpix, coordinate cell_ids.
//   packed form: that entry and mortie's morton-dggs entry; dggs = morton, coordinate
//     morton, with mortie's mandatory `latitude` token.
nlohmann::json dggs_group_attributes(int child_order, const CellIndex& index);

// Attributes of the `cell_ids` array in xdggs's own convention, and nothing else (xdggs
// hands every one of them to its grid info): grid_name, level, indexing_scheme, ellipsoid.
nlohmann::json xdggs_cell_ids_attributes(int child_order, healpix::LatitudeConvention latitude);

}  // namespace granary::atl06
