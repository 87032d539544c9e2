#pragma once
// Reading one chunk of a Zarr array at a time, so that arrays of any size can be scanned in
// bounded memory (zarr::read_array reads the whole array).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "formats/zarr/zarr.hpp"
#include "io/store.hpp"

namespace granary::describe {

// Chunks along each dimension ({1} for a 0-d array).
std::vector<std::uint64_t> chunk_grid(const zarr::ArraySpec& spec);

// Store key of the chunk at `coords` of the array at `array_path`.
std::string chunk_store_key(const std::string& array_path, zarr::Format format, std::span<const std::uint64_t> coords);

// The decoded chunk (whole, edge chunks padded, little-endian C order), or nullopt when the
// chunk was never written. Decoding errors name the chunk's key.
std::optional<std::vector<std::byte>> read_chunk(const io::Store& store, const std::string& array_path,
                                                 const zarr::NodeInfo& node, std::span<const std::uint64_t> coords);

}  // namespace granary::describe
