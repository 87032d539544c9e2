// Sources:
// * zarr-conventions/dggs v1 (README.md and schema.json, tag v1): the zarr_conventions entry's
//   five fields are constants of the schema; the `dggs` object requires name,
//   refinement_level and spatial_dimension; `coordinate` names the cell-id array and then
//   `compression` ("none": one id per cell); HEALPix adds the required `indexing_scheme`;
//   an ellipsoid is {name, semi_major_axis, inverse_flattening} (the schema allows no other
//   keys). magg wrote "semimajor_axis" there, which the schema rejects; we follow the
//   convention, which is also what xdggs's zarr decoder translates from.
// * xdggs (conventions/xdggs.py, healpix/grid_info.py, ellipsoid.py): the cell-id coordinate
//   carries grid_name, level, indexing_scheme and an ellipsoid written as xdggs's own
//   Ellipsoid.to_dict() {name, semimajor_axis, inverse_flattening}.
#include "recipes/atl06/dggs_attributes.hpp"

#include "util/error.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

constexpr double kWgs84SemiMajorAxis = 6378137.0;
constexpr double kWgs84InverseFlattening = 298.257223563;

// HEALPix nested ids fit 64 bits up to order 29; both conventions require [0, 29].
void check_order(int order) {
  if (order < 0 || order > 29) fail("HEALPix order {}: must be within [0, 29]", order);
}

}  // namespace

json dggs_group_attributes(int child_order) {
  check_order(child_order);
  json convention = {
      {"schema_url", "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json"},
      {"spec_url", "https://github.com/zarr-conventions/dggs/blob/v1/README.md"},
      {"uuid", "7b255807-140c-42ca-97f6-7a1cfecdbc38"},
      {"name", "dggs"},
      {"description", "Discrete Global Grid Systems convention for zarr"},
  };
  json dggs = {
      {"name", "healpix"},
      {"refinement_level", child_order},
      {"indexing_scheme", "nested"},
      {"spatial_dimension", "cells"},
      {"coordinate", "cell_ids"},
      {"compression", "none"},
      {"ellipsoid",
       {{"name", "WGS84"}, {"semi_major_axis", kWgs84SemiMajorAxis}, {"inverse_flattening", kWgs84InverseFlattening}}},
  };
  return {{"zarr_conventions", json::array({convention})}, {"dggs", dggs}};
}

json xdggs_cell_ids_attributes(int child_order) {
  check_order(child_order);
  return {
      {"grid_name", "healpix"},
      {"level", child_order},
      {"indexing_scheme", "nested"},
      {"ellipsoid",
       {{"name", "WGS84"}, {"semimajor_axis", kWgs84SemiMajorAxis}, {"inverse_flattening", kWgs84InverseFlattening}}},
  };
}

}  // namespace granary::atl06
