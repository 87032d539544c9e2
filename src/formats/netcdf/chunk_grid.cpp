#include "formats/netcdf/chunk_grid.hpp"

#include <algorithm>
#include <cstring>

namespace granary::nc {

ChunkGrid::ChunkGrid(std::vector<std::size_t> shape, std::vector<std::size_t> chunk)
    : shape_(std::move(shape)), chunk_(std::move(chunk)) {
  for (std::size_t d = 0; d < shape_.size(); ++d) {
    per_dim_.push_back((shape_[d] + chunk_[d] - 1) / chunk_[d]);
    count_ *= per_dim_.back();
    chunk_elements_ *= chunk_[d];
  }
}

std::vector<std::size_t> ChunkGrid::offset(std::size_t index) const {
  std::vector<std::size_t> off(shape_.size());
  for (std::size_t d = shape_.size(); d-- > 0;) {
    off[d] = (index % per_dim_[d]) * chunk_[d];
    index /= per_dim_[d];
  }
  return off;
}

void ChunkGrid::gather(std::size_t index, const std::byte* array, std::size_t element_size,
                       std::byte* chunk) const {
  const std::size_t rank = shape_.size();
  const auto off = offset(index);
  std::vector<std::size_t> valid(rank), array_stride(rank), chunk_stride(rank);
  bool partial = false;
  for (std::size_t d = rank; d-- > 0;) {
    valid[d] = std::min(chunk_[d], shape_[d] - off[d]);
    partial |= valid[d] < chunk_[d];
    array_stride[d] = d + 1 < rank ? array_stride[d + 1] * shape_[d + 1] : element_size;
    chunk_stride[d] = d + 1 < rank ? chunk_stride[d + 1] * chunk_[d + 1] : element_size;
  }
  if (partial) std::memset(chunk, 0, chunk_elements_ * element_size);

  // Inner dimensions the chunk covers whole are one contiguous run in both buffers, so a
  // (1,1,360,720) chunk of a (1,50,360,720) array is a single memcpy.
  std::size_t first = rank - 1, run = valid[rank - 1] * element_size;
  while (first > 0 && chunk_[first] == shape_[first]) {
    --first;
    run *= valid[first];
  }

  std::size_t array_base = 0;
  for (std::size_t d = 0; d < rank; ++d) array_base += off[d] * array_stride[d];
  std::vector<std::size_t> at(first, 0);  // odometer over the outer dimensions [0, first)
  while (true) {
    std::size_t a = array_base, c = 0;
    for (std::size_t d = 0; d < first; ++d) {
      a += at[d] * array_stride[d];
      c += at[d] * chunk_stride[d];
    }
    std::memcpy(chunk + c, array + a, run);
    std::size_t d = first;
    while (d > 0 && ++at[d - 1] == valid[d - 1]) at[--d] = 0;
    if (d == 0) break;
  }
}

}  // namespace granary::nc
