// Consolidated metadata: every node's metadata gathered into the root group, so a reader
// opens a whole hierarchy with one request.
//  v2: `.zmetadata` = {"zarr_consolidated_format": 1, "metadata": {<key>: <document>}}, with
//      the keys of .zgroup/.zarray/.zattrs relative to the root (zarr-python 2's format).
//  v3: root zarr.json gains "consolidated_metadata": {"kind": "inline", "must_understand":
//      false, "metadata": {<node path>: <zarr.json>}}, flattened over all depths, nested
//      groups carrying an empty block of their own (zarr-python 3's format).
#include "formats/zarr/metadata.hpp"
#include "util/error.hpp"

namespace granary::zarr {
namespace {

using nlohmann::json;
using detail::join_key;

std::string last_segment(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

// The part of `key` below `root`, e.g. ("a", "a/b/zarr.json") -> "b/zarr.json".
std::string relative_to(const std::string& root, const std::string& key) {
  return root.empty() ? key : key.substr(root.size() + 1);
}

json empty_consolidated_block() {
  return {{"kind", "inline"}, {"must_understand", false}, {"metadata", json::object()}};
}

void consolidate_v3(io::Store& store, const std::string& root) {
  auto root_key = join_key(root, "zarr.json");
  auto root_meta = detail::read_json(store, root_key);
  json metadata = json::object();
  for (const auto& object : store.list(root.empty() ? "" : root + "/")) {
    if (object.key == root_key || last_segment(object.key) != "zarr.json") continue;
    auto node = relative_to(root, object.key);
    node.resize(node.size() - std::string("/zarr.json").size());
    auto meta = detail::read_json(store, object.key);
    if (meta.is_object() && meta.value("node_type", json()) == "group")
      meta["consolidated_metadata"] = empty_consolidated_block();
    metadata[node] = std::move(meta);
  }
  auto block = empty_consolidated_block();
  block["metadata"] = std::move(metadata);
  root_meta["consolidated_metadata"] = std::move(block);
  detail::put_json(store, root_key, root_meta);
}

void consolidate_v2(io::Store& store, const std::string& root) {
  json metadata = json::object();
  for (const auto& object : store.list(root.empty() ? "" : root + "/")) {
    auto name = last_segment(object.key);
    if (name != ".zgroup" && name != ".zarray" && name != ".zattrs") continue;
    metadata[relative_to(root, object.key)] = detail::read_json(store, object.key);
  }
  detail::put_json(store, join_key(root, ".zmetadata"), {{"zarr_consolidated_format", 1}, {"metadata", metadata}});
}

}  // namespace

void consolidate(io::Store& store, const std::string& root) {
  auto node = detail::normalize_path(root);
  auto info = read_node(store, node);
  if (!info || info->is_array)
    fail("{}: consolidation needs a Zarr group at the root", join_key(store.uri(), node));
  if (info->format == Format::V3) consolidate_v3(store, node);
  else consolidate_v2(store, node);
}

}  // namespace granary::zarr
