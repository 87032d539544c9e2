#include "formats/netcdf/cf_grid_mapping.hpp"

#include <algorithm>
#include <cstdint>
#include <span>

#include "util/error.hpp"

namespace granary::nc {
namespace {

bool has_dim(const Variable& v, const std::string& dim) {
  return std::find(v.dims.begin(), v.dims.end(), dim) != v.dims.end();
}

// The grid-mapping variable's one value: the data is borrowed until the file is written.
constexpr std::int32_t kMappingValue = 0;

}  // namespace

const char* const kWgs84Wkt2 =
    R"wkt(GEOGCRS["WGS 84",ENSEMBLE["World Geodetic System 1984 ensemble",)wkt"
    R"wkt(MEMBER["World Geodetic System 1984 (Transit)"],)wkt"
    R"wkt(MEMBER["World Geodetic System 1984 (G730)"],MEMBER["World Geodetic System 1984 (G873)"],)wkt"
    R"wkt(MEMBER["World Geodetic System 1984 (G1150)"],MEMBER["World Geodetic System 1984 (G1674)"],)wkt"
    R"wkt(MEMBER["World Geodetic System 1984 (G1762)"],MEMBER["World Geodetic System 1984 (G2139)"],)wkt"
    R"wkt(ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]],ENSEMBLEACCURACY[2.0]],)wkt"
    R"wkt(PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],)wkt"
    R"wkt(AXIS["geodetic latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],)wkt"
    R"wkt(AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",0.0174532925199433]],)wkt"
    R"wkt(USAGE[SCOPE["Horizontal component of 3D system."],AREA["World."],BBOX[-90,-180,90,180]],)wkt"
    R"wkt(ID["EPSG",4326]])wkt";

Variable wgs84_latitude_longitude_mapping(const std::string& name) {
  Variable v;
  v.name = name;
  v.type = Type::Int32;
  v.attributes = {attr("grid_mapping_name", "latitude_longitude"),
                  attr("semi_major_axis", 6378137.0),
                  attr("inverse_flattening", 298.257223563),
                  attr("longitude_of_prime_meridian", 0.0),
                  attr("crs_wkt", kWgs84Wkt2),
                  attr("spatial_ref", kWgs84Wkt2)};
  v.data = std::as_bytes(std::span<const std::int32_t>(&kMappingValue, 1));
  return v;
}

void add_wgs84_grid_mapping(Dataset& ds, const std::string& lat_dim, const std::string& lon_dim,
                            const std::string& name) {
  for (const auto& v : ds.variables)
    if (v.name == name) fail("grid mapping: the dataset already has a variable '{}'", name);
  std::size_t mapped = 0;
  for (auto& v : ds.variables) {
    if (!has_dim(v, lat_dim) || !has_dim(v, lon_dim)) continue;
    auto old = std::find_if(v.attributes.begin(), v.attributes.end(),
                            [](const Attribute& a) { return a.name == "grid_mapping"; });
    if (old != v.attributes.end()) fail("grid mapping: variable '{}' already has a grid_mapping", v.name);
    v.attributes.push_back(attr("grid_mapping", name));
    ++mapped;
  }
  if (mapped == 0) fail("grid mapping: no variable spans both '{}' and '{}'", lat_dim, lon_dim);
  ds.variables.push_back(wgs84_latitude_longitude_mapping(name));
}

}  // namespace granary::nc
