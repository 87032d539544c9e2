#pragma once
// Writes a Dataset as a netCDF-4 (HDF5) file, atomically: the file appears under `path`
// only when complete; on error the temporary sibling is removed and granary::Error names
// `path` and the netCDF-C/HDF5 message.
//
// Two phases (netCDF-C and HDF5 are not thread-safe, compression is the expensive part):
//  1. netCDF-C defines everything (dimensions, variables, attributes, fill modes, filters,
//     chunking) and writes the small and uncompressed variables; then nc_close.
//  2. HDF5 reopens the file and the large compressed variables are written as chunks
//     pre-compressed on `threads` threads (shuffle + libdeflate), see chunk_writer.hpp.
#include <cstddef>
#include <cstdint>
#include <string>

#include "formats/netcdf/dataset.hpp"

namespace granary::nc {

struct WriteOptions {
  int threads = 0;  // compression threads; 0 = hardware concurrency
  // Compressed variables of at least this many bytes are written as pre-compressed
  // chunks; smaller ones go through netCDF-C (SIZE_MAX: everything through netCDF-C).
  std::size_t direct_chunk_min_bytes = std::size_t{1} << 20;
};

struct WriteStats {
  std::uint64_t bytes = 0;      // size of the file written
  double define_seconds = 0;    // netCDF-C: define, write (and compress) its variables, close
  double compress_seconds = 0;  // waiting for the parallel chunk compression
  double write_seconds = 0;     // HDF5 reopen, raw chunk writes and close, fsync, rename
};

WriteStats write_netcdf(const Dataset& ds, const std::string& path, const WriteOptions& options = {});

// True once a file was left open after a write failed on a full or read-only disk (see
// NcFile): libnetcdf's exit handler would then crash closing it, so the process must end
// with _exit (main does).
bool files_left_open();

}  // namespace granary::nc
