#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "io/file_store.hpp"
#include "recipes/atl06/dggs_attributes.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using zarr::ArraySpec;
using zarr::Codec;
using zarr::DType;
using zarr::Format;

using ChunkSet = std::set<std::vector<std::uint64_t>>;

template <typename T>
std::vector<std::byte> to_bytes(const std::vector<T>& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

template <typename T>
std::vector<T> from_bytes(const std::vector<std::byte>& bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

std::string text_of(const io::Store& store, const std::string& key) {
  auto bytes = store.get(key);
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

json json_of(const io::Store& store, const std::string& key) { return json::parse(text_of(store, key)); }

// Writes C-order `values` of a rank-1 or rank-2 array chunk by chunk (edge chunks padded
// with zeros), leaving out the chunks listed in `absent`.
void write_chunks(io::Store& store, const std::string& path, Format format, const ArraySpec& spec,
                  const std::vector<std::byte>& values, const ChunkSet& absent = {}) {
  const bool two_d = spec.shape.size() == 2;
  const std::size_t element = zarr::dtype_size(spec.dtype);
  const std::uint64_t rows = two_d ? spec.shape[0] : 1, cols = spec.shape.back();
  const std::uint64_t chunk_rows = two_d ? spec.chunks[0] : 1, chunk_cols = spec.chunks.back();
  for (std::uint64_t i = 0; i * chunk_rows < rows; ++i) {
    for (std::uint64_t j = 0; j * chunk_cols < cols; ++j) {
      auto coords = two_d ? std::vector<std::uint64_t>{i, j} : std::vector<std::uint64_t>{j};
      if (absent.count(coords)) continue;
      std::vector<std::byte> chunk(chunk_rows * chunk_cols * element);
      for (std::uint64_t r = i * chunk_rows; r < std::min(rows, (i + 1) * chunk_rows); ++r)
        for (std::uint64_t c = j * chunk_cols; c < std::min(cols, (j + 1) * chunk_cols); ++c)
          std::memcpy(chunk.data() + ((r - i * chunk_rows) * chunk_cols + (c - j * chunk_cols)) * element,
                      values.data() + (r * cols + c) * element, element);
      zarr::write_chunk(store, path, format, coords, zarr::encode_chunk(spec, chunk));
    }
  }
}

std::string format_name(Format f) { return f == Format::V3 ? "v3" : "v2"; }

// ---------------------------------------------------------------------------------------
// Round trips through our own reader.

template <typename T>
void round_trip_1d(DType dtype, const json& fill, T fill_value) {
  for (auto format : {Format::V2, Format::V3}) {
    for (auto kind : {Codec::Kind::None, Codec::Kind::Zstd}) {
      SCOPED_TRACE(format_name(format) + (kind == Codec::Kind::Zstd ? " zstd" : " no codec"));
      test::TempDir dir;
      io::FileStore store(dir.path());
      ArraySpec spec;
      spec.dtype = dtype;
      spec.shape = {10};
      spec.chunks = {4};  // chunks 0, 1 (absent) and a partial chunk 2
      spec.fill_value = fill;
      spec.codec = {kind, 5};
      spec.dimension_names = {"cells"};
      std::vector<T> values(10);
      for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<T>(static_cast<double>(i) * 3 + (std::is_signed_v<T> ? -5 : 1));
      if constexpr (std::is_floating_point_v<T>) values[1] = static_cast<T>(0.1);
      values[0] = std::numeric_limits<T>::lowest();
      values[9] = std::numeric_limits<T>::max();
      zarr::write_array(store, "arr", format, spec);
      write_chunks(store, "arr", format, spec, to_bytes(values), {{1}});

      auto expected = values;
      for (std::size_t i = 4; i < 8; ++i) expected[i] = fill_value;
      EXPECT_EQ(zarr::read_array(store, "arr"), to_bytes(expected));
      auto node = zarr::read_node(store, "arr");
      ASSERT_TRUE(node && node->is_array);
      EXPECT_EQ(node->format, format);
      EXPECT_EQ(node->array->dtype, dtype);
      EXPECT_EQ(node->array->codec.kind, kind);
      EXPECT_EQ(node->array->dimension_names, std::vector<std::string>{"cells"});
    }
  }
}

TEST(ZarrRoundTrip, EveryDTypeBothFormatsBothCodecs) {
  round_trip_1d<std::int8_t>(DType::Int8, -7, -7);
  round_trip_1d<std::uint8_t>(DType::UInt8, 7, 7);
  round_trip_1d<std::int16_t>(DType::Int16, -7, -7);
  round_trip_1d<std::uint16_t>(DType::UInt16, 7, 7);
  round_trip_1d<std::int32_t>(DType::Int32, -7, -7);
  round_trip_1d<std::uint32_t>(DType::UInt32, 7, 7);
  round_trip_1d<std::int64_t>(DType::Int64, std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::int64_t>::min());
  round_trip_1d<std::uint64_t>(DType::UInt64, std::numeric_limits<std::uint64_t>::max(),
                               std::numeric_limits<std::uint64_t>::max());
  round_trip_1d<float>(DType::Float32, "NaN", std::numeric_limits<float>::quiet_NaN());
  round_trip_1d<double>(DType::Float64, "-Infinity", -std::numeric_limits<double>::infinity());
}

TEST(ZarrRoundTrip, TwoDimensionalWithPartialEdgeChunksAndAnAbsentChunk) {
  for (auto format : {Format::V2, Format::V3}) {
    SCOPED_TRACE(format_name(format));
    test::TempDir dir;
    io::FileStore store(dir.path());
    ArraySpec spec;
    spec.dtype = DType::Int32;
    spec.shape = {5, 7};
    spec.chunks = {2, 3};  // a 3 x 3 chunk grid, partial in both directions at the edge
    spec.fill_value = -1;
    std::vector<std::int32_t> values(35);
    for (int i = 0; i < 35; ++i) values[i] = 100 + i;
    zarr::write_array(store, "g/grid", format, spec);
    write_chunks(store, "g/grid", format, spec, to_bytes(values), {{1, 2}});

    auto expected = values;
    for (int r = 2; r < 4; ++r)
      for (int c = 6; c < 7; ++c) expected[r * 7 + c] = -1;
    EXPECT_EQ(from_bytes<std::int32_t>(zarr::read_array(store, "g/grid")), expected);
    EXPECT_TRUE(store.exists(format == Format::V3 ? "g/grid/c/2/2" : "g/grid/2.2"));
    EXPECT_FALSE(store.exists(format == Format::V3 ? "g/grid/c/1/2" : "g/grid/1.2"));
  }
}

TEST(ZarrRoundTrip, ScalarArrayAndEmptyArray) {
  for (auto format : {Format::V2, Format::V3}) {
    SCOPED_TRACE(format_name(format));
    test::TempDir dir;
    io::FileStore store(dir.path());
    ArraySpec scalar;
    scalar.dtype = DType::Float64;
    scalar.fill_value = 0;
    zarr::write_array(store, "s", format, scalar);
    EXPECT_EQ(from_bytes<double>(zarr::read_array(store, "s")), std::vector<double>{0.0});
    zarr::write_chunk(store, "s", format, {}, zarr::encode_chunk(scalar, to_bytes(std::vector<double>{2.5})));
    EXPECT_TRUE(store.exists(format == Format::V3 ? "s/c" : "s/0"));
    EXPECT_EQ(from_bytes<double>(zarr::read_array(store, "s")), std::vector<double>{2.5});

    ArraySpec empty;
    empty.shape = {0};
    empty.chunks = {16};
    zarr::write_array(store, "e", format, empty);
    EXPECT_TRUE(zarr::read_array(store, "e").empty());
  }
}

TEST(ZarrRoundTrip, AbsentChunksReadAsFillValue) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  ArraySpec spec;
  spec.dtype = DType::Float32;
  spec.shape = {6};
  spec.chunks = {4};
  spec.fill_value = -9999.5;
  zarr::write_array(store, "", Format::V3, spec);  // an array at the store root
  EXPECT_EQ(from_bytes<float>(zarr::read_array(store, "")), std::vector<float>(6, -9999.5f));
}

TEST(ZarrRoundTrip, ZstdChunksAreZstdFramesThatCompress) {
  ArraySpec spec;
  spec.dtype = DType::UInt16;
  spec.shape = {4096};
  spec.chunks = {4096};
  std::vector<std::uint16_t> values(4096, 42);
  auto raw = to_bytes(values);
  auto encoded = zarr::encode_chunk(spec, raw);
  ASSERT_GE(encoded.size(), 4u);
  EXPECT_LT(encoded.size(), raw.size() / 10);
  const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};  // zstd frame magic number, little-endian
  EXPECT_EQ(std::memcmp(encoded.data(), magic, 4), 0);
  EXPECT_EQ(zarr::decode_chunk(spec, encoded), raw);

  spec.codec.kind = Codec::Kind::None;
  EXPECT_EQ(zarr::encode_chunk(spec, raw), raw);
}

// ---------------------------------------------------------------------------------------
// The metadata documents, as the specs define them.

TEST(ZarrMetadata, V3ArrayAndGroupDocuments) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  zarr::write_group(store, "", Format::V3, {{"title", "t"}});
  ArraySpec spec;
  spec.dtype = DType::Float32;
  spec.shape = {100, 8};
  spec.chunks = {64, 8};
  spec.fill_value = "NaN";
  spec.dimension_names = {"cells", "band"};
  spec.attributes = {{"units", "m"}};
  spec.codec = {Codec::Kind::Zstd, 7};
  zarr::write_array(store, "/12/h_mean/", Format::V3, spec);

  EXPECT_EQ(json_of(store, "zarr.json"), json::parse(R"({"zarr_format": 3, "node_type": "group",
                                                         "attributes": {"title": "t"}})"));
  EXPECT_EQ(json_of(store, "12/h_mean/zarr.json"), json::parse(R"({
    "zarr_format": 3, "node_type": "array", "shape": [100, 8], "data_type": "float32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64, 8]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": "NaN",
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
               {"name": "zstd", "configuration": {"level": 7, "checksum": false}}],
    "attributes": {"units": "m"}, "dimension_names": ["cells", "band"]})"));

  spec.dtype = DType::UInt8;  // single bytes have no byte order
  spec.codec.kind = Codec::Kind::None;
  spec.fill_value = json();   // null is written as 0
  zarr::write_array(store, "flags", Format::V3, spec);
  auto flags = json_of(store, "flags/zarr.json");
  EXPECT_EQ(flags["codecs"], json::parse(R"([{"name": "bytes"}])"));
  EXPECT_EQ(flags["fill_value"], 0);
  EXPECT_EQ(zarr::detect_format(store, ""), Format::V3);
  EXPECT_EQ(zarr::detect_format(store, "nothing"), std::nullopt);
  EXPECT_EQ(zarr::read_node(store, "nothing"), std::nullopt);
}

TEST(ZarrMetadata, V2ArrayAndGroupDocuments) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  zarr::write_group(store, "12", Format::V2, {{"title", "t"}});
  ArraySpec spec;
  spec.dtype = DType::UInt64;
  spec.shape = {8};
  spec.chunks = {4};
  spec.fill_value = std::numeric_limits<std::uint64_t>::max();
  spec.dimension_names = {"cells"};
  spec.attributes = {{"grid_name", "healpix"}};
  spec.codec = {Codec::Kind::Zstd, 3};
  zarr::write_array(store, "12/cell_ids", Format::V2, spec);

  EXPECT_EQ(json_of(store, "12/.zgroup"), json::parse(R"({"zarr_format": 2})"));
  EXPECT_EQ(json_of(store, "12/.zattrs"), json::parse(R"({"title": "t"})"));
  EXPECT_EQ(json_of(store, "12/cell_ids/.zarray"), json::parse(R"({
    "zarr_format": 2, "shape": [8], "chunks": [4], "dtype": "<u8",
    "compressor": {"id": "zstd", "level": 3}, "fill_value": 18446744073709551615,
    "order": "C", "filters": null, "dimension_separator": "."})"));
  EXPECT_NE(text_of(store, "12/cell_ids/.zarray").find("18446744073709551615"), std::string::npos);
  EXPECT_EQ(json_of(store, "12/cell_ids/.zattrs"),
            json::parse(R"({"grid_name": "healpix", "_ARRAY_DIMENSIONS": ["cells"]})"));

  auto node = zarr::read_node(store, "12/cell_ids");
  ASSERT_TRUE(node && node->array);
  EXPECT_EQ(node->format, Format::V2);
  EXPECT_EQ(node->attributes, json::parse(R"({"grid_name": "healpix"})"));
  EXPECT_EQ(node->array->dimension_names, std::vector<std::string>{"cells"});
  EXPECT_EQ(node->array->fill_value.get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  auto group = zarr::read_node(store, "12");
  ASSERT_TRUE(group);
  EXPECT_FALSE(group->is_array);
  EXPECT_EQ(group->attributes, json::parse(R"({"title": "t"})"));

  spec.dtype = DType::Int8;
  spec.codec.kind = Codec::Kind::None;
  spec.fill_value = -1;
  zarr::write_array(store, "q", Format::V2, spec);
  auto q = json_of(store, "q/.zarray");
  EXPECT_EQ(q["dtype"], "|i1");
  EXPECT_TRUE(q["compressor"].is_null());
}

TEST(ZarrMetadata, ChunkKeys) {
  std::vector<std::uint64_t> c{1, 2};
  EXPECT_EQ(zarr::chunk_key(Format::V3, c), "c/1/2");
  EXPECT_EQ(zarr::chunk_key(Format::V2, c), "1.2");
  std::vector<std::uint64_t> one{17};
  EXPECT_EQ(zarr::chunk_key(Format::V3, one), "c/17");
  EXPECT_EQ(zarr::chunk_key(Format::V2, one), "17");
  EXPECT_EQ(zarr::chunk_key(Format::V3, {}), "c");
  EXPECT_EQ(zarr::chunk_key(Format::V2, {}), "0");
}

// ---------------------------------------------------------------------------------------
// Bad inputs are rejected with messages that say what is wrong and where.

using test::error_of;

TEST(ZarrValidation, BadSpecsAreRejected) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  ArraySpec spec;
  auto write_v3 = [&] { zarr::write_array(store, "a", Format::V3, spec); };
  auto write_v2 = [&] { zarr::write_array(store, "a", Format::V2, spec); };
  spec.shape = {10, 10};
  spec.chunks = {5};
  EXPECT_THAT(error_of(write_v3), HasSubstr("chunks have rank 1 but the shape has rank 2"));
  spec.chunks = {5, 0};
  EXPECT_THAT(error_of(write_v3), HasSubstr("chunk sizes must be positive"));
  spec.chunks = {5, 5};
  spec.dimension_names = {"x"};
  EXPECT_THAT(error_of(write_v2), HasSubstr("1 dimension names for an array of rank 2"));
  spec.dimension_names = {};

  spec.dtype = DType::UInt8;
  spec.fill_value = 300;
  EXPECT_THAT(error_of(write_v3), HasSubstr("fill_value 300 is out of range"));
  spec.fill_value = -1;
  EXPECT_THAT(error_of(write_v3), HasSubstr("fill_value -1 is out of range"));
  spec.dtype = DType::Int32;
  spec.fill_value = "NaN";
  EXPECT_THAT(error_of(write_v3), HasSubstr("is not an integer"));
  spec.dtype = DType::Float32;
  spec.fill_value = "nan";
  EXPECT_THAT(error_of(write_v3), HasSubstr("is not a number, \"NaN\""));
  spec.fill_value = 1e39;
  EXPECT_THAT(error_of(write_v3), HasSubstr("does not fit"));
  spec.fill_value = "NaN";
  spec.codec.level = 99;
  EXPECT_THAT(error_of(write_v3), HasSubstr("zstd level 99"));
  spec.codec.level = 3;
  EXPECT_FALSE(fs::exists(dir / "a"));  // nothing was written for a rejected spec

  spec.attributes = {{"_ARRAY_DIMENSIONS", {"y", "x"}}};
  spec.dimension_names = {"y", "x"};
  EXPECT_THAT(error_of(write_v2), HasSubstr("not also as the _ARRAY_DIMENSIONS"));

  auto group_at = [&](const std::string& path, const json& attrs) {
    return error_of([&] { zarr::write_group(store, path, Format::V3, attrs); });
  };
  EXPECT_THAT(group_at("a/../b", json::object()), HasSubstr("invalid node path"));
  EXPECT_THAT(group_at("a", json::array()), HasSubstr("must be a JSON object"));
}

TEST(ZarrValidation, ChunkSizesAreChecked) {
  ArraySpec spec;
  spec.dtype = DType::Float64;
  spec.shape = {10};
  spec.chunks = {4};
  std::vector<std::byte> short_chunk(31);
  EXPECT_THAT(error_of([&] { zarr::encode_chunk(spec, short_chunk); }), HasSubstr("31 raw bytes, expected 32"));
  EXPECT_THAT(error_of([&] { zarr::decode_chunk(spec, short_chunk); }), HasSubstr("not a zstd frame"));
  // A valid frame of the wrong chunk shape.
  ArraySpec other = spec;
  other.chunks = {8};
  auto frame = zarr::encode_chunk(other, std::vector<std::byte>(64));
  EXPECT_THAT(error_of([&] { zarr::decode_chunk(spec, frame); }), HasSubstr("holds 64 bytes, expected 32"));
  spec.codec.kind = Codec::Kind::None;
  EXPECT_THAT(error_of([&] { zarr::decode_chunk(spec, short_chunk); }), HasSubstr("31 stored bytes, expected 32"));
}

void put_text(io::Store& store, const std::string& key, const std::string& text) {
  store.put(key, std::as_bytes(std::span(text.data(), text.size())));
}

TEST(ZarrValidation, UnsupportedStoresAreRejectedNamingTheKey) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  auto read_error = [&](const std::string& path) { return error_of([&] { zarr::read_node(store, path); }); };
  const auto v3_base = json::parse(R"({"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "float32",
      "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}},
      "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
      "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                 {"name": "gzip", "configuration": {"level": 1}}]})");
  put_text(store, "gz/zarr.json", v3_base.dump());
  EXPECT_THAT(read_error("gz"), HasSubstr("gz/zarr.json: unsupported codec \"gzip\""));

  auto complex = v3_base;
  complex["data_type"] = "complex64";
  complex["codecs"] = json::parse(R"([{"name": "bytes", "configuration": {"endian": "little"}}])");
  put_text(store, "cx/zarr.json", complex.dump());
  EXPECT_THAT(error_of([&] { zarr::read_array(store, "cx"); }),
              HasSubstr("cx/zarr.json: unsupported data type \"complex64\""));

  auto big = v3_base;
  big["codecs"] = json::parse(R"([{"name": "bytes", "configuration": {"endian": "big"}}])");
  put_text(store, "be/zarr.json", big.dump());
  EXPECT_THAT(read_error("be"), HasSubstr("be/zarr.json: unsupported bytes codec configuration"));

  auto wrong_type = v3_base;
  wrong_type["chunk_grid"] = "regular";
  put_text(store, "wt/zarr.json", wrong_type.dump());
  EXPECT_THAT(read_error("wt"), HasSubstr("wt/zarr.json: unsupported chunk_grid"));

  put_text(store, "blosc/.zarray", R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<f4",
      "compressor": {"id": "blosc", "cname": "lz4"}, "fill_value": null, "order": "C", "filters": null})");
  EXPECT_THAT(read_error("blosc"), HasSubstr("blosc/.zarray: unsupported compressor"));

  put_text(store, "be2/.zarray", R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": ">f4",
      "compressor": null, "fill_value": null, "order": "C", "filters": null})");
  EXPECT_THAT(read_error("be2"), HasSubstr("be2/.zarray: unsupported data type \">f4\""));

  put_text(store, "bad/zarr.json", "{not json");
  EXPECT_THAT(read_error("bad"), HasSubstr("bad/zarr.json: invalid JSON"));
}

TEST(ZarrValidation, CorruptChunksAndGroupsAreRejectedByReadArray) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  zarr::write_group(store, "", Format::V3, json::object());
  ArraySpec spec;
  spec.shape = {4};
  spec.chunks = {4};
  zarr::write_array(store, "a", Format::V3, spec);
  put_text(store, "a/c/0", "garbage");
  auto message = error_of([&] { zarr::read_array(store, "a"); });
  EXPECT_THAT(message, HasSubstr("a/c/0: zarr chunk: not a zstd frame"));
  EXPECT_THAT(error_of([&] { zarr::read_array(store, ""); }), HasSubstr("is a group, not an array"));
  EXPECT_THAT(error_of([&] { zarr::read_array(store, "none"); }), HasSubstr("no Zarr group or array"));
  EXPECT_THAT(error_of([&] { zarr::consolidate(store, "a"); }), HasSubstr("needs a Zarr group"));
}

// Sizes in crafted metadata are bounded before anything is allocated or visited: each is an
// error naming the array's metadata and what is wrong, never a crash or a huge allocation.
TEST(ZarrValidation, SizesFromMetadataAreBounded) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  const auto v3 = json::parse(R"({"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "float64",
      "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}},
      "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
      "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]})");
  auto with = [&](const std::string& name, json shape, json chunk_shape) {
    auto meta = v3;
    meta["shape"] = std::move(shape);
    meta["chunk_grid"]["configuration"]["chunk_shape"] = std::move(chunk_shape);
    put_text(store, name + "/zarr.json", meta.dump());
    return error_of([&] { zarr::read_array(store, name); });
  };
  const json ones33 = std::vector<int>(33, 1), many = std::vector<int>(1000000, 1);
  EXPECT_THAT(with("rank", ones33, ones33), HasSubstr("rank/zarr.json: \"shape\" has 33 dimensions, more than the 32"));
  EXPECT_THAT(with("wide", many, many), HasSubstr("wide/zarr.json: \"shape\" has 1000000 dimensions"));
  EXPECT_THAT(with("neg", json::array({-4}), json::array({4})), HasSubstr("neg/zarr.json: \"shape\" must hold non-negative integers, found -4"));
  EXPECT_THAT(with("zero", json::array({4}), json::array({0})), HasSubstr("zero/zarr.json: chunk sizes must be positive"));
  // One chunk of 2^28 float64 values is 2 GiB: accepted (not read: no chunk is present)
  // up to there, one more value is too many; a product that overflows 64 bits too.
  EXPECT_THAT(with("chunk", json::array({1}), json::array({268435457})), HasSubstr("chunk/zarr.json: chunk shape 268435457 is too large (a chunk of more than 2147483648 bytes)"));
  EXPECT_THAT(with("chunk2", json::array({1, 1}), json::array({4294967296, 4294967296})), HasSubstr("chunk2/zarr.json: chunk shape 4294967296x4294967296 is too large"));
  EXPECT_THAT(with("huge", json::array({4294967296, 4294967296}), json::array({1, 1})), HasSubstr("huge/zarr.json: shape 4294967296x4294967296 is too large (its size overflows 64 bits)"));
  EXPECT_THAT(with("grid", json::array({65536, 65537}), json::array({1, 1})), HasSubstr("grid/zarr.json: shape 65536x65537 in chunks of 1x1 makes more than 4294967296 chunks"));
  EXPECT_THAT(with("v", json::array({18446744073709551615u}), json::array({1})), HasSubstr("too large"));
  // At the bounds: 32 dimensions and a grid of exactly 2^32 chunks are an array.
  EXPECT_THAT(with("r32", std::vector<int>(32, 2), std::vector<int>(32, 1)), HasSubstr("too large to read into memory"));
  EXPECT_TRUE(zarr::read_node(store, "r32")->array);
  with("g32", json::array({65536, 65536}), json::array({1, 1}));
  EXPECT_EQ(zarr::read_node(store, "g32")->array->shape, (std::vector<std::uint64_t>{65536, 65536}));

  // v2 the same way.
  put_text(store, "v2/.zarray", R"({"zarr_format": 2, "shape": [9007199254740993], "chunks": [1], "dtype": "<f8",
      "compressor": null, "fill_value": null, "order": "C", "filters": null})");
  EXPECT_THAT(error_of([&] { zarr::read_node(store, "v2"); }), HasSubstr("v2/.zarray: shape 9007199254740993 in chunks of 1 makes more than"));
  // A decoded chunk must be the chunk's size (a zstd frame that says it holds 2 GiB is refused
  // before anything is allocated).
  ArraySpec spec;
  spec.shape = {4};
  spec.chunks = {4};
  const std::vector<std::byte> frame = zarr::encode_chunk([&] { auto s = spec; s.chunks = {1 << 20}; s.shape = {1 << 20}; return s; }(),
                                                          std::vector<std::byte>(std::size_t{4} << 20));
  EXPECT_THAT(error_of([&] { zarr::decode_chunk(spec, frame); }), HasSubstr("holds 4194304 bytes, expected 16"));
}

// ---------------------------------------------------------------------------------------
// Consolidated metadata.

// The ATL06 layout in miniature: root group, group "12", 1-D arrays over "cells".
void write_small_hierarchy(io::Store& store, Format format) {
  zarr::write_group(store, "", format, {{"title", "granary zarr test"}});
  zarr::write_group(store, "12", format, format == Format::V3 ? atl06::dggs_group_attributes(12, {}) : json::object());
  ArraySpec spec;
  spec.shape = {8};
  spec.chunks = {4};
  spec.dimension_names = {"cells"};
  spec.dtype = DType::UInt64;
  spec.fill_value = format == Format::V3 ? json(0) : json(std::numeric_limits<std::uint64_t>::max());
  if (format == Format::V2) spec.attributes = atl06::xdggs_cell_ids_attributes(12, healpix::LatitudeConvention::GeodeticSpherical);
  zarr::write_array(store, "12/cell_ids", format, spec);
  spec.attributes = json::object();
  spec.dtype = DType::Int32;
  spec.fill_value = 0;
  zarr::write_array(store, "12/count", format, spec);
  spec.dtype = DType::Float32;
  spec.fill_value = "NaN";
  spec.attributes = {{"units", "meters"}};
  zarr::write_array(store, "12/h_mean", format, spec);
  spec.codec.kind = Codec::Kind::None;
  spec.attributes = json::object();
  zarr::write_array(store, "12/h_sigma", format, spec);

  // Chunk 0 holds data; chunk 1 is absent (cells without observations).
  const std::uint64_t big = (std::uint64_t{1} << 60) + 3;  // exact only as a 64-bit integer
  std::vector<std::uint64_t> ids{big, big + 1, big + 2, big + 3, 0, 0, 0, 0};
  std::vector<std::int32_t> counts{1, 2, 3, 4, 0, 0, 0, 0};
  std::vector<float> means{1.5f, -2.25f, 1e-3f, 100.125f, 0, 0, 0, 0};
  std::vector<float> sigmas{0.5f, 0.25f, 0.125f, 2.0f, 0, 0, 0, 0};
  auto write = [&](const std::string& name, const std::vector<std::byte>& values) {
    auto path = "12/" + name;
    write_chunks(store, path, format, zarr::read_node(store, path)->array.value(), values, {{1}});
  };
  write("cell_ids", to_bytes(ids));
  write("count", to_bytes(counts));
  write("h_mean", to_bytes(means));
  write("h_sigma", to_bytes(sigmas));
  zarr::consolidate(store, "");
}

TEST(ZarrConsolidate, V3InlineMetadataListsEveryNode) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  write_small_hierarchy(store, Format::V3);
  auto root = json_of(store, "zarr.json");
  EXPECT_EQ(root["attributes"], json::parse(R"({"title": "granary zarr test"})"));
  const auto& block = root["consolidated_metadata"];
  EXPECT_EQ(block["kind"], "inline");
  EXPECT_EQ(block["must_understand"], false);
  std::set<std::string> nodes;
  for (const auto& [key, meta] : block["metadata"].items()) nodes.insert(key);
  EXPECT_EQ(nodes, (std::set<std::string>{"12", "12/cell_ids", "12/count", "12/h_mean", "12/h_sigma"}));
  for (const auto& name : {"12/cell_ids", "12/count", "12/h_mean", "12/h_sigma"})
    EXPECT_EQ(block["metadata"][name], json_of(store, std::string(name) + "/zarr.json")) << name;
  auto group = block["metadata"]["12"];
  EXPECT_EQ(group["node_type"], "group");
  EXPECT_EQ(group["attributes"], atl06::dggs_group_attributes(12, {}));
  EXPECT_EQ(group["consolidated_metadata"]["metadata"], json::object());

  // Consolidating again replaces the block rather than nesting it; a subgroup can be a root too.
  zarr::consolidate(store, "");
  EXPECT_EQ(json_of(store, "zarr.json")["consolidated_metadata"], block);
  zarr::consolidate(store, "12");
  auto subgroup = json_of(store, "12/zarr.json");
  std::set<std::string> children;
  for (const auto& [key, meta] : subgroup["consolidated_metadata"]["metadata"].items()) children.insert(key);
  EXPECT_EQ(children, (std::set<std::string>{"cell_ids", "count", "h_mean", "h_sigma"}));
}

TEST(ZarrConsolidate, V2ZmetadataHoldsEveryDocument) {
  test::TempDir dir;
  io::FileStore store(dir.path());
  write_small_hierarchy(store, Format::V2);
  auto consolidated = json_of(store, ".zmetadata");
  EXPECT_EQ(consolidated["zarr_consolidated_format"], 1);
  std::set<std::string> keys;
  for (const auto& [key, doc] : consolidated["metadata"].items()) {
    keys.insert(key);
    EXPECT_EQ(doc, json_of(store, key)) << key;
  }
  std::set<std::string> expected{".zgroup", ".zattrs", "12/.zgroup", "12/.zattrs"};
  for (const auto& a : {"cell_ids", "count", "h_mean", "h_sigma"}) {
    expected.insert(std::string("12/") + a + "/.zarray");
    expected.insert(std::string("12/") + a + "/.zattrs");
  }
  EXPECT_EQ(keys, expected);
}

// ---------------------------------------------------------------------------------------
// Independent readers.

bool python_has_zarr() {
  static bool ok = test::run_command("/usr/bin/python3 -c 'import zarr, xarray' 2>&1").exit_code == 0;
  return ok;
}

TEST(ZarrIndependentReaders, ZarrPython2AndXarrayReadOurV2Store) {
  if (!python_has_zarr())
    GTEST_SKIP() << "/usr/bin/python3 with zarr and xarray not available (apt-get install python3-zarr python3-xarray)";
  test::TempDir dir;
  auto path = dir / "atl06.zarr";
  io::FileStore store(path);
  write_small_hierarchy(store, Format::V2);

  const std::string script = R"PY(
import json, math, sys
import numpy as np, xarray as xr, zarr
path = sys.argv[1]
def floats(a): return [None if math.isnan(x) else float(x) for x in np.asarray(a, dtype="float64")]
root = zarr.open_consolidated(path, mode="r")
g = root["12"]
ds = xr.open_zarr(path, group="12", consolidated=True, chunks=None)
raw = xr.open_zarr(path, group="12", consolidated=True, mask_and_scale=False, chunks=None)
print(json.dumps({
  "root_attrs": dict(root.attrs),
  "arrays": sorted(g.array_keys()),
  "cell_ids": [int(x) for x in g["cell_ids"][:]],
  "cell_ids_dtype": str(g["cell_ids"].dtype),
  "count": [int(x) for x in g["count"][:]],
  "h_mean_raw": floats(g["h_mean"][:]),
  "h_sigma": floats(g["h_sigma"][:]),
  "compressor": g["h_mean"].compressor.get_config(),
  "dims": {k: int(v) for k, v in ds.dims.items()},
  "h_mean_dims": list(ds["h_mean"].dims),
  "h_mean": floats(ds["h_mean"].values),
  "h_mean_dtype": str(ds["h_mean"].dtype),
  "h_mean_attrs": dict(ds["h_mean"].attrs),
  "cell_ids_attrs": dict(ds["cell_ids"].attrs),
  "raw_cell_ids": [int(x) for x in raw["cell_ids"].values],
}))
)PY";
  std::ofstream(dir / "read.py") << script;
  auto r = test::run_command("/usr/bin/python3 " + (dir / "read.py").string() + " " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  const std::uint64_t big = (std::uint64_t{1} << 60) + 3, fill = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(out["root_attrs"], json::parse(R"({"title": "granary zarr test"})"));
  EXPECT_EQ(out["arrays"], json::parse(R"(["cell_ids", "count", "h_mean", "h_sigma"])"));
  EXPECT_EQ(out["cell_ids"], json({big, big + 1, big + 2, big + 3, fill, fill, fill, fill}));
  EXPECT_EQ(out["raw_cell_ids"], out["cell_ids"]);
  EXPECT_EQ(out["cell_ids_dtype"], "uint64");
  EXPECT_EQ(out["count"], json({1, 2, 3, 4, 0, 0, 0, 0}));
  json nan4 = json::array({nullptr, nullptr, nullptr, nullptr});
  json means = {1.5, -2.25, static_cast<double>(1e-3f), 100.125};
  means.insert(means.end(), nan4.begin(), nan4.end());
  EXPECT_EQ(out["h_mean_raw"], means);
  EXPECT_EQ(out["h_mean"], means);
  json sigmas = {0.5, 0.25, 0.125, 2.0};
  sigmas.insert(sigmas.end(), nan4.begin(), nan4.end());
  EXPECT_EQ(out["h_sigma"], sigmas);
  EXPECT_EQ(out["compressor"]["id"], "zstd");
  EXPECT_EQ(out["compressor"]["level"], 3);
  EXPECT_EQ(out["dims"], json::parse(R"({"cells": 8})"));
  EXPECT_EQ(out["h_mean_dims"], json::parse(R"(["cells"])"));
  EXPECT_EQ(out["h_mean_dtype"], "float32");
  EXPECT_EQ(out["h_mean_attrs"], json::parse(R"({"units": "meters"})"));
  EXPECT_EQ(out["cell_ids_attrs"], atl06::xdggs_cell_ids_attributes(12, healpix::LatitudeConvention::GeodeticSpherical));
}

TEST(ZarrIndependentReaders, ZarritaReadsOurV3Store) {
  if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";
  auto tools = test::zarrita_dir();
  if (!tools)
    GTEST_SKIP() << "zarrita not installed: run `npm ci --prefix tools/zarrita` (or set GRANARY_ZARRITA_DIR)";
  test::TempDir dir;
  auto path = dir / "atl06.zarr";
  io::FileStore store(path);
  write_small_hierarchy(store, Format::V3);
  ArraySpec grid;  // a 2-D array with keys c/i/j and an absent chunk
  grid.dtype = DType::Int16;
  grid.shape = {3, 5};
  grid.chunks = {2, 2};
  grid.fill_value = -1;
  grid.dimension_names = {"y", "x"};
  zarr::write_array(store, "12/grid", Format::V3, grid);
  std::vector<std::int16_t> cells(15);
  for (int i = 0; i < 15; ++i) cells[i] = static_cast<std::int16_t>(i * 10);
  write_chunks(store, "12/grid", Format::V3, grid, to_bytes(cells), {{0, 1}});
  zarr::consolidate(store, "");

  auto script = fs::path(GRANARY_SOURCE_DIR) / "tests" / "formats" / "zarrita_read.mjs";
  auto r = test::run_command("GRANARY_ZARRITA_DIR=" + tools->string() + " node " + script.string() + " " +
                             path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  EXPECT_EQ(out["contents"],
            json::parse(R"(["/ group", "/12 group", "/12/cell_ids array", "/12/count array", "/12/grid array",
                            "/12/h_mean array", "/12/h_sigma array"])"));
  const auto& nodes = out["nodes"];
  EXPECT_EQ(nodes["/"]["attrs"], json::parse(R"({"title": "granary zarr test"})"));
  EXPECT_EQ(nodes["/12"]["attrs"], atl06::dggs_group_attributes(12, {}));
  const std::uint64_t big = (std::uint64_t{1} << 60) + 3;
  auto s = [](std::uint64_t v) { return std::to_string(v); };
  EXPECT_EQ(nodes["/12/cell_ids"]["data"], json({s(big), s(big + 1), s(big + 2), s(big + 3), "0", "0", "0", "0"}));
  EXPECT_EQ(nodes["/12/cell_ids"]["dtype"], "uint64");
  EXPECT_EQ(nodes["/12/count"]["data"], json({1, 2, 3, 4, 0, 0, 0, 0}));
  EXPECT_EQ(nodes["/12/h_mean"]["data"],
            json({1.5, -2.25, static_cast<double>(1e-3f), 100.125, "NaN", "NaN", "NaN", "NaN"}));
  EXPECT_EQ(nodes["/12/h_mean"]["attrs"], json::parse(R"({"units": "meters"})"));
  EXPECT_EQ(nodes["/12/h_sigma"]["data"], json({0.5, 0.25, 0.125, 2.0, "NaN", "NaN", "NaN", "NaN"}));
  EXPECT_EQ(nodes["/12/grid"]["shape"], json({3, 5}));
  EXPECT_EQ(nodes["/12/grid"]["data"], json({0, 10, -1, -1, 40, 50, 60, -1, -1, 90, 100, 110, 120, 130, 140}));
  for (const auto& [name, node] : nodes.items()) {
    if (node["kind"] == "array") EXPECT_EQ(node["same_via_consolidated"], true) << name;
  }
}

}  // namespace
}  // namespace granary
