#pragma once
// The HDF5 filter pipeline netCDF-C sets up for a compressed variable (shuffle, then
// deflate), run in memory on one chunk so that chunks can be encoded on many threads and
// handed to HDF5 already compressed.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

struct libdeflate_compressor;

namespace granary::nc {

struct FilterPipeline {
  std::size_t shuffle_element_size = 0;  // 0: no shuffle filter
  std::optional<int> deflate_level;      // absent: no deflate filter
};

// HDF5's shuffle filter (H5Zshuffle.c): byte k of every element, for k = 0..size-1, one
// after the other; trailing bytes that do not make a whole element stay in place. Like
// HDF5, a buffer of a single element (or 1-byte elements) is copied unchanged.
void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out);

// Encodes chunks through a FilterPipeline. One per thread (it owns scratch space and the
// libdeflate compressors, which are not thread-safe).
class ChunkEncoder {
 public:
  ChunkEncoder();
  ~ChunkEncoder();
  ChunkEncoder(const ChunkEncoder&) = delete;
  ChunkEncoder& operator=(const ChunkEncoder&) = delete;

  // Writes the filtered bytes of `raw` into `out` (resized to the encoded size). The
  // deflate output is a zlib stream, which is what HDF5's deflate filter reads.
  void encode(std::span<const std::byte> raw, const FilterPipeline& pipeline, std::vector<std::byte>& out);

 private:
  libdeflate_compressor* compressor(int level);

  struct FreeCompressor {
    void operator()(libdeflate_compressor* c) const;
  };
  std::map<int, std::unique_ptr<libdeflate_compressor, FreeCompressor>> compressors_;
  std::vector<std::byte> shuffled_;
};

}  // namespace granary::nc
