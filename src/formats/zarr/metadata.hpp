#pragma once
// Internal pieces shared by the Zarr writer's files: keys, data type names, fill values and
// the translation between ArraySpec and the v2/v3 metadata documents.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"

namespace granary::zarr::detail {

// "a/b" + "zarr.json" -> "a/b/zarr.json"; "" + "zarr.json" -> "zarr.json".
std::string join_key(const std::string& path, const std::string& name);
// Strips leading/trailing '/' and rejects empty, "." and ".." segments.
std::string normalize_path(const std::string& path);

// v3 "float32", v2 "<f4".
std::string dtype_name(DType dtype, Format format);
// `what` names the metadata key in error messages.
DType parse_dtype(const nlohmann::json& name, Format format, const std::string& what);

// Bounds on what array metadata may say (validate_spec): dimensions, one chunk's bytes, the
// number of chunks of an array (read_array and describe list and visit every chunk).
inline constexpr std::size_t kMaxRank = 32;
inline constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{1} << 31;  // 2 GiB
inline constexpr std::uint64_t kMaxChunks = std::uint64_t{1} << 32;

// Checks shape/chunks/dimension names/fill value/codec and the bounds above; `what` names the
// array in errors.
void validate_spec(const ArraySpec& spec, const std::string& what);
// The fill value as one element's little-endian bytes.
std::vector<std::byte> fill_element(const ArraySpec& spec);
std::size_t chunk_bytes(const ArraySpec& spec);

// v3: the whole zarr.json. v2: the .zarray document (attributes go to .zattrs).
nlohmann::json array_metadata(const ArraySpec& spec, Format format);
// v2: `meta` is .zarray and `attributes` is .zattrs (may be null); v3: `attributes` is ignored.
ArraySpec parse_array_metadata(const nlohmann::json& meta, const nlohmann::json& attributes, Format format,
                               const std::string& key);

nlohmann::json read_json(const io::Store& store, const std::string& key);
void put_json(io::Store& store, const std::string& key, const nlohmann::json& doc);

}  // namespace granary::zarr::detail
