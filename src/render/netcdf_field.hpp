#pragma once
// One horizontal slice of a variable of a granary ECCO netCDF product, ready to draw: the
// lat-lon products (time, [Z], latitude, longitude) or the native LLC products
// (time, [k], tile, j, i). Read with netCDF-C.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace granary::render {

enum class GridKind { LatLon, Llc };

struct NetcdfField {
  std::string variable, units, long_name;
  GridKind kind = GridKind::LatLon;
  // LatLon: ny x nx rows of latitude; LLC: tiles x ny x nx with ny == nx.
  std::size_t tiles = 1, ny = 0, nx = 0;
  bool latitude_ascending = true;  // LatLon only: row 0 is the southernmost
  std::vector<float> values;       // C order; _FillValue / missing_value -> NaN
  std::string time_label;          // "" when the variable has no time dimension
  std::string level_label;         // e.g. "Z=-5 m"; "" without a vertical dimension
  // Where the values are, when the file says: LatLon axes (degrees, ny and nx long) and LLC
  // cell centres XC/YC (tiles x ny x nx; u/v-point fields are drawn at the centres).
  std::vector<double> latitudes, longitudes;
  std::vector<double> cell_lat, cell_lon;
};

struct SliceRequest {
  std::optional<std::string> variable;  // default: the first data variable with >= 2 spatial dims
  std::size_t level = 0, time = 0;
};

// Errors (granary::Error) name the file and the problem: not netCDF, no such variable,
// no drawable variable, index out of range.
NetcdfField read_netcdf_field(const std::filesystem::path& path, const SliceRequest& request);

}  // namespace granary::render
