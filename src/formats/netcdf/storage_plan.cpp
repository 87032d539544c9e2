#include "formats/netcdf/storage_plan.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <set>

#include "util/error.hpp"

namespace granary::nc {
namespace {

const Dimension* find_dimension(const Dataset& ds, const std::string& name) {
  for (const auto& d : ds.dimensions)
    if (d.name == name) return &d;
  return nullptr;
}

void check_attribute_names(const std::vector<Attribute>& attributes, const std::string& path,
                           const std::string& owner) {
  std::set<std::string> seen;
  for (const auto& a : attributes) {
    if (a.name.empty()) fail("{}: {} has an attribute without a name", path, owner);
    if (!seen.insert(a.name).second) fail("{}: {} has attribute '{}' twice", path, owner, a.name);
    // netCDF-C derives the HDF5 fill value from this attribute; only Encoding.fill_value
    // keeps the attribute, the fill mode and the NaN replacement consistent.
    if (a.name == "_FillValue")
      fail("{}: {}: set Encoding.fill_value instead of a _FillValue attribute", path, owner);
  }
}

bool representable(double v, Type t) {
  auto in_int_range = [v](auto lo, auto hi) {
    return std::isfinite(v) && v == std::trunc(v) && v >= static_cast<double>(lo) &&
           v <= static_cast<double>(hi);
  };
  switch (t) {
    case Type::Int8:
      return in_int_range(INT8_MIN, INT8_MAX);
    case Type::Int16:
      return in_int_range(INT16_MIN, INT16_MAX);
    case Type::Int32:
      return in_int_range(INT32_MIN, INT32_MAX);
    // 2^63 itself is not an int64; the largest double below it is.
    case Type::Int64:
      return in_int_range(INT64_MIN, 9223372036854774784.0);
    case Type::Float32:
      return !std::isfinite(v) || std::fabs(v) <= FLT_MAX;
    case Type::Float64:
      return true;
    case Type::String:
      return false;
  }
  return false;
}

void check_encoding(const Variable& v, const VariablePlan& plan, const std::string& path) {
  const auto& e = v.encoding;
  const auto where = fmt::format("variable '{}'", v.name);
  if (e.deflate && (e.level < 0 || e.level > 9))
    fail("{}: {}: deflate level {} is outside 0..9", path, where, e.level);
  if (v.type == Type::String && (plan.filtered || !e.chunks.empty() || e.fill_value))
    fail("{}: {}: string variables cannot be compressed, chunked or given a fill value", path, where);
  if (plan.shape.empty() && (plan.filtered || !e.chunks.empty()))
    fail("{}: {}: a scalar cannot be chunked or compressed", path, where);
  if (e.fill_value && !representable(*e.fill_value, v.type))
    fail("{}: {}: fill value {} does not fit {}", path, where, *e.fill_value, type_name(v.type));
  if (e.chunks.empty()) return;
  if (e.chunks.size() != plan.shape.size())
    fail("{}: {}: {} chunk sizes for {} dimensions", path, where, e.chunks.size(), plan.shape.size());
  for (std::size_t d = 0; d < e.chunks.size(); ++d)
    if (e.chunks[d] == 0) fail("{}: {}: chunk size 0 along '{}'", path, where, v.dims[d]);
}

}  // namespace

std::vector<std::size_t> default_chunks(std::span<const std::size_t> shape, std::size_t element_size) {
  std::vector<std::size_t> chunks(shape.size(), 1);
  std::size_t elements = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    chunks[d] = std::max<std::size_t>(shape[d], 1);
    elements *= chunks[d];
    if (elements >= kSlabElements) break;
  }
  for (std::size_t d = 0; d < chunks.size() && elements * element_size > kMaxChunkBytes;) {
    if (chunks[d] == 1) {
      ++d;
      continue;
    }
    elements /= chunks[d];
    chunks[d] = (chunks[d] + 1) / 2;
    elements *= chunks[d];
  }
  return chunks;
}

std::vector<VariablePlan> plan_storage(const Dataset& ds, std::size_t direct_min_bytes,
                                       const std::string& path) {
  std::set<std::string> names;
  for (const auto& d : ds.dimensions) {
    if (d.name.empty()) fail("{}: a dimension has no name", path);
    if (!names.insert(d.name).second) fail("{}: dimension '{}' is defined twice", path, d.name);
  }
  check_attribute_names(ds.attributes, path, "the dataset");

  std::vector<VariablePlan> plans;
  names.clear();
  for (const auto& v : ds.variables) {
    if (v.name.empty()) fail("{}: a variable has no name", path);
    if (!names.insert(v.name).second) fail("{}: variable '{}' is defined twice", path, v.name);
    check_attribute_names(v.attributes, path, fmt::format("variable '{}'", v.name));

    VariablePlan plan;
    for (const auto& dim_name : v.dims) {
      const auto* dim = find_dimension(ds, dim_name);
      if (!dim) fail("{}: variable '{}' uses undefined dimension '{}'", path, v.name, dim_name);
      plan.shape.push_back(dim->size);
      plan.element_count *= dim->size;
      plan.has_unlimited_dim |= dim->unlimited;
    }
    plan.filtered = v.encoding.deflate || v.encoding.shuffle;
    check_encoding(v, plan, path);
    for (std::size_t d = 0; d < v.encoding.chunks.size(); ++d) {
      const auto* dim = find_dimension(ds, v.dims[d]);
      // netCDF-C rejects chunks longer than a fixed dimension.
      if (!dim->unlimited && v.encoding.chunks[d] > std::max<std::size_t>(dim->size, 1))
        fail("{}: variable '{}': chunk size {} exceeds dimension '{}' of size {}", path, v.name,
             v.encoding.chunks[d], dim->name, dim->size);
    }

    if (v.type == Type::String) {
      if (v.strings.size() != plan.element_count)
        fail("{}: variable '{}': {} strings for {} elements", path, v.name, v.strings.size(),
             plan.element_count);
    } else if (v.chunk_source) {
      if (!plan.filtered)
        fail("{}: variable '{}': chunk_source needs a compressed variable (deflate or shuffle)", path, v.name);
      if (!v.data.empty()) fail("{}: variable '{}': both data and a chunk_source", path, v.name);
    } else if (v.data.size() != plan.element_count * size_of(v.type)) {
      fail("{}: variable '{}': {} bytes of data, expected {} ({} x {})", path, v.name, v.data.size(),
           plan.element_count * size_of(v.type), plan.element_count, type_name(v.type));
    }

    if (!v.encoding.chunks.empty())
      plan.chunks = v.encoding.chunks;
    else if (plan.filtered)
      plan.chunks = default_chunks(plan.shape, size_of(v.type));
    plan.direct_chunks = plan.filtered && plan.element_count > 0 &&
                         (v.chunk_source || plan.element_count * size_of(v.type) >= direct_min_bytes);
    if (v.final_attributes && !plan.direct_chunks)
      fail("{}: variable '{}': final_attributes need the direct-chunk path (a compressed variable)", path, v.name);

    // netCDF-C stores a variable that shares a dimension's name without being its
    // coordinate variable under a prefixed HDF5 name (NON_COORD_PREPEND).
    bool clashes = find_dimension(ds, v.name) && (v.dims.empty() || v.dims[0] != v.name);
    plan.hdf5_name = clashes ? "_nc4_non_coord_" + v.name : v.name;
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace granary::nc
