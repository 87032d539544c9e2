#include "render/zarr_cells.hpp"

#include <cmath>
#include <cstring>
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "formats/zarr/zarr.hpp"
#include "io/store.hpp"
#include "recipes/atl06/cell_index.hpp"
#include "render/time_label.hpp"
#include "util/error.hpp"

namespace granary::render {
namespace {

template <typename T>
std::vector<double> as_doubles(const std::vector<std::byte>& raw) {
  std::vector<double> out(raw.size() / sizeof(T));
  for (std::size_t k = 0; k < out.size(); ++k) {
    T v;
    std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));  // little-endian hosts only, as formats/zarr
    out[k] = static_cast<double>(v);
  }
  return out;
}

// A 1-D numeric array as doubles (uint64 ids are exact below 2^53, true of every nested id).
std::vector<double> read_numbers(const io::Store& store, const std::string& path, zarr::DType dtype) {
  const auto raw = zarr::read_array(store, path);
  switch (dtype) {
    case zarr::DType::Int8: return as_doubles<std::int8_t>(raw);
    case zarr::DType::UInt8: return as_doubles<std::uint8_t>(raw);
    case zarr::DType::Int16: return as_doubles<std::int16_t>(raw);
    case zarr::DType::UInt16: return as_doubles<std::uint16_t>(raw);
    case zarr::DType::Int32: return as_doubles<std::int32_t>(raw);
    case zarr::DType::UInt32: return as_doubles<std::uint32_t>(raw);
    case zarr::DType::Int64: return as_doubles<std::int64_t>(raw);
    case zarr::DType::UInt64: return as_doubles<std::uint64_t>(raw);
    case zarr::DType::Float32: return as_doubles<float>(raw);
    case zarr::DType::Float64: return as_doubles<double>(raw);
  }
  return {};
}

struct Array1d {
  std::vector<double> values;
  nlohmann::json attributes;
};

Array1d read_1d(const io::Store& store, const std::string& uri, const std::string& path) {
  const auto node = zarr::read_node(store, path);
  if (!node || !node->is_array) fail("{}: no array '{}'", uri, path);
  if (node->array->shape.size() != 1) fail("{}: array '{}' is not 1-D", uri, path);
  return Array1d{read_numbers(store, path, node->array->dtype), node->attributes};
}

// Nested ids (as doubles, the same as read_1d gives cell_ids) decoded from the `morton`
// coordinate; -1 where a value is no cell of this order.
Array1d morton_cells(const io::Store& store, const std::string& uri, const std::string& group, const atl06::CellIndex& index,
                     int order) {
  const auto node = zarr::read_node(store, group + "/morton");
  if (!node || !node->is_array) fail("{}: group '{}' has neither cell_ids nor morton", uri, group);
  const auto want = index.morton_form == atl06::MortonForm::Packed ? zarr::DType::UInt64 : zarr::DType::Int64;
  if (node->array->dtype != want || node->array->shape.size() != 1)
    fail("{}: {}/morton is not a 1-D {} array", uri, group, want == zarr::DType::UInt64 ? "uint64 (packed)" : "int64 (legacy)");
  const auto raw = zarr::read_array(store, group + "/morton");
  Array1d out;
  for (const auto nest : atl06::nested_from_morton(raw, index.morton_form, order)) out.values.push_back(static_cast<double>(nest));
  return out;
}

int default_order(const io::Store& store, const std::string& uri) {
  const auto root = zarr::read_node(store, "");
  if (!root || root->is_array) fail("{}: not a Zarr group", uri);
  const auto& orders = root->attributes.value("child_orders", nlohmann::json::array());
  if (!orders.empty() && orders[0].is_number_integer()) return orders[0].get<int>();
  for (int order = 0; order <= 29; ++order)
    if (const auto node = zarr::read_node(store, std::to_string(order)); node && !node->is_array) return order;
  fail("{}: no cell group (a group named by its HEALPix order, e.g. '12')", uri);
}

}  // namespace

bool looks_like_zarr(const std::string& path) {
  namespace fs = std::filesystem;
  return fs::is_directory(path) && (fs::exists(fs::path(path) / "zarr.json") || fs::exists(fs::path(path) / ".zgroup"));
}

CellField read_zarr_cells(const std::string& uri, const std::string& variable, std::optional<int> order) {
  const auto store = io::open_store(uri);
  CellField field;
  field.variable = variable;
  field.order = order ? *order : default_order(*store, uri);
  const std::string group = std::to_string(field.order);
  if (const auto node = zarr::read_node(*store, group); !node || node->is_array)
    fail("{}: no cell group '{}' (--level is the HEALPix order of the cells)", uri, group);
  if (!zarr::read_node(*store, group + "/" + variable)) fail("{}: no variable '{}' in group '{}'", uri, variable, group);
  const auto group_node = zarr::read_node(*store, group);
  const auto cell_ids_node = zarr::read_node(*store, group + "/cell_ids");
  const atl06::CellIndex index =
      atl06::declared_cell_index(group_node->attributes, cell_ids_node ? cell_ids_node->attributes : nlohmann::json());
  field.latitude = index.latitude;
  const auto ids = cell_ids_node ? read_1d(*store, uri, group + "/cell_ids") : morton_cells(*store, uri, group, index, field.order);
  const auto counts = read_1d(*store, uri, group + "/count");
  const auto data = read_1d(*store, uri, group + "/" + variable);
  if (ids.values.size() != counts.values.size() || ids.values.size() != data.values.size())
    fail("{}: cell_ids, count and {} have different lengths ({}, {}, {})", uri, variable, ids.values.size(),
         counts.values.size(), data.values.size());
  field.units = data.attributes.value("units", "");
  field.long_name = data.attributes.value("long_name", "");
  const double cells_at_order = 12.0 * std::ldexp(1.0, 2 * field.order);
  // The time span of the data, when the store keeps per-cell times (--extra-stats).
  if (zarr::read_node(*store, group + "/t_min") && zarr::read_node(*store, group + "/t_max")) {
    const auto t_min = read_1d(*store, uri, group + "/t_min"), t_max = read_1d(*store, uri, group + "/t_max");
    double first = INFINITY, last = -INFINITY;
    for (std::size_t k = 0; k < std::min(t_min.values.size(), counts.values.size()); ++k)
      if (counts.values[k] > 0 && std::isfinite(t_min.values[k]) && std::isfinite(t_max.values[k]))
        first = std::min(first, t_min.values[k]), last = std::max(last, t_max.values[k]);
    const std::string units = t_min.attributes.value("units", "");
    if (first <= last && units.find(" since ") != std::string::npos)
      field.time_label = fmt::format("{} .. {}", format_cf_time(first, units).substr(0, 10), format_cf_time(last, units).substr(0, 10));
  }
  for (std::size_t k = 0; k < ids.values.size(); ++k) {
    // Padding rows of parents with fewer cells carry the fill id and count 0.
    if (!(counts.values[k] > 0) || !(ids.values[k] >= 0 && ids.values[k] < cells_at_order)) continue;
    field.nest.push_back(static_cast<std::int64_t>(ids.values[k]));
    field.count.push_back(static_cast<std::int64_t>(counts.values[k]));
    field.values.push_back(static_cast<float>(data.values[k]));
  }
  return field;
}

}  // namespace granary::render
