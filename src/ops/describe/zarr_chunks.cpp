#include "ops/describe/zarr_chunks.hpp"

#include "util/error.hpp"

namespace granary::describe {

std::vector<std::uint64_t> chunk_grid(const zarr::ArraySpec& spec) {
  if (spec.shape.empty()) return {1};
  std::vector<std::uint64_t> grid(spec.shape.size());
  for (std::size_t d = 0; d < grid.size(); ++d) grid[d] = (spec.shape[d] + spec.chunks[d] - 1) / spec.chunks[d];
  return grid;
}

std::string chunk_store_key(const std::string& array_path, zarr::Format format, std::span<const std::uint64_t> coords) {
  auto key = zarr::chunk_key(format, coords);
  return array_path.empty() ? key : array_path + "/" + key;
}

std::optional<std::vector<std::byte>> read_chunk(const io::Store& store, const std::string& array_path,
                                                 const zarr::NodeInfo& node, std::span<const std::uint64_t> coords) {
  if (!node.array) fail("{}/{}: is a group, not an array", store.uri(), array_path);
  const auto key = chunk_store_key(array_path, node.format, coords.first(node.array->shape.size()));
  if (!store.exists(key)) return std::nullopt;
  const auto raw = store.get(key);  // an unavailable store stays UnavailableError, not a bad chunk
  try {
    return zarr::decode_chunk(*node.array, raw);
  } catch (const Error& e) {
    fail("{}/{}: {}", store.uri(), key, e.what());
  }
}

}  // namespace granary::describe
