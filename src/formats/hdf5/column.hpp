#pragma once
// A 1-D HDF5 dataset read chunk by chunk, from any thread.
//
// Why not H5Dread: libhdf5 is not thread-safe, so every H5Dread (and its inflate) would run
// on one core. describe() asks libhdf5 only for the layout: type, filters and where each
// chunk lives in the file. Reading and decoding (libdeflate, unshuffle) then run on worker
// threads over a RangeReader (pread locally, ranged GETs remotely), and only the chunks a job
// needs are ever read. Layouts this fast path does not know (other filters, compact storage)
// are read once with H5Dread at describe() time, so every file still reads correctly.
//
// Read economy: every read notes what it needed on the reader (RangeReader::note_needed):
// a chunk's stored bytes when it is decoded whole, the bytes the decoder consumed when only
// a chunk's first element is decoded (read_first), the range of a contiguous read.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <hdf5.h>

#include "io/range_reader.hpp"

namespace granary::hdf5 {

struct ElementType {
  char kind = 'f';        // 'f' float, 'i' signed, 'u' unsigned
  std::size_t size = 0;   // bytes
};

class Column {
 public:
  // Describes dataset `path` of an open file. `bytes` reads the same file's bytes (it must
  // outlive the Column). Throws granary::Error naming the file and dataset when it is
  // missing, not 1-D, or not a little-endian integer/float type.
  static Column describe(hid_t file, const std::string& path, std::shared_ptr<const io::RangeReader> bytes);

  const std::string& path() const { return path_; }
  ElementType type() const { return type_; }
  std::uint64_t size() const { return length_; }
  std::uint64_t chunk_length() const { return chunk_length_; }
  std::uint64_t chunk_count() const { return chunk_length_ ? (length_ + chunk_length_ - 1) / chunk_length_ : 0; }
  // Elements of chunk k in the dataset (the last chunk may be partial).
  std::uint64_t chunk_elements(std::uint64_t k) const;

  // Decodes chunk k into `out` (resized to chunk_elements(k) * type().size bytes). Thread-safe.
  void read_chunk(std::uint64_t k, std::vector<std::byte>& out) const;
  // The first element of chunk k (out.size() == type().size), decoding as little as the
  // filters allow: a deflate-only chunk is inflated just far enough (a few hundred bytes of
  // the stream), not whole. Thread-safe.
  void read_first(std::uint64_t k, std::span<std::byte> out) const;
  // Elements [first, first + out_elements) as T (T must match the stored type exactly).
  template <typename T>
  void read(std::uint64_t first, std::span<T> out) const;

  // Stored (compressed) bytes of chunk k, for read-amplification statistics.
  std::uint64_t stored_bytes(std::uint64_t k) const;

 private:
  struct Chunk {
    std::uint64_t address = 0;
    std::uint64_t stored_size = 0;   // 0: never written, reads as the fill value
    unsigned filter_mask = 0;        // bit i set: filter i was skipped for this chunk
  };
  void read_range_bytes(std::uint64_t first, std::uint64_t count, std::byte* out) const;

  std::string path_;
  ElementType type_;
  std::uint64_t length_ = 0;
  std::uint64_t chunk_length_ = 0;
  std::vector<int> filters_;                  // H5Z filter ids in pipeline (write) order
  std::vector<Chunk> chunks_;
  std::vector<std::byte> fill_;               // one element
  std::uint64_t contiguous_address_ = HADDR_UNDEF;
  std::shared_ptr<std::vector<std::byte>> preloaded_;  // slow path: whole dataset, decoded
  std::shared_ptr<const io::RangeReader> bytes_;
};

// Whether `path` (e.g. "/gt1l/land_ice_segments") exists, checking each component.
bool link_exists(hid_t file, const std::string& path);

}  // namespace granary::hdf5
