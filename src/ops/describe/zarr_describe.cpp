// describe_zarr: one listing of the store finds every node and every chunk; arrays are then
// scanned chunk by chunk for their statistics.
#include <cstring>
#include <map>
#include <set>

#include "formats/zarr/metadata.hpp"
#include "formats/zarr/visit_dtype.hpp"
#include "ops/describe/blocks.hpp"
#include "ops/describe/describe.hpp"
#include "ops/describe/value_stats.hpp"
#include "ops/describe/zarr_chunks.hpp"
#include "util/error.hpp"

namespace granary::describe {
namespace {

using nlohmann::json;


// Node paths from the store's keys: the directory of every zarr.json / .zgroup / .zarray.
std::set<std::string> node_paths(const std::vector<io::ObjectInfo>& objects) {
  std::set<std::string> paths;
  for (const auto& o : objects) {
    const auto slash = o.key.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : o.key.substr(0, slash);
    const std::string name = slash == std::string::npos ? o.key : o.key.substr(slash + 1);
    if (name != "zarr.json" && name != ".zgroup" && name != ".zarray") continue;
    if (dir.starts_with(".granary")) continue;
    paths.insert(dir);
  }
  return paths;
}

// Statistics over the part of each chunk inside the array; absent chunks count as fill.
json array_stats(const io::Store& store, const std::string& path, const zarr::NodeInfo& node,
                 const std::set<std::string>& keys) {
  const auto& spec = *node.array;
  const bool scalar = spec.shape.empty();
  const std::vector<std::uint64_t> shape = scalar ? std::vector<std::uint64_t>{1} : spec.shape;
  const std::vector<std::uint64_t> chunks = scalar ? std::vector<std::uint64_t>{1} : spec.chunks;
  const std::size_t rank = shape.size(), element = zarr::dtype_size(spec.dtype);
  const bool has_fill = !spec.fill_value.is_null();
  const auto fill = zarr::detail::fill_element(spec);
  ValueStats stats;
  for (auto n : shape)
    if (n == 0) return stats.to_json();

  auto grid = chunk_grid(spec);
  std::vector<std::uint64_t> coords(rank, 0);
  zarr::visit_dtype(spec.dtype, [&](auto t) {
    using T = decltype(t);
    do {
      std::vector<std::uint64_t> extent(rank), chunk_stride(rank, 1);
      std::uint64_t inside = 1;
      for (std::size_t d = 0; d < rank; ++d) {
        extent[d] = std::min(chunks[d], shape[d] - coords[d] * chunks[d]);
        inside *= extent[d];
      }
      for (std::size_t d = rank - 1; d-- > 0;) chunk_stride[d] = chunk_stride[d + 1] * chunks[d + 1];
      const auto key = chunk_store_key(path, node.format, std::span(coords).first(spec.shape.size()));
      if (!keys.count(key)) {
        stats.add_fill(inside);
        continue;
      }
      const auto raw = store.get(key);  // an unavailable store stays UnavailableError, not a bad chunk
      std::vector<std::byte> decoded;
      try {
        decoded = zarr::decode_chunk(spec, raw);
      } catch (const Error& e) {
        fail("{}/{}: {}", store.uri(), key, e.what());
      }
      // Rows along the last dimension are contiguous in the chunk.
      std::vector<std::uint64_t> row(rank - 1, 0), rows(extent.begin(), extent.end() - 1);
      do {
        std::uint64_t from = 0;
        for (std::size_t d = 0; d + 1 < rank; ++d) from += row[d] * chunk_stride[d];
        const std::byte* p = decoded.data() + from * element;
        for (std::uint64_t i = 0; i < extent[rank - 1]; ++i, p += element) {
          T v;
          std::memcpy(&v, p, sizeof v);
          stats.add(static_cast<double>(v), has_fill && std::memcmp(p, fill.data(), element) == 0);
        }
      } while (next_index(row, rows));
    } while (next_index(coords, grid));
  });
  return stats.to_json();
}

json codec_json(const zarr::Codec& c) {
  if (c.kind == zarr::Codec::Kind::None) return {{"name", "none"}};
  return {{"name", "zstd"}, {"level", c.level}};
}

json describe_array(const io::Store& store, const std::string& path, const zarr::NodeInfo& node,
                    const std::set<std::string>& keys, const Options& options) {
  const auto& spec = *node.array;
  json a{{"path", path}, {"dtype", zarr::detail::dtype_name(spec.dtype, zarr::Format::V3)}, {"shape", spec.shape},
         {"chunks", spec.chunks}, {"dims", spec.dimension_names}, {"codec", codec_json(spec.codec)},
         {"fill_value", spec.fill_value}};
  json key = json::object();
  for (const char* k : {"units", "long_name", "standard_name"})
    if (node.attributes.contains(k)) key[k] = node.attributes[k];
  a["attributes"] = key;
  const auto grid = chunk_grid(spec);
  std::uint64_t expected = 1, present = 0;
  for (auto g : grid) expected *= g;
  std::vector<std::uint64_t> coords(grid.size(), 0);
  if (expected > 0) do {
      present += keys.count(chunk_store_key(path, node.format, std::span(coords).first(spec.shape.size())));
    } while (next_index(coords, grid));
  a["chunks_expected"] = expected;
  a["chunks_present"] = present;
  a["stats"] = options.stats ? array_stats(store, path, node, keys) : json(nullptr);
  return a;
}

}  // namespace

json describe_zarr(const io::Store& store, const Options& options) {
  auto root = zarr::read_node(store, "");
  if (!root) fail("{}: not a Zarr store (no zarr.json, .zgroup or .zarray at its root)", store.uri());
  const auto objects = store.list("");
  std::set<std::string> keys;
  for (const auto& o : objects) keys.insert(o.key);

  json out{{"path", store.uri()}, {"format", root->format == zarr::Format::V3 ? "Zarr v3" : "Zarr v2"},
           {"attributes", root->attributes}};
  json groups = json::array(), arrays = json::array();
  std::map<std::string, std::uint64_t> dims;
  for (const auto& path : node_paths(objects)) {
    auto node = zarr::read_node(store, path);
    if (!node) continue;
    if (!node->is_array) {
      groups.push_back({{"path", path}, {"attributes", node->attributes}});
      continue;
    }
    const auto& spec = *node->array;
    for (std::size_t d = 0; d < spec.dimension_names.size() && d < spec.shape.size(); ++d) {
      auto [it, added] = dims.emplace(spec.dimension_names[d], spec.shape[d]);
      // Same name, different sizes in different groups: keep the largest, xarray would
      // open those groups separately anyway.
      if (!added) it->second = std::max(it->second, spec.shape[d]);
    }
    arrays.push_back(describe_array(store, path, *node, keys, options));
  }
  json dim_list = json::array();
  for (const auto& [name, size] : dims) dim_list.push_back({{"name", name}, {"size", size}});
  out["dimensions"] = dim_list;
  out["groups"] = groups;
  out["arrays"] = arrays;
  return out;
}

}  // namespace granary::describe
