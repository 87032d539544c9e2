// io::BlockCache: small reads near each other cost one request per block, large reads go
// straight through, bytes past the end read as zeros, least recently used blocks go first.
#include <gtest/gtest.h>

#include <cstring>
#include <utility>
#include <vector>

#include "io/block_cache.hpp"
#include "util/error.hpp"

namespace granary::io {
namespace {

// An in-memory object that records every request.
class MemoryObject final : public RangeReader {
 public:
  explicit MemoryObject(std::size_t size) : bytes_(size) {
    for (std::size_t i = 0; i < size; ++i) bytes_[i] = static_cast<std::byte>(i * 7 + i / 251);
  }
  const std::string& name() const override { return name_; }
  std::uint64_t size() const override { return bytes_.size(); }
  void read(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset + out.size() > bytes_.size()) fail("{}: truncated", name_);
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    log.emplace_back(offset, out.size());
    count_fetch(offset, out.size());
  }
  std::vector<std::byte> slice(std::uint64_t offset, std::size_t n) const {
    return {bytes_.begin() + static_cast<std::ptrdiff_t>(offset), bytes_.begin() + static_cast<std::ptrdiff_t>(offset + n)};
  }
  mutable std::vector<std::pair<std::uint64_t, std::uint64_t>> log;  // (offset, size) of every request

 private:
  std::string name_ = "memory";
  std::vector<std::byte> bytes_;
};

std::vector<std::byte> read(BlockCache& cache, std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n, std::byte{0xee});
  cache.read(offset, out);
  return out;
}

using Requests = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

TEST(BlockCache, SmallReadsShareAlignedBlocks) {
  MemoryObject object(10'000);
  BlockCache cache(object, {.block_size = 1024, .read_ahead = 0, .direct_size = 1024, .max_blocks = 4});
  EXPECT_EQ(read(cache, 100, 8), object.slice(100, 8));
  EXPECT_EQ(read(cache, 900, 100), object.slice(900, 100));  // same block: no request
  EXPECT_EQ(object.log, (Requests{{0, 1024}}));
  // Spanning two missing blocks: one request for both.
  EXPECT_EQ(read(cache, 2000, 100), object.slice(2000, 100));
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{1024, 2048}));
  // Spanning a cached and a missing block: only the missing one.
  EXPECT_EQ(read(cache, 3000, 200), object.slice(3000, 200));
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{3072, 1024}));
  EXPECT_EQ(cache.stats().fetches, 3u);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(object.requests(), 3u);
  EXPECT_EQ(object.bytes_fetched(), 4096u);
}

TEST(BlockCache, LargeReadsBypassTheCacheAndTheEndReadsAsZeros) {
  MemoryObject object(10'000);
  BlockCache cache(object, {.block_size = 1024, .read_ahead = 0, .direct_size = 1024, .max_blocks = 4});
  EXPECT_EQ(read(cache, 10, 5000), object.slice(10, 5000));
  EXPECT_EQ(object.log, (Requests{{10, 5000}}));
  // The last block is short; past the end is zeros (as libhdf5's POSIX driver reads).
  auto tail = read(cache, 9990, 20);
  EXPECT_EQ(std::vector<std::byte>(tail.begin(), tail.begin() + 10), object.slice(9990, 10));
  EXPECT_EQ(std::vector<std::byte>(tail.begin() + 10, tail.end()), std::vector<std::byte>(10, std::byte{0}));
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{9216, 784}));
  EXPECT_EQ(read(cache, 20'000, 4), std::vector<std::byte>(4, std::byte{0}));
  EXPECT_EQ(object.log.size(), 2u);
}

TEST(BlockCache, DropsTheLeastRecentlyUsedBlock) {
  MemoryObject object(10'000);
  BlockCache cache(object, {.block_size = 1024, .read_ahead = 0, .direct_size = 1024, .max_blocks = 2});
  read(cache, 0, 1);     // block 0
  read(cache, 1024, 1);  // block 1
  read(cache, 0, 1);     // block 0 again: now the most recent
  read(cache, 2048, 1);  // block 2 evicts block 1
  EXPECT_EQ(object.log.size(), 3u);
  read(cache, 0, 1);
  EXPECT_EQ(object.log.size(), 3u);
  read(cache, 1024, 1);
  EXPECT_EQ(object.log.size(), 4u);
}

// libhdf5 reads a metadata island front to back: a miss also fetches the blocks after it,
// up to a cached block or the end of the object; reads below direct_size use the cache.
TEST(BlockCache, AMissReadsAheadUpToACachedBlockOrTheEnd) {
  MemoryObject object(10'000);
  BlockCache cache(object, {.block_size = 1024, .read_ahead = 2, .direct_size = 4096, .max_blocks = 16});
  EXPECT_EQ(read(cache, 100, 8), object.slice(100, 8));
  EXPECT_EQ(object.log, (Requests{{0, 3072}}));
  EXPECT_EQ(read(cache, 2100, 100), object.slice(2100, 100));  // read ahead: no request
  EXPECT_EQ(object.log.size(), 1u);
  read(cache, 5000, 1);  // blocks 4, 5, 6
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{4096, 3072}));
  EXPECT_EQ(read(cache, 3000, 1500), object.slice(3000, 1500));  // block 3 alone: 4 is cached
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{3072, 1024}));
  read(cache, 9000, 1);  // blocks 8, 9 (the short last one): the object ends
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{8192, 1808}));
  EXPECT_EQ(read(cache, 5500, 4096), object.slice(5500, 4096));  // direct_size or more: straight through
  EXPECT_EQ(object.log.back(), (std::pair<std::uint64_t, std::uint64_t>{5500, 4096}));
  EXPECT_EQ(object.requests(), 5u);
  EXPECT_EQ(object.bytes_fetched(), 3072u + 3072u + 1024u + 1808u + 4096u);
  EXPECT_EQ(object.bytes_needed(), 8u + 100u + 1u + 1500u + 4096u);  // the byte at 9000 lies in the direct read
}

}  // namespace
}  // namespace granary::io
