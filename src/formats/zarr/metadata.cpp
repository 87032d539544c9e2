// ArraySpec <-> the v2 (.zarray) and v3 (zarr.json) array metadata documents, plus keys
// and JSON objects in the store.
#include "formats/zarr/metadata.hpp"

#include <cstring>

#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::zarr::detail {
namespace {

using nlohmann::json;

// A zstd level as written (nlohmann's get<int>() of a float beyond int is undefined behaviour).
int zstd_level(const json& config, int fallback, const std::string& key) {
  if (!config.is_object() || !config.contains("level")) return fallback;
  return require_json_integer<int>(config["level"], key + ": zstd \"level\"");
}

std::vector<std::uint64_t> uint_list(const json& meta, const char* field, const std::string& key) {
  if (!meta.contains(field) || !meta[field].is_array()) fail("{}: \"{}\" must be an array of integers", key, field);
  if (meta[field].size() > kMaxRank)
    fail("{}: \"{}\" has {} dimensions, more than the {} granary reads", key, field, meta[field].size(), kMaxRank);
  std::vector<std::uint64_t> out;
  for (const auto& v : meta[field]) {
    if (!v.is_number_unsigned()) fail("{}: \"{}\" must hold non-negative integers, found {}", key, field, v.dump());
    out.push_back(v.get<std::uint64_t>());
  }
  return out;
}

json bytes_codec(DType dtype) {
  json codec = {{"name", "bytes"}};
  // The spec requires "endian" only where byte order exists; zarr-python omits it for 1-byte types.
  if (dtype_size(dtype) > 1) codec["configuration"] = {{"endian", "little"}};
  return codec;
}

json normalized_fill(const ArraySpec& spec) { return spec.fill_value.is_null() ? json(0) : spec.fill_value; }

Codec parse_v3_codecs(const json& meta, DType dtype, const std::string& key) {
  if (!meta.contains("codecs") || !meta["codecs"].is_array() || meta["codecs"].empty())
    fail("{}: \"codecs\" must be a non-empty array", key);
  const auto& codecs = meta["codecs"];
  auto name_of = [](const json& c) { return c.is_object() && c.contains("name") ? c["name"].dump() : c.dump(); };
  const auto& first = codecs[0];
  if (!first.is_object() || first.value("name", "") != "bytes")
    fail("{}: unsupported codec {} (granary reads [bytes] or [bytes, zstd])", key, name_of(first));
  auto endian = first.contains("configuration") ? first["configuration"].value("endian", "") : std::string();
  if (endian != "little" && !(endian.empty() && dtype_size(dtype) == 1))
    fail("{}: unsupported bytes codec configuration {} (granary reads little-endian chunks)", key, first.dump());
  for (std::size_t i = 1; i < codecs.size(); ++i) {
    bool zstd_after_bytes = i == 1 && codecs[i].is_object() && codecs[i].value("name", "") == "zstd";
    if (!zstd_after_bytes)
      fail("{}: unsupported codec {} (granary reads [bytes] or [bytes, zstd])", key, name_of(codecs[i]));
  }
  if (codecs.size() == 1) return Codec{Codec::Kind::None, 0};
  const auto config = codecs[1].value("configuration", json::object());
  return Codec{Codec::Kind::Zstd, zstd_level(config, 0, key)};
}

ArraySpec parse_v3(const json& meta, const std::string& key) {
  ArraySpec spec;
  spec.shape = uint_list(meta, "shape", key);
  if (!meta.contains("data_type")) fail("{}: \"data_type\" is missing", key);
  spec.dtype = parse_dtype(meta["data_type"], Format::V3, key);
  const auto grid = meta.value("chunk_grid", json::object());
  if (!grid.is_object() || grid.value("name", "") != "regular" || !grid.contains("configuration"))
    fail("{}: unsupported chunk_grid {} (granary reads \"regular\")", key, grid.dump());
  spec.chunks = uint_list(grid["configuration"], "chunk_shape", key);
  const auto encoding = meta.value("chunk_key_encoding", json::object());
  if (!encoding.is_object() || encoding.value("name", "") != "default" ||
      (encoding.contains("configuration") && encoding["configuration"].value("separator", "/") != "/"))
    fail("{}: unsupported chunk_key_encoding {} (granary reads \"default\" with \"/\")", key, encoding.dump());
  if (meta.contains("storage_transformers") && !meta["storage_transformers"].empty())
    fail("{}: storage transformers are not supported", key);
  spec.codec = parse_v3_codecs(meta, spec.dtype, key);
  spec.fill_value = meta.value("fill_value", json());
  if (meta.contains("dimension_names") && !meta["dimension_names"].is_null()) {
    for (const auto& name : meta["dimension_names"]) {
      if (!name.is_string() && !name.is_null()) fail("{}: dimension names must be strings or null", key);
      spec.dimension_names.push_back(name.is_string() ? name.get<std::string>() : "");
    }
  }
  spec.attributes = meta.value("attributes", json::object());
  validate_spec(spec, key);
  return spec;
}

ArraySpec parse_v2(const json& meta, const json& attributes, const std::string& key) {
  ArraySpec spec;
  spec.shape = uint_list(meta, "shape", key);
  spec.chunks = uint_list(meta, "chunks", key);
  if (!meta.contains("dtype")) fail("{}: \"dtype\" is missing", key);
  spec.dtype = parse_dtype(meta["dtype"], Format::V2, key);
  const auto compressor = meta.value("compressor", json());
  if (compressor.is_null()) {
    spec.codec = Codec{Codec::Kind::None, 0};
  } else if (compressor.is_object() && compressor.value("id", "") == "zstd") {
    spec.codec = Codec{Codec::Kind::Zstd, zstd_level(compressor, 1, key)};
  } else {
    fail("{}: unsupported compressor {} (granary reads zstd or none)", key, compressor.dump());
  }
  const auto filters = meta.value("filters", json());
  if (!filters.is_null() && !filters.empty()) fail("{}: filters {} are not supported", key, filters.dump());
  if (meta.value("order", "C") != "C") fail("{}: only C order is supported", key);
  if (meta.value("dimension_separator", ".") != ".")
    fail("{}: unsupported dimension_separator {} (granary reads \".\")", key, meta["dimension_separator"].dump());
  spec.fill_value = meta.value("fill_value", json());
  spec.attributes = attributes.is_null() ? json::object() : attributes;
  if (spec.attributes.is_object() && spec.attributes.contains("_ARRAY_DIMENSIONS")) {
    for (const auto& name : spec.attributes["_ARRAY_DIMENSIONS"]) {
      if (!name.is_string()) fail("{}: _ARRAY_DIMENSIONS must hold strings", key);
      spec.dimension_names.push_back(name.get<std::string>());
    }
    spec.attributes.erase("_ARRAY_DIMENSIONS");
  }
  validate_spec(spec, key);
  return spec;
}

}  // namespace

std::string join_key(const std::string& path, const std::string& name) {
  if (path.empty()) return name;
  if (name.empty()) return path;
  return path + "/" + name;
}

std::string normalize_path(const std::string& path) {
  auto begin = path.find_first_not_of('/');
  if (begin == std::string::npos) return "";
  auto end = path.find_last_not_of('/');
  std::string out = path.substr(begin, end - begin + 1);
  std::size_t start = 0;
  while (start <= out.size()) {
    auto slash = out.find('/', start);
    auto segment = out.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..")
      fail("zarr: invalid node path \"{}\" (empty, \".\" or \"..\" segment)", path);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

json array_metadata(const ArraySpec& spec, Format format) {
  if (format == Format::V2) {
    json compressor;  // null: chunks are stored raw
    if (spec.codec.kind == Codec::Kind::Zstd) compressor = {{"id", "zstd"}, {"level", spec.codec.level}};
    return {{"zarr_format", 2},
            {"shape", spec.shape},
            {"chunks", spec.chunks},
            {"dtype", dtype_name(spec.dtype, Format::V2)},
            {"compressor", compressor},
            // v2 allows null ("no fill value"); xarray then does not mask the array.
            {"fill_value", spec.fill_value},
            {"order", "C"},
            {"filters", nullptr},
            {"dimension_separator", "."}};
  }
  json codecs = json::array({bytes_codec(spec.dtype)});
  if (spec.codec.kind == Codec::Kind::Zstd)
    codecs.push_back({{"name", "zstd"}, {"configuration", {{"level", spec.codec.level}, {"checksum", false}}}});
  json meta = {{"zarr_format", 3},
               {"node_type", "array"},
               {"shape", spec.shape},
               {"data_type", dtype_name(spec.dtype, Format::V3)},
               {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", spec.chunks}}}}},
               {"chunk_key_encoding", {{"name", "default"}, {"configuration", {{"separator", "/"}}}}},
               {"fill_value", normalized_fill(spec)},
               {"codecs", codecs},
               {"attributes", spec.attributes}};
  if (!spec.dimension_names.empty()) meta["dimension_names"] = spec.dimension_names;
  return meta;
}

ArraySpec parse_array_metadata(const json& meta, const json& attributes, Format format, const std::string& key) {
  if (!meta.is_object()) fail("{}: array metadata must be a JSON object", key);
  json expected_format = format == Format::V3 ? 3 : 2;
  if (meta.value("zarr_format", json()) != expected_format)
    fail("{}: zarr_format {} does not match the node's format", key, meta.value("zarr_format", json()).dump());
  try {
    return format == Format::V3 ? parse_v3(meta, key) : parse_v2(meta, attributes, key);
  } catch (const json::exception& e) {
    // A field of the wrong JSON type (e.g. a string where an object belongs).
    fail("{}: malformed array metadata ({})", key, e.what());
  }
}

json read_json(const io::Store& store, const std::string& key) {
  auto bytes = store.get(key);
  std::string text(bytes.size(), '\0');
  if (!bytes.empty()) std::memcpy(text.data(), bytes.data(), bytes.size());
  require_json_depth(text, join_key(store.uri(), key));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail("{}: invalid JSON ({})", join_key(store.uri(), key), e.what());
  }
}

void put_json(io::Store& store, const std::string& key, const json& doc) {
  auto text = doc.dump(2);
  store.put(key, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace granary::zarr::detail
