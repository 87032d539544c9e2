#include "render/netcdf_field.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include <fmt/format.h>
#include <netcdf.h>

#include "formats/netcdf/reader.hpp"
#include "render/time_label.hpp"
#include "util/error.hpp"

namespace granary::render {
namespace {

using nc::NcFile;

bool is_y_dim(const std::string& d) { return d == "latitude" || d == "lat" || d == "j" || d == "j_g"; }
bool is_x_dim(const std::string& d) { return d == "longitude" || d == "lon" || d == "i" || d == "i_g"; }


std::size_t spatial_dims(const std::vector<std::string>& dims) {
  std::size_t n = 0;
  for (const auto& d : dims) n += is_y_dim(d) || is_x_dim(d);
  return n;
}

// Coordinates, bounds and other non-data variables are named by other variables'
// `coordinates` / `bounds` attributes or flagged by their coverage_content_type.
std::set<std::string> auxiliary_variables(const NcFile& nc, int nvars) {
  std::set<std::string> aux;
  for (int v = 0; v < nvars; ++v) {
    for (const char* attr : {"coordinates", "bounds"}) {
      std::string list = nc.text_attribute(v, attr);
      std::size_t pos = 0;
      while (pos < list.size()) {
        const std::size_t end = std::min(list.find(' ', pos), list.size());
        if (end > pos) aux.insert(list.substr(pos, end - pos));
        pos = end + 1;
      }
    }
    if (nc.text_attribute(v, "coverage_content_type") == "coordinate") aux.insert(nc.var_name(v));
  }
  return aux;
}

int choose_variable(const NcFile& nc, const std::optional<std::string>& requested) {
  int nvars = 0;
  nc.check(nc_inq_nvars(nc.id(), &nvars), "listing variables");
  if (requested) {
    const auto var = nc.var_id(*requested);
    if (!var) fail("{}: no variable '{}'", nc.path(), *requested);
    if (spatial_dims(nc.dim_names(*var)) < 2)
      fail("{}: variable '{}' has no two horizontal dimensions (latitude/longitude or j/i)", nc.path(), *requested);
    return *var;
  }
  const auto aux = auxiliary_variables(nc, nvars);
  for (int v = 0; v < nvars; ++v)
    if (!aux.contains(nc.var_name(v)) && spatial_dims(nc.dim_names(v)) >= 2) return v;
  fail("{}: no data variable with two horizontal dimensions (latitude/longitude or j/i)", nc.path());
}

}  // namespace

NetcdfField read_netcdf_field(const std::filesystem::path& path, const SliceRequest& request) {
  if (!std::filesystem::exists(path)) fail("{}: no such file", path.string());
  NcFile nc(path);
  const int var = choose_variable(nc, request.variable);
  NetcdfField field;
  field.variable = nc.var_name(var);
  field.units = nc.text_attribute(var, "units");
  field.long_name = nc.text_attribute(var, "long_name");
  const auto dims = nc.dim_names(var);
  std::vector<std::size_t> start(dims.size(), 0), count(dims.size(), 1);
  bool seen_level = false;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const std::string& dim = dims[k];
    const std::size_t len = nc.dim_length(dim);
    auto pick = [&](std::size_t index, const char* option) {
      if (index >= len) fail("{}: {} {} is out of range: '{}' has {} entries", path.string(), option, index, dim, len);
      start[k] = index;
    };
    if (is_y_dim(dim)) {
      count[k] = field.ny = len;
    } else if (is_x_dim(dim)) {
      count[k] = field.nx = len;
    } else if (dim == "tile") {
      count[k] = field.tiles = len;
      field.kind = GridKind::Llc;
    } else if (dim == "time") {
      pick(request.time, "--time");
      if (const auto tv = nc.var_id(dim)) field.time_label = format_cf_time(nc.value_at(*tv, request.time), nc.text_attribute(*tv, "units"));
    } else if (!seen_level) {
      seen_level = true;
      pick(request.level, "--level");
      field.level_label = fmt::format("{}[{}]", dim, request.level);
      if (const auto lv = nc.var_id(dim))
        field.level_label = fmt::format("{}={:g} {}", dim, nc.value_at(*lv, request.level), nc.text_attribute(*lv, "units"));
    } else if (len != 1) {
      fail("{}: variable '{}' has a second non-horizontal dimension '{}'; cannot choose a slice", path.string(), field.variable, dim);
    }
  }
  if (!seen_level && request.level != 0)
    fail("{}: --level {} given but variable '{}' has no vertical dimension", path.string(), request.level, field.variable);
  if (field.kind == GridKind::Llc && (field.tiles != 13 || field.nx != field.ny))
    fail("{}: variable '{}' has {} tiles of {}x{}; expected 13 square LLC tiles", path.string(), field.variable, field.tiles, field.ny, field.nx);
  field.values.resize(field.tiles * field.ny * field.nx);
  nc.check(nc_get_vara_float(nc.id(), var, start.data(), count.data(), field.values.data()), fmt::format("reading {}", field.variable));

  const auto fill = nc.number_attribute(var, "_FillValue");
  const auto missing = nc.number_attribute(var, "missing_value");
  const double scale = nc.number_attribute(var, "scale_factor").value_or(1.0);
  const double offset = nc.number_attribute(var, "add_offset").value_or(0.0);
  for (float& v : field.values) {
    if ((fill && v == static_cast<float>(*fill)) || (missing && v == static_cast<float>(*missing)))
      v = NAN;
    else
      v = static_cast<float>(v * scale + offset);
  }
  if (field.kind == GridKind::LatLon) {
    for (const char* name : {"latitude", "lat"})
      if (nc.var_id(name)) {
        field.latitudes = nc.read_all<double>(name);
        break;
      }
    for (const char* name : {"longitude", "lon"})
      if (nc.var_id(name)) {
        field.longitudes = nc.read_all<double>(name);
        break;
      }
    if (field.latitudes.size() != field.ny) field.latitudes.clear();
    if (field.longitudes.size() != field.nx) field.longitudes.clear();
    if (field.latitudes.size() > 1) field.latitude_ascending = field.latitudes.back() > field.latitudes.front();
  } else if (nc.var_id("XC") && nc.var_id("YC")) {
    field.cell_lon = nc.read_all<double>("XC");
    field.cell_lat = nc.read_all<double>("YC");
    if (field.cell_lon.size() != field.values.size() || field.cell_lat.size() != field.values.size())
      field.cell_lon.clear(), field.cell_lat.clear();
  }
  return field;
}

}  // namespace granary::render
