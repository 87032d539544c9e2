#pragma once
// Aligned blocks of one object, kept in a small LRU cache, so that many small reads near
// each other become a few large ones. libhdf5 reads a file's metadata (superblock, object
// headers, B-tree nodes, heaps) a few bytes to a few KiB at a time; on S3 each of those
// would otherwise be one GET, each costing a round trip.
//
// Not thread-safe: one cache serves one libhdf5 file, and libhdf5 calls it from one thread.
#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "io/range_reader.hpp"

namespace granary::io {

// The defaults suit HDF5 metadata: it sits in small islands (an object header, a B-tree
// node, a heap: 2-7 KiB on ATL06 granules) spread over the whole file, next to each
// dataset's chunks, and libhdf5 reads an island front to back in pieces. A miss so fetches
// its block and the next two (a 24 KiB window): most islands cost one request, and little
// beyond the island is fetched. Describing the columns of the ATL06 benchmark cell fetches
// 1.37x the bytes the job needs in as many requests as 64 KiB blocks without read-ahead did
// (2.0x); 4 KiB + 1 block would fetch 1.13x in 2 % more requests, 2.5x more on real granules
// (docs/storage.md, "Why 8 KiB blocks with read-ahead").
struct BlockCacheOptions {
  std::uint64_t block_size = 8 << 10;    // bytes; blocks start at multiples of it
  std::size_t read_ahead = 2;            // blocks fetched past a read's last missing block
                                         // (fewer at a cached block or the object's end)
  std::uint64_t direct_size = 64 << 10;  // reads of at least this many bytes bypass the cache
  std::size_t max_blocks = 128;          // least recently used blocks are dropped beyond this
};

struct BlockCacheStats {
  std::uint64_t reads = 0;           // read() calls
  std::uint64_t bytes = 0;           // bytes they asked for
  std::uint64_t hits = 0;            // read() calls served without a fetch
  std::uint64_t fetches = 0;         // requests sent to the reader
  std::uint64_t fetched_bytes = 0;   // bytes those requests returned
};

class BlockCache {
 public:
  BlockCache(const RangeReader& bytes, BlockCacheOptions options);

  // Fills `out` with bytes [offset, offset + out.size()); bytes past the end of the object
  // read as zeros (as libhdf5's POSIX driver does). The bytes asked for are noted as needed
  // on the reader (RangeReader::note_needed); the blocks fetched count as fetched. A read of
  // direct_size or more goes to the reader directly in one request and is not cached: it is
  // raw data, read once. Missing blocks, and up to read_ahead blocks after them, are fetched
  // in one request.
  void read(std::uint64_t offset, std::span<std::byte> out);

  const BlockCacheStats& stats() const { return stats_; }

 private:
  struct Block {
    std::uint64_t index;
    std::vector<std::byte> bytes;  // block_size bytes, fewer for the object's last block
  };
  const Block* cached(std::uint64_t index);
  // Fetches blocks [first, last] in one request and caches them.
  void fetch(std::uint64_t first, std::uint64_t last);

  const RangeReader& bytes_;
  BlockCacheOptions options_;
  std::list<Block> lru_;  // most recently used first
  std::unordered_map<std::uint64_t, std::list<Block>::iterator> index_;
  BlockCacheStats stats_;
};

}  // namespace granary::io
