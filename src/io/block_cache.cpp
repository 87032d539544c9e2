#include "io/block_cache.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "util/error.hpp"

namespace granary::io {

BlockCache::BlockCache(const RangeReader& bytes, BlockCacheOptions options) : bytes_(bytes), options_(options) {
  if (options_.block_size == 0) fail("{}: block cache: block size must be positive", bytes_.name());
  options_.max_blocks = std::max<std::size_t>(options_.max_blocks, 1);
}

const BlockCache::Block* BlockCache::cached(std::uint64_t index) {
  auto it = index_.find(index);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

void BlockCache::read(std::uint64_t offset, std::span<std::byte> out) {
  ++stats_.reads;
  stats_.bytes += out.size();
  const std::uint64_t size = bytes_.size();
  const std::uint64_t inside = offset >= size ? 0 : std::min<std::uint64_t>(out.size(), size - offset);
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(inside), out.end(), std::byte{0});
  if (inside == 0) return;
  bytes_.note_needed(offset, inside);
  const std::uint64_t end = offset + inside;
  if (inside >= options_.direct_size) {
    bytes_.read(offset, out.first(inside));
    ++stats_.fetches;
    stats_.fetched_bytes += inside;
    return;
  }
  // Copies the overlap of [from, from + data.size()) with the wanted range into `out`.
  auto copy_from = [&](std::uint64_t from, std::span<const std::byte> data) {
    const std::uint64_t lo = std::max(from, offset), hi = std::min(from + data.size(), end);
    if (lo < hi) std::memcpy(out.data() + (lo - offset), data.data() + (lo - from), hi - lo);
  };
  const std::uint64_t block = options_.block_size;
  std::optional<std::uint64_t> first_missing, last_missing;
  for (std::uint64_t b = offset / block; b <= (end - 1) / block; ++b) {
    if (const Block* hit = cached(b)) {
      copy_from(b * block, hit->bytes);
    } else {
      if (!first_missing) first_missing = b;
      last_missing = b;
    }
  }
  if (!first_missing) {
    ++stats_.hits;
    return;
  }
  // The missing blocks in one request, with the blocks after them that libhdf5 is likely to
  // read next (the rest of a metadata island).
  const std::uint64_t last_block = (size - 1) / block;
  for (std::size_t n = 0; n < options_.read_ahead && *last_missing < last_block && !index_.count(*last_missing + 1); ++n)
    ++*last_missing;
  const std::uint64_t start = *first_missing * block;
  std::vector<std::byte> fetched(std::min((*last_missing + 1) * block, size) - start);
  bytes_.read(start, fetched);
  ++stats_.fetches;
  stats_.fetched_bytes += fetched.size();
  copy_from(start, fetched);
  for (std::uint64_t b = *first_missing; b <= *last_missing; ++b) {
    if (index_.count(b)) continue;
    const std::uint64_t from = b * block - start;
    const std::uint64_t n = std::min<std::uint64_t>(block, fetched.size() - from);
    lru_.push_front({b, std::vector<std::byte>(fetched.begin() + static_cast<std::ptrdiff_t>(from),
                                               fetched.begin() + static_cast<std::ptrdiff_t>(from + n))});
    index_[b] = lru_.begin();
    if (lru_.size() > options_.max_blocks) {
      index_.erase(lru_.back().index);
      lru_.pop_back();
    }
  }
}

}  // namespace granary::io
