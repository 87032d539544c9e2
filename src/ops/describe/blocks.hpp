#pragma once
// Splitting an array into blocks of bounded size for streaming reads.
#include <cstdint>
#include <vector>

namespace granary::describe {

// The shape of the blocks to read `shape` in: whole storage chunks (`chunks`; empty for
// contiguous storage) so that no chunk is decompressed twice, grown from the innermost
// dimension outwards while a block stays within `max_elements` (at least one chunk).
std::vector<std::uint64_t> block_shape(const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& chunks,
                                       std::uint64_t max_elements);

// Steps `index` through [0, limits) in C order; false once every index was visited.
bool next_index(std::vector<std::uint64_t>& index, const std::vector<std::uint64_t>& limits);

}  // namespace granary::describe
