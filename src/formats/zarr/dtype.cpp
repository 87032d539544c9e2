// Data types and fill values: the names each format uses and the bytes of a fill element.
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <fmt/ranges.h>
#include <zstd.h>

#include "formats/zarr/metadata.hpp"
#include "formats/zarr/visit_dtype.hpp"
#include "util/error.hpp"

namespace granary::zarr {

// Chunks are little-endian on disk and copied as they are in memory.
static_assert(std::endian::native == std::endian::little, "granary's Zarr writer assumes a little-endian host");

namespace {

struct DTypeNames {
  DType dtype;
  const char* v3;
  const char* v2;  // '|' for single bytes (no byte order), '<' little-endian otherwise
};

constexpr std::array<DTypeNames, 10> kNames{{
    {DType::Int8, "int8", "|i1"},       {DType::UInt8, "uint8", "|u1"},
    {DType::Int16, "int16", "<i2"},     {DType::UInt16, "uint16", "<u2"},
    {DType::Int32, "int32", "<i4"},     {DType::UInt32, "uint32", "<u4"},
    {DType::Int64, "int64", "<i8"},     {DType::UInt64, "uint64", "<u8"},
    {DType::Float32, "float32", "<f4"}, {DType::Float64, "float64", "<f8"},
}};


bool is_special_float(const nlohmann::json& v) {
  return v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity");
}

// Checks that `fill` can be stored in T; `what` names the array.
template <typename T>
void check_fill(const nlohmann::json& fill, const std::string& what) {
  if (fill.is_null()) return;
  if constexpr (std::is_floating_point_v<T>) {
    if (is_special_float(fill)) return;
    if (!fill.is_number())
      fail("{}: fill_value {} is not a number, \"NaN\", \"Infinity\" or \"-Infinity\"", what, fill.dump());
    double v = fill.get<double>();
    if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<T>::max()))
      fail("{}: fill_value {} does not fit the array's floating-point type", what, fill.dump());
  } else {
    if (!fill.is_number_integer()) fail("{}: fill_value {} is not an integer", what, fill.dump());
    bool fits = fill.is_number_unsigned()
                    ? fill.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                    : fill.get<std::int64_t>() >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                          (fill.get<std::int64_t>() < 0 ||
                           static_cast<std::uint64_t>(fill.get<std::int64_t>()) <=
                               static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
    if (!fits) fail("{}: fill_value {} is out of range for the array's integer type", what, fill.dump());
  }
}

template <typename T>
T fill_as(const nlohmann::json& fill) {
  if (fill.is_null()) return T{0};
  if constexpr (std::is_floating_point_v<T>) {
    if (fill == "NaN") return std::numeric_limits<T>::quiet_NaN();
    if (fill == "Infinity") return std::numeric_limits<T>::infinity();
    if (fill == "-Infinity") return -std::numeric_limits<T>::infinity();
    return static_cast<T>(fill.get<double>());
  } else {
    return fill.is_number_unsigned() ? static_cast<T>(fill.get<std::uint64_t>())
                                     : static_cast<T>(fill.get<std::int64_t>());
  }
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  return visit_dtype(dtype, [](auto t) { return sizeof(t); });
}

namespace detail {

std::string dtype_name(DType dtype, Format format) {
  for (const auto& n : kNames)
    if (n.dtype == dtype) return format == Format::V3 ? n.v3 : n.v2;
  fail("zarr: invalid data type {}", static_cast<int>(dtype));
}

DType parse_dtype(const nlohmann::json& name, Format format, const std::string& what) {
  if (name.is_string()) {
    auto s = name.get<std::string>();
    for (const auto& n : kNames) {
      if (format == Format::V3 && s == n.v3) return n.dtype;
      // numpy writes "<i1"/"<u1" as often as "|i1"/"|u1" for single bytes.
      if (format == Format::V2 && (s == n.v2 || (n.v2[0] == '|' && s == std::string("<") + (n.v2 + 1))))
        return n.dtype;
    }
  }
  fail("{}: unsupported data type {} (granary reads little-endian integers and floats)", what, name.dump());
}

void validate_spec(const ArraySpec& spec, const std::string& what) {
  // Sizes come from metadata a store hands us: bounded before anything is allocated or
  // looped over (the rank, one chunk's bytes, the number of chunks), products without overflow.
  if (spec.shape.size() > kMaxRank) fail("{}: {} dimensions, more than the {} granary reads", what, spec.shape.size(), kMaxRank);
  if (spec.chunks.size() != spec.shape.size())
    fail("{}: chunks have rank {} but the shape has rank {}", what, spec.chunks.size(), spec.shape.size());
  for (auto c : spec.chunks)
    if (c == 0) fail("{}: chunk sizes must be positive", what);
  if (!spec.dimension_names.empty() && spec.dimension_names.size() != spec.shape.size())
    fail("{}: {} dimension names for an array of rank {}", what, spec.dimension_names.size(), spec.shape.size());
  if (!spec.attributes.is_object()) fail("{}: attributes must be a JSON object", what);
  visit_dtype(spec.dtype, [&](auto t) { check_fill<decltype(t)>(spec.fill_value, what); });
  if (spec.codec.kind == Codec::Kind::Zstd &&
      (spec.codec.level < ZSTD_minCLevel() || spec.codec.level > ZSTD_maxCLevel()))
    fail("{}: zstd level {} is outside [{}, {}]", what, spec.codec.level, ZSTD_minCLevel(), ZSTD_maxCLevel());
  std::uint64_t bytes = dtype_size(spec.dtype);
  for (auto c : spec.chunks) {
    if (bytes > kMaxChunkBytes / c)
      fail("{}: chunk shape {} is too large (a chunk of more than {} bytes)", what, fmt::join(spec.chunks, "x"), kMaxChunkBytes);
    bytes *= c;
  }
  std::uint64_t values = 1, chunks = 1;
  for (std::size_t d = 0; d < spec.shape.size(); ++d) {
    const std::uint64_t n = spec.shape[d], along = n / spec.chunks[d] + (n % spec.chunks[d] != 0);
    if (n != 0 && values > (std::numeric_limits<std::uint64_t>::max() / dtype_size(spec.dtype)) / n)
      fail("{}: shape {} is too large (its size overflows 64 bits)", what, fmt::join(spec.shape, "x"));
    values *= n;
    if (along != 0 && chunks > kMaxChunks / along)
      fail("{}: shape {} in chunks of {} makes more than {} chunks", what, fmt::join(spec.shape, "x"),
           fmt::join(spec.chunks, "x"), kMaxChunks);
    chunks *= along;
  }
}

std::vector<std::byte> fill_element(const ArraySpec& spec) {
  return visit_dtype(spec.dtype, [&](auto t) {
    auto value = fill_as<decltype(t)>(spec.fill_value);
    std::vector<std::byte> bytes(sizeof(value));
    std::memcpy(bytes.data(), &value, sizeof(value));
    return bytes;
  });
}

std::size_t chunk_bytes(const ArraySpec& spec) {
  std::size_t n = dtype_size(spec.dtype);
  for (auto c : spec.chunks) n *= static_cast<std::size_t>(c);
  return n;
}

}  // namespace detail
}  // namespace granary::zarr
