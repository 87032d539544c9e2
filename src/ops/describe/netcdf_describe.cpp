// describe_netcdf: netCDF-C's inquiry API for the structure, nc_get_vara block by block
// (whole chunks at a time) for the statistics.
#include <netcdf.h>

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "formats/netcdf/reader.hpp"
#include "ops/describe/blocks.hpp"
#include "ops/describe/describe.hpp"
#include "ops/describe/value_stats.hpp"
#include "util/error.hpp"

namespace granary::describe {
namespace {

using nlohmann::json;

void check(int status, const std::string& path, const std::string& what) {
  if (status != NC_NOERR) fail("{}: {}: {}", path, what, nc_strerror(status));
}

const char* type_name(nc_type t) {
  switch (t) {
    case NC_BYTE: return "int8";
    case NC_UBYTE: return "uint8";
    case NC_CHAR: return "char";
    case NC_SHORT: return "int16";
    case NC_USHORT: return "uint16";
    case NC_INT: return "int32";
    case NC_UINT: return "uint32";
    case NC_INT64: return "int64";
    case NC_UINT64: return "uint64";
    case NC_FLOAT: return "float32";
    case NC_DOUBLE: return "float64";
    case NC_STRING: return "string";
    default: return "user-defined";
  }
}

// Calls f(T{}) with the C++ type of a numeric netCDF type; false for other types.
template <typename F>
bool visit_numeric(nc_type t, F&& f) {
  switch (t) {
    case NC_BYTE: f(std::int8_t{}); return true;
    case NC_UBYTE: f(std::uint8_t{}); return true;
    case NC_SHORT: f(std::int16_t{}); return true;
    case NC_USHORT: f(std::uint16_t{}); return true;
    case NC_INT: f(std::int32_t{}); return true;
    case NC_UINT: f(std::uint32_t{}); return true;
    case NC_INT64: f(std::int64_t{}); return true;
    case NC_UINT64: f(std::uint64_t{}); return true;
    case NC_FLOAT: f(float{}); return true;
    case NC_DOUBLE: f(double{}); return true;
    default: return false;
  }
}

template <typename T>
json number(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (v != v) return "NaN";  // JSON has no NaN; Zarr's spelling
    return static_cast<double>(v);
  } else {
    return v;
  }
}

// The read-only handle render/ and the coastline reader use too.
using File = nc::NcFile;

json attribute_value(const File& f, int varid, const char* name) {
  nc_type type;
  size_t len;
  check(nc_inq_att(f.id(), varid, name, &type, &len), f.path(), std::string("attribute ") + name);
  if (type == NC_CHAR) {
    std::string text(len, '\0');
    check(nc_get_att_text(f.id(), varid, name, text.data()), f.path(), name);
    while (!text.empty() && text.back() == '\0') text.pop_back();
    return text;
  }
  if (type == NC_STRING) {
    std::vector<char*> values(len);
    check(nc_get_att_string(f.id(), varid, name, values.data()), f.path(), name);
    json out = json::array();
    for (auto* v : values) out.push_back(v ? v : "");
    nc_free_string(len, values.data());
    return len == 1 ? out[0] : out;
  }
  json out = json::array();
  const bool numeric = visit_numeric(type, [&](auto t) {
    using T = decltype(t);
    std::vector<T> values(len);
    check(nc_get_att(f.id(), varid, name, values.data()), f.path(), name);
    for (auto v : values) out.push_back(number(v));
  });
  if (!numeric) return "<" + std::string(type_name(type)) + ">";
  return len == 1 ? out[0] : out;
}

json attributes(const File& f, int varid, int count) {
  json out = json::object();
  for (int i = 0; i < count; ++i) {
    char name[NC_MAX_NAME + 1];
    check(nc_inq_attname(f.id(), varid, i, name), f.path(), "attribute name");
    out[name] = attribute_value(f, varid, name);
  }
  return out;
}

// The values that mark "no data": _FillValue (or netCDF's default fill when filling is on)
// and missing_value, in the variable's type.
template <typename T>
std::vector<T> fill_values(const File& f, int varid) {
  std::vector<T> fills;
  int no_fill = 0;
  T fill{};
  check(nc_inq_var_fill(f.id(), varid, &no_fill, &fill), f.path(), "fill value");
  if (!no_fill) fills.push_back(fill);
  nc_type type;
  size_t len;
  if (nc_inq_att(f.id(), varid, "missing_value", &type, &len) == NC_NOERR && len > 0) {
    std::vector<T> missing(len);
    if (nc_get_att(f.id(), varid, "missing_value", missing.data()) == NC_NOERR)
      fills.insert(fills.end(), missing.begin(), missing.end());
  }
  return fills;
}

template <typename T>
json variable_stats(const File& f, int varid, const std::string& name, const std::vector<std::uint64_t>& shape,
                    const std::vector<std::uint64_t>& chunks, const Options& options) {
  const auto fills = fill_values<T>(f, varid);
  ValueStats stats;
  const auto block = block_shape(shape, chunks, options.block_elements);
  std::vector<std::uint64_t> grid(shape.size()), index(shape.size(), 0);
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return stats.to_json();
    grid[d] = (shape[d] + block[d] - 1) / block[d];
  }
  std::vector<T> values;
  do {
    std::vector<size_t> start(shape.size()), count(shape.size());
    std::size_t n = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      start[d] = index[d] * block[d];
      count[d] = std::min(block[d], shape[d] - start[d]);
      n *= count[d];
    }
    values.resize(n);
    check(nc_get_vara(f.id(), varid, start.data(), count.data(), values.data()), f.path(), "reading " + name);
    for (T v : values) {
      bool fill = false;
      for (T x : fills) fill |= v == x;
      stats.add(static_cast<double>(v), fill);
    }
  } while (next_index(index, grid));
  return stats.to_json();
}

json describe_variable(const File& f, int varid, const std::map<int, std::string>& dim_names,
                       const std::map<int, std::uint64_t>& dim_sizes, const Options& options) {
  char name[NC_MAX_NAME + 1];
  nc_type type;
  int ndims = 0, natts = 0;
  check(nc_inq_var(f.id(), varid, name, &type, &ndims, nullptr, &natts), f.path(), "variable");
  std::vector<int> dimids(ndims);
  check(nc_inq_vardimid(f.id(), varid, dimids.data()), f.path(), name);
  json v{{"name", name}, {"dtype", type_name(type)}};
  std::vector<std::uint64_t> shape;
  json dims = json::array();
  for (int id : dimids) {
    dims.push_back(dim_names.at(id));
    shape.push_back(dim_sizes.at(id));
  }
  v["dims"] = dims;
  v["shape"] = shape;

  int storage = NC_CONTIGUOUS;
  std::vector<size_t> chunk_sizes(ndims);
  check(nc_inq_var_chunking(f.id(), varid, &storage, chunk_sizes.data()), f.path(), name);
  std::vector<std::uint64_t> chunks;
  v["storage"] = storage == NC_CHUNKED ? "chunked" : storage == NC_COMPACT ? "compact" : "contiguous";
  if (storage == NC_CHUNKED) chunks.assign(chunk_sizes.begin(), chunk_sizes.end());
  v["chunks"] = storage == NC_CHUNKED ? json(chunks) : json(nullptr);
  int shuffle = 0, deflate = 0, level = 0;
  check(nc_inq_var_deflate(f.id(), varid, &shuffle, &deflate, &level), f.path(), name);
  v["compression"] = {{"shuffle", shuffle != 0}, {"deflate", deflate ? json(level) : json(nullptr)}};

  const json all = attributes(f, varid, natts);
  json key = json::object();
  for (const char* k : {"units", "long_name", "standard_name"})
    if (all.contains(k)) key[k] = all[k];
  v["attributes"] = key;

  v["fill_value"] = nullptr;
  v["stats"] = nullptr;
  visit_numeric(type, [&](auto t) {
    using T = decltype(t);
    const auto fills = fill_values<T>(f, varid);
    if (!fills.empty()) v["fill_value"] = number(fills.front());
    if (options.stats) v["stats"] = variable_stats<T>(f, varid, name, shape, chunks, options);
  });
  return v;
}

}  // namespace

json describe_netcdf(const std::string& path, const Options& options) {
  File f(path);
  int format = 0;
  check(nc_inq_format(f.id(), &format), path, "format");
  json out{{"path", path}};
  out["format"] = format == NC_FORMAT_NETCDF4          ? "netCDF-4"
                  : format == NC_FORMAT_NETCDF4_CLASSIC ? "netCDF-4 classic model"
                  : format == NC_FORMAT_64BIT_OFFSET    ? "netCDF-3 64-bit offset"
                  : format == NC_FORMAT_64BIT_DATA      ? "netCDF-3 64-bit data"
                                                        : "netCDF-3 classic";

  int ndims = 0, nvars = 0, natts = 0, unlimited = -1;
  check(nc_inq(f.id(), &ndims, &nvars, &natts, &unlimited), path, "inquiry");
  // Root group only: granary's files have no sub-groups.
  std::vector<int> dimids(ndims);
  check(nc_inq_dimids(f.id(), &ndims, dimids.data(), 0), path, "dimension ids");
  std::map<int, std::string> dim_names;
  std::map<int, std::uint64_t> dim_sizes;
  json dims = json::array();
  for (int d : dimids) {
    char name[NC_MAX_NAME + 1];
    size_t size = 0;
    check(nc_inq_dim(f.id(), d, name, &size), path, "dimension");
    dim_names[d] = name;
    dim_sizes[d] = size;
    dims.push_back({{"name", name}, {"size", size}, {"unlimited", d == unlimited}});
  }
  out["dimensions"] = dims;
  out["attributes"] = attributes(f, NC_GLOBAL, natts);
  json vars = json::array();
  for (int v = 0; v < nvars; ++v) vars.push_back(describe_variable(f, v, dim_names, dim_sizes, options));
  out["variables"] = vars;
  return out;
}

}  // namespace granary::describe
