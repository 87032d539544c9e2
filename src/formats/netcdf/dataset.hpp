#pragma once
// An in-memory description of a netCDF-4 (CF) file: dimensions, variables with their
// data, attributes and encodings. Recipes build one; the writer makes it a file.
// Data is borrowed (std::span of bytes in C order, host byte order): the caller keeps the
// buffers alive until write_netcdf returns. String variables are the exception: their
// values are owned by Variable::strings.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace granary::nc {

enum class Type { Int8, Int16, Int32, Int64, Float32, Float64, String };

// Attribute values: a text, or a typed scalar/vector (a scalar is a vector of size 1).
using AttrValue = std::variant<std::string, std::vector<std::int32_t>, std::vector<std::int64_t>,
                               std::vector<float>, std::vector<double>, std::vector<std::int16_t>,
                               std::vector<std::int8_t>>;

struct Attribute {
  std::string name;
  AttrValue value;
};

// Convenience constructors: attr("units", "m"), attr("valid_min", -1.5f).
inline Attribute attr(std::string name, std::string v) { return {std::move(name), std::move(v)}; }
inline Attribute attr(std::string name, const char* v) { return {std::move(name), std::string(v)}; }
inline Attribute attr(std::string name, float v) { return {std::move(name), std::vector<float>{v}}; }
inline Attribute attr(std::string name, double v) { return {std::move(name), std::vector<double>{v}}; }
inline Attribute attr(std::string name, std::int32_t v) { return {std::move(name), std::vector<std::int32_t>{v}}; }

struct Encoding {
  bool deflate = false;    // zlib (HDF5 deflate filter)
  int level = 5;
  bool shuffle = false;    // HDF5 byte shuffle, applied before deflate
  // Empty: contiguous when unfiltered; when filtered, one chunk per outer-index slab (the
  // innermost dimensions whole, e.g. (1,1,360,720) for (time,Z,lat,lon); see storage_plan.hpp).
  std::vector<std::size_t> chunks;
  std::optional<double> fill_value;      // written as _FillValue of the variable's type; NaN
                                         // data is stored as this value
  // Without fill_value: true = no _FillValue at all (NC_NOFILL, e.g. coordinates);
  // false = netCDF's default fill for the type (no attribute, nc_inq_var_fill reports it).
  bool no_fill = true;
};

struct Variable {
  std::string name;
  Type type = Type::Float32;
  std::vector<std::string> dims;
  std::vector<Attribute> attributes;
  std::span<const std::byte> data;       // product of dim sizes x size_of(type), C order
  Encoding encoding;
  std::vector<std::string> strings;      // Type::String only (instead of data), C order
  // Streaming (compressed variables only): when set, `data` stays empty and the writer asks
  // for each chunk's values (chunk_elements x size_of(type) bytes, host order, NaN allowed)
  // on its compression threads, concurrently for different chunks. Chunks are numbered in
  // C order over the chunk grid. This overlaps computing the values with compressing them.
  std::function<void(std::size_t chunk, std::byte* out)> chunk_source;
  // Attribute values known only once every chunk was produced (a granule's valid_min and
  // valid_max): `attributes` holds a placeholder of the same type and length for each name;
  // after the chunks the writer stores the returned value, or deletes the attribute when
  // the value is std::nullopt.
  std::function<std::vector<std::pair<std::string, std::optional<AttrValue>>>()> final_attributes;
};

struct Dimension {
  std::string name;
  std::size_t size = 0;
  bool unlimited = false;
};

struct Dataset {
  std::vector<Dimension> dimensions;
  std::vector<Variable> variables;       // written in this order
  std::vector<Attribute> attributes;     // global

  template <typename T>
  static std::span<const std::byte> bytes(const std::vector<T>& v) {
    return std::as_bytes(std::span<const T>(v));
  }
};

// Bytes per element in Variable::data; 0 for String (variable length, see Variable::strings).
std::size_t size_of(Type t);
// "float32", "int16", ... for messages.
const char* type_name(Type t);

}  // namespace granary::nc
