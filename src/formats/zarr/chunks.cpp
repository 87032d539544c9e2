// Chunk keys, chunk writes, and reading a whole array back chunk by chunk.
#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "formats/zarr/metadata.hpp"
#include "util/error.hpp"

namespace granary::zarr {
namespace {

using detail::join_key;

// Steps `index` through [0, limits) in C order; false once every index was visited.
bool advance(std::vector<std::uint64_t>& index, const std::vector<std::uint64_t>& limits) {
  for (std::size_t d = index.size(); d-- > 0;) {
    if (++index[d] < limits[d]) return true;
    index[d] = 0;
  }
  return false;
}

// Copies the part of a decoded chunk that lies inside the array into `out` (C order).
void copy_chunk(std::span<const std::byte> chunk, const std::vector<std::uint64_t>& coords,
                const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& chunks,
                std::size_t element, std::vector<std::byte>& out) {
  const std::size_t rank = shape.size();
  std::vector<std::uint64_t> origin(rank), extent(rank), chunk_stride(rank, 1), array_stride(rank, 1);
  for (std::size_t d = 0; d < rank; ++d) {
    origin[d] = coords[d] * chunks[d];
    extent[d] = std::min(chunks[d], shape[d] - origin[d]);
  }
  for (std::size_t d = rank - 1; d-- > 0;) {
    chunk_stride[d] = chunk_stride[d + 1] * chunks[d + 1];
    array_stride[d] = array_stride[d + 1] * shape[d + 1];
  }
  // Rows along the last dimension are contiguous in both the chunk and the array.
  std::vector<std::uint64_t> row(rank - 1, 0), rows(extent.begin(), extent.end() - 1);
  const std::size_t row_bytes = extent[rank - 1] * element;
  do {
    std::uint64_t from = 0, to = origin[rank - 1];
    for (std::size_t d = 0; d + 1 < rank; ++d) {
      from += row[d] * chunk_stride[d];
      to += (origin[d] + row[d]) * array_stride[d];
    }
    std::memcpy(out.data() + to * element, chunk.data() + from * element, row_bytes);
  } while (advance(row, rows));
}

}  // namespace

std::string chunk_key(Format format, std::span<const std::uint64_t> chunk_coords) {
  if (format == Format::V2 && chunk_coords.empty()) return "0";
  std::string key = format == Format::V3 ? "c" : "";
  for (std::size_t d = 0; d < chunk_coords.size(); ++d) {
    if (format == Format::V3) key += '/';
    else if (d > 0) key += '.';
    key += std::to_string(chunk_coords[d]);
  }
  return key;
}

void write_chunk(io::Store& store, const std::string& array_path, Format format,
                 std::span<const std::uint64_t> chunk_coords, std::span<const std::byte> encoded) {
  store.put(join_key(detail::normalize_path(array_path), chunk_key(format, chunk_coords)), encoded);
}

std::vector<std::byte> read_array(const io::Store& store, const std::string& path) {
  auto node = detail::normalize_path(path);
  auto where = join_key(store.uri(), node);
  auto info = read_node(store, node);
  if (!info) fail("{}: no Zarr group or array here", where);
  if (!info->is_array) fail("{}: is a group, not an array", where);
  const ArraySpec& spec = *info->array;

  // A 0-d array is one element in one chunk; treat it as shape [1] for the copying.
  const bool scalar = spec.shape.empty();
  const std::vector<std::uint64_t> shape = scalar ? std::vector<std::uint64_t>{1} : spec.shape;
  const std::vector<std::uint64_t> chunks = scalar ? std::vector<std::uint64_t>{1} : spec.chunks;
  const std::size_t element = dtype_size(spec.dtype);
  // read_array is for the small arrays an engine reads whole (cell lists, parents).
  constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 34;  // 16 GiB
  std::uint64_t count = 1;
  for (auto n : shape) {
    if (n != 0 && count > kMaxBytes / element / n)
      fail("{}: the array is too large to read into memory (more than {} bytes)", where, kMaxBytes);
    count *= n;
  }
  std::vector<std::byte> out(count * element);
  const auto fill = detail::fill_element(spec);
  for (std::uint64_t i = 0; i < count; ++i) std::memcpy(out.data() + i * element, fill.data(), element);
  if (count == 0) return out;

  // One listing tells which chunks exist, instead of one existence check per chunk.
  std::set<std::string> present;
  auto prefix = info->format == Format::V3 ? join_key(node, "c") : (node.empty() ? "" : node + "/");
  for (const auto& object : store.list(prefix)) present.insert(object.key);

  std::vector<std::uint64_t> grid(shape.size()), coords(shape.size(), 0);
  for (std::size_t d = 0; d < shape.size(); ++d) grid[d] = (shape[d] + chunks[d] - 1) / chunks[d];
  do {
    auto key = join_key(node, chunk_key(info->format, std::span(coords).first(spec.shape.size())));
    if (!present.count(key)) continue;
    // Fetched outside the try: a store that stays unavailable is UnavailableError (exit 3),
    // not a bad chunk.
    const auto raw = store.get(key);
    std::vector<std::byte> decoded;
    try {
      decoded = decode_chunk(spec, raw);
    } catch (const Error& e) {
      fail("{}: {}", join_key(store.uri(), key), e.what());
    }
    copy_chunk(decoded, coords, shape, chunks, element, out);
  } while (advance(coords, grid));
  return out;
}

}  // namespace granary::zarr
