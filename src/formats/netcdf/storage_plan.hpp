#pragma once
// How each variable of a Dataset will be stored: shape, chunk shape, and which of the two
// writers fills it (netCDF-C, or the parallel raw-chunk writer). Built, and the Dataset
// checked, before anything touches the disk, so bad input never leaves a half-written file.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "formats/netcdf/dataset.hpp"

namespace granary::nc {

struct VariablePlan {
  std::vector<std::size_t> shape;   // from the dimensions; empty for a scalar
  std::vector<std::size_t> chunks;  // empty: not chunked by us (contiguous, or netCDF-C's
                                    // default when a dimension is unlimited)
  std::size_t element_count = 1;
  bool has_unlimited_dim = false;
  bool filtered = false;       // deflate and/or shuffle
  bool direct_chunks = false;  // compressed in parallel, written with H5Dwrite_chunk
  std::string hdf5_name;       // the HDF5 dataset netCDF-C creates for this variable
};

// Compressed variables of at least `direct_min_bytes` take the direct-chunk route. Throws
// granary::Error naming `path` and the variable for inconsistent input (unknown or repeated
// names, data size vs dimensions, chunk shapes, encodings that the type cannot have).
std::vector<VariablePlan> plan_storage(const Dataset& ds, std::size_t direct_min_bytes,
                                       const std::string& path);

// The default chunk shape of a filtered variable: the innermost dimensions whole (the
// fewest that reach kSlabElements values; smaller chunks deflate worse and cost more in
// per-chunk overhead), 1 along the outer ones, so that every level of a (time, Z, lat, lon)
// field is its own chunk and levels compress in parallel. Halved along the outermost
// non-unit dimension while above kMaxChunkBytes.
inline constexpr std::size_t kSlabElements = std::size_t{1} << 13;
inline constexpr std::size_t kMaxChunkBytes = std::size_t{16} << 20;
std::vector<std::size_t> default_chunks(std::span<const std::size_t> shape, std::size_t element_size);

}  // namespace granary::nc
