#pragma once
// The second phase of write_netcdf: the file netCDF-C defined (and closed) is reopened with
// the HDF5 C API, and the large compressed variables are written as pre-compressed chunks
// (H5Dwrite_chunk). Chunks are gathered, shuffled and deflated on worker threads; every
// HDF5 call stays on the calling thread.
#include <filesystem>
#include <span>
#include <string>

#include "formats/netcdf/dataset.hpp"
#include "formats/netcdf/storage_plan.hpp"

namespace granary::nc {

struct DirectVariable {
  const Variable* variable;
  const VariablePlan* plan;
};

struct ChunkPhaseSeconds {
  double compress = 0;  // waiting for encoded chunks
  double write = 0;     // inside HDF5 (open, checks, H5Dwrite_chunk, close)
};

// Checks that each dataset's filter pipeline is exactly what the encoding asked for, in
// the order this code applies it (shuffle, then deflate), and fails loudly otherwise.
// Errors name `display_path` and carry the HDF5 error stack.
ChunkPhaseSeconds write_direct_chunks(const std::filesystem::path& file, std::span<const DirectVariable> vars,
                                      unsigned threads, const std::string& display_path);

}  // namespace granary::nc
