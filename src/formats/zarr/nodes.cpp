// Groups and arrays: writing their metadata documents and reading them back.
#include "formats/zarr/metadata.hpp"
#include "util/error.hpp"

namespace granary::zarr {
namespace {

using nlohmann::json;
using detail::join_key;

constexpr const char* kZarrJson = "zarr.json";
constexpr const char* kZGroup = ".zgroup";
constexpr const char* kZArray = ".zarray";
constexpr const char* kZAttrs = ".zattrs";

json checked_attributes(const json& attributes, const std::string& what) {
  if (attributes.is_null()) return json::object();
  if (!attributes.is_object()) fail("{}: attributes must be a JSON object, not {}", what, attributes.type_name());
  return attributes;
}

std::string where(const io::Store& store, const std::string& key) { return join_key(store.uri(), key); }

}  // namespace

void write_group(io::Store& store, const std::string& path, Format format, const json& attributes) {
  auto node = detail::normalize_path(path);
  auto attrs = checked_attributes(attributes, where(store, node));
  if (format == Format::V3) {
    detail::put_json(store, join_key(node, kZarrJson),
                     {{"zarr_format", 3}, {"node_type", "group"}, {"attributes", attrs}});
    return;
  }
  // Attributes first: once .zgroup exists, a reader sees the group whole.
  detail::put_json(store, join_key(node, kZAttrs), attrs);
  detail::put_json(store, join_key(node, kZGroup), {{"zarr_format", 2}});
}

void write_array(io::Store& store, const std::string& path, Format format, const ArraySpec& spec) {
  auto node = detail::normalize_path(path);
  detail::validate_spec(spec, where(store, node));
  if (format == Format::V3) {
    detail::put_json(store, join_key(node, kZarrJson), detail::array_metadata(spec, Format::V3));
    return;
  }
  json attrs = spec.attributes;
  if (!spec.dimension_names.empty()) {
    if (attrs.contains("_ARRAY_DIMENSIONS"))
      fail("{}: give the dimension names in dimension_names, not also as the _ARRAY_DIMENSIONS attribute",
           where(store, node));
    attrs["_ARRAY_DIMENSIONS"] = spec.dimension_names;
  }
  detail::put_json(store, join_key(node, kZAttrs), attrs);
  detail::put_json(store, join_key(node, kZArray), detail::array_metadata(spec, Format::V2));
}

std::optional<Format> detect_format(const io::Store& store, const std::string& path) {
  auto node = detail::normalize_path(path);
  if (store.exists(join_key(node, kZarrJson))) return Format::V3;
  if (store.exists(join_key(node, kZArray)) || store.exists(join_key(node, kZGroup))) return Format::V2;
  return std::nullopt;
}

std::optional<NodeInfo> read_node(const io::Store& store, const std::string& path) {
  auto node = detail::normalize_path(path);
  auto format = detect_format(store, node);
  if (!format) return std::nullopt;
  if (*format == Format::V3) {
    auto key = join_key(node, kZarrJson);
    auto meta = detail::read_json(store, key);
    auto type = meta.is_object() ? meta.value("node_type", json()) : json();
    if (type == "group")
      return NodeInfo{Format::V3, false, checked_attributes(meta.value("attributes", json()), where(store, key)),
                      std::nullopt};
    if (type == "array") {
      auto spec = detail::parse_array_metadata(meta, json(), Format::V3, where(store, key));
      return NodeInfo{Format::V3, true, spec.attributes, spec};
    }
    fail("{}: node_type {} is neither \"group\" nor \"array\"", where(store, key), type.dump());
  }
  auto attrs_key = join_key(node, kZAttrs);
  json attrs = store.exists(attrs_key) ? detail::read_json(store, attrs_key) : json::object();
  attrs = checked_attributes(attrs, where(store, attrs_key));
  auto array_key = join_key(node, kZArray);
  if (store.exists(array_key)) {
    auto spec = detail::parse_array_metadata(detail::read_json(store, array_key), attrs, Format::V2,
                                             where(store, array_key));
    return NodeInfo{Format::V2, true, spec.attributes, spec};
  }
  return NodeInfo{Format::V2, false, attrs, std::nullopt};
}

}  // namespace granary::zarr
