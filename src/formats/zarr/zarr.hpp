#pragma once
// A small Zarr writer (and reader of what it writes) for format v2 and v3, over io::Store.
//
// What is written follows the specs, not a library:
// * v3: the Zarr v3 core spec — zarr.json per node, `regular` chunk grid, `default` chunk
//   key encoding with "/" (chunk keys "c/i/j"), codecs [bytes (little endian), zstd].
//   Consolidated metadata is zarr-python 3's inline form in the root zarr.json
//   ({"kind": "inline", "must_understand": false, "metadata": {<relative path>: <node>}}).
// * v2: the Zarr v2 spec — .zgroup/.zarray/.zattrs, dtype strings like "<f4", numcodecs'
//   {"id": "zstd", "level": N} compressor, order "C", dimension separator "." (keys "i.j"),
//   dimension names in the xarray attribute `_ARRAY_DIMENSIONS`, consolidated metadata in
//   `.zmetadata` ({"zarr_consolidated_format": 1, "metadata": {<key>: <json>}}).
// Chunks always hold a whole chunk (edge chunks are padded), raw little-endian C order.
// Every object is written with Store::put, which is atomic, so a reader never sees a partial
// chunk or metadata document; different chunks are different objects, so writers of
// different chunks need no locks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/store.hpp"

namespace granary::zarr {

enum class Format { V2, V3 };
enum class DType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64 };
std::size_t dtype_size(DType);

struct Codec {
  enum class Kind { None, Zstd } kind = Kind::Zstd;
  int level = 3;
};

struct ArraySpec {
  DType dtype = DType::Float32;
  std::vector<std::uint64_t> shape, chunks;
  // A number, or "NaN" / "Infinity" / "-Infinity" for floats. null: v2 writes null (no fill
  // value: absent chunks read as 0 here, and xarray does not mask the array), v3 writes 0.
  nlohmann::json fill_value;
  std::vector<std::string> dimension_names;  // v3 "dimension_names"; v2 attribute "_ARRAY_DIMENSIONS"
  nlohmann::json attributes = nlohmann::json::object();
  Codec codec;
};

// Paths are '/'-separated keys inside the Store, "" = the store root.
void write_group(io::Store& store, const std::string& path, Format format, const nlohmann::json& attributes);
void write_array(io::Store& store, const std::string& path, Format format, const ArraySpec& spec);

// Encodes one chunk (raw little-endian C-order element bytes, exactly
// prod(chunks) * dtype_size) with the spec's codec, and back.
std::vector<std::byte> encode_chunk(const ArraySpec& spec, std::span<const std::byte> raw);
std::vector<std::byte> decode_chunk(const ArraySpec& spec, std::span<const std::byte> stored);

// Key of a chunk relative to the array path: v3 "c/1/2", v2 "1.2".
std::string chunk_key(Format format, std::span<const std::uint64_t> chunk_coords);
// Writes an encoded chunk at array_path/chunk_key (atomically).
void write_chunk(io::Store& store, const std::string& array_path, Format format,
                 std::span<const std::uint64_t> chunk_coords, std::span<const std::byte> encoded);

// zarr.json -> V3, .zgroup/.zarray -> V2, nothing -> nullopt.
std::optional<Format> detect_format(const io::Store& store, const std::string& path);

struct NodeInfo {
  Format format;
  bool is_array;
  nlohmann::json attributes;       // user attributes; v2's _ARRAY_DIMENSIONS becomes array->dimension_names
  std::optional<ArraySpec> array;  // set for arrays
};
// nullopt when no node exists at path; metadata this writer cannot read is an error naming the key.
std::optional<NodeInfo> read_node(const io::Store& store, const std::string& path);

// All elements of an array as raw little-endian C-order bytes; absent chunks read as fill_value.
std::vector<std::byte> read_array(const io::Store& store, const std::string& path);

// Gathers the metadata of every group and array under the group `root` into it (v2
// `.zmetadata`; v3 inline consolidated_metadata in the root zarr.json), atomically.
void consolidate(io::Store& store, const std::string& root);

}  // namespace granary::zarr
