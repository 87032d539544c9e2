#include "ops/describe/blocks.hpp"

#include <algorithm>

namespace granary::describe {

std::vector<std::uint64_t> block_shape(const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& chunks,
                                       std::uint64_t max_elements) {
  std::vector<std::uint64_t> block(shape.size(), 1);
  if (chunks.size() == shape.size())
    for (std::size_t d = 0; d < shape.size(); ++d) block[d] = std::max<std::uint64_t>(1, std::min(chunks[d], shape[d]));
  std::uint64_t elements = 1;
  for (auto b : block) elements *= b;
  for (std::size_t d = shape.size(); d-- > 0;) {
    const std::uint64_t others = elements / block[d];
    const std::uint64_t step = block[d];  // grow by whole chunks
    const std::uint64_t fit = std::max<std::uint64_t>(1, max_elements / others / step) * step;
    block[d] = std::max(block[d], std::min(shape[d], fit));
    elements = others * block[d];
    if (block[d] < shape[d]) break;  // outer dimensions cannot grow without gaps
  }
  return block;
}

bool next_index(std::vector<std::uint64_t>& index, const std::vector<std::uint64_t>& limits) {
  for (std::size_t d = index.size(); d-- > 0;) {
    if (++index[d] < limits[d]) return true;
    index[d] = 0;
  }
  return false;
}

}  // namespace granary::describe
