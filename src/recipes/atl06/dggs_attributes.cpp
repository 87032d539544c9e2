// Sources:
// * zarr-conventions/dggs v1 (README.md and schema.json; tests/data/dggs/schema.json): the
//   zarr_conventions entry's five fields are constants of the schema; the `dggs` object
//   requires name, refinement_level and spatial_dimension; `coordinate` names the cell-id
//   array and `compression` ("none": one id per cell); an ellipsoid is {name, semimajor_axis,
//   and inverse_flattening or semiminor_axis}, no other keys; without one a sphere is assumed.
// * mortie docs/specification.md sections 5 and 9: the morton-dggs entry (permanent UUID),
//   name "morton" (never healpix + a morton scheme: a scheme-blind reader would misplace
//   every cell), coordinate "morton", and the `latitude` token a writer must record.
// * xdggs (conventions/zarr.py, conventions/xdggs.py, healpix.py, ellipsoid.py): every key
//   of the dggs block but name/spatial_dimension/coordinate/compression, and every attribute
//   of the xdggs cell-id coordinate, becomes a HealpixInfo argument: an unknown key (a
//   long_name, or a `latitude`) makes xdggs refuse the store. So the healpix block carries
//   no `latitude`: its ellipsoid (or its absence) says the same thing in xdggs's terms.
#include "recipes/atl06/dggs_attributes.hpp"

#include "util/error.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

constexpr double kWgs84SemimajorAxis = 6378137.0;
constexpr double kWgs84InverseFlattening = 298.257223563;

// HEALPix nested ids fit 64 bits up to order 29; both conventions require [0, 29].
void check_order(int order) {
  if (order < 0 || order > 29) fail("HEALPix order {}: must be within [0, 29]", order);
}

json wgs84() { return {{"name", "WGS84"}, {"semimajor_axis", kWgs84SemimajorAxis}, {"inverse_flattening", kWgs84InverseFlattening}}; }

json dggs_convention() {
  return {{"schema_url", "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json"},
          {"spec_url", "https://github.com/zarr-conventions/dggs/blob/v1/README.md"},
          {"uuid", "7b255807-140c-42ca-97f6-7a1cfecdbc38"},
          {"name", "dggs"},
          {"description", "Discrete Global Grid Systems convention for zarr"}};
}

json morton_convention() {
  return {{"schema_url", "https://github.com/espg/mortie/blob/main/docs/specification.md#dggs-attrs"},
          {"spec_url", "https://github.com/espg/mortie/blob/main/docs/specification.md"},
          {"uuid", "3e22156d-ea9e-4e01-95fe-e3809a4b41e7"},
          {"name", "morton-dggs"},
          {"description", "Packed-u64 morton (HEALPix) DGGS convention"}};
}

bool on_wgs84(healpix::LatitudeConvention latitude) { return latitude == healpix::LatitudeConvention::AuthalicWgs84; }

}  // namespace

json dggs_group_attributes(int child_order, const CellIndex& index) {
  check_order(child_order);
  json conventions = json::array({dggs_convention()});
  json dggs;
  if (index.morton_form == MortonForm::Packed) {
    conventions.push_back(morton_convention());
    dggs = {{"name", "morton"},
            {"refinement_level", child_order},
            {"spatial_dimension", "cells"},
            {"coordinate", "morton"},
            {"compression", "none"},
            {"latitude", healpix::latitude_name(index.latitude)}};
  } else {
    dggs = {{"name", "healpix"},
            {"refinement_level", child_order},
            {"indexing_scheme", "nested"},
            {"spatial_dimension", "cells"},
            {"coordinate", "cell_ids"},
            {"compression", "none"}};
  }
  if (on_wgs84(index.latitude)) dggs["ellipsoid"] = wgs84();
  return {{"zarr_conventions", conventions}, {"dggs", dggs}};
}

json xdggs_cell_ids_attributes(int child_order, healpix::LatitudeConvention latitude) {
  check_order(child_order);
  json a = {{"grid_name", "healpix"}, {"level", child_order}, {"indexing_scheme", "nested"}};
  if (on_wgs84(latitude)) a["ellipsoid"] = wgs84();
  return a;
}

}  // namespace granary::atl06
