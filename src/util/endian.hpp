#pragma once
// Big-endian decoding for MDS (MITgcm writes >f4/>f8) and other on-disk formats.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace granary {

template <typename T>
inline T load_be(const std::byte* p) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) == 4) {
    std::uint32_t u;
    std::memcpy(&u, p, 4);
    if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap32(u);
    return std::bit_cast<T>(u);
  } else {
    std::uint64_t u;
    std::memcpy(&u, p, 8);
    if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap64(u);
    return std::bit_cast<T>(u);
  }
}

template <typename T>
inline void store_be(std::byte* p, T value) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) == 4) {
    auto u = std::bit_cast<std::uint32_t>(value);
    if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap32(u);
    std::memcpy(p, &u, 4);
  } else {
    auto u = std::bit_cast<std::uint64_t>(value);
    if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap64(u);
    std::memcpy(p, &u, 8);
  }
}

}  // namespace granary
