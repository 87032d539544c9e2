#pragma once
// The regular grid of chunks over a C-order array, and copying one chunk out of the array
// into the full-size buffer HDF5 expects (edge chunks padded, even where the array ends).
#include <cstddef>
#include <vector>

namespace granary::nc {

class ChunkGrid {
 public:
  ChunkGrid(std::vector<std::size_t> shape, std::vector<std::size_t> chunk);

  std::size_t count() const { return count_; }
  std::size_t chunk_elements() const { return chunk_elements_; }
  // Element offset of chunk `index` (chunks numbered in C order over the grid).
  std::vector<std::size_t> offset(std::size_t index) const;

  // Copies chunk `index` of `array` (the whole array, elements of `element_size` bytes) to
  // `chunk` (chunk_elements() x element_size bytes), zero-filling beyond the array's edge.
  void gather(std::size_t index, const std::byte* array, std::size_t element_size, std::byte* chunk) const;

 private:
  std::vector<std::size_t> shape_, chunk_, per_dim_;
  std::size_t count_ = 1, chunk_elements_ = 1;
};

}  // namespace granary::nc
