#include "formats/netcdf/fill_value.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace granary::nc {
namespace {

template <typename T>
std::vector<std::byte> one(double value) {
  T v = static_cast<T>(value);
  std::vector<std::byte> out(sizeof(T));
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

// Element-wise through memcpy: the byte spans carry no alignment guarantee.
template <typename T>
bool replace_nan_as(std::span<std::byte> values, T fill) {
  bool replaced = false;
  const std::size_t n = values.size() / sizeof(T);
  std::byte* p = values.data();
  for (std::size_t k = 0; k < n; ++k, p += sizeof(T)) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if (std::isnan(v)) {
      std::memcpy(p, &fill, sizeof(T));
      replaced = true;
    }
  }
  return replaced;
}

template <typename T>
bool contains_nan_as(std::span<const std::byte> values) {
  const std::size_t n = values.size() / sizeof(T);
  const std::byte* p = values.data();
  for (std::size_t k = 0; k < n; ++k, p += sizeof(T)) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if (std::isnan(v)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::byte> fill_bytes(Type t, double value) {
  switch (t) {
    case Type::Int8:
      return one<std::int8_t>(value);
    case Type::Int16:
      return one<std::int16_t>(value);
    case Type::Int32:
      return one<std::int32_t>(value);
    case Type::Int64:
      return one<std::int64_t>(value);
    case Type::Float32:
      return one<float>(value);
    case Type::Float64:
      return one<double>(value);
    case Type::String:
      return {};
  }
  return {};
}

bool replace_nan(std::span<std::byte> values, Type t, double fill) {
  if (t == Type::Float32) return replace_nan_as<float>(values, static_cast<float>(fill));
  if (t == Type::Float64) return replace_nan_as<double>(values, fill);
  return false;
}

bool contains_nan(std::span<const std::byte> values, Type t) {
  if (t == Type::Float32) return contains_nan_as<float>(values);
  if (t == Type::Float64) return contains_nan_as<double>(values);
  return false;
}

}  // namespace granary::nc
