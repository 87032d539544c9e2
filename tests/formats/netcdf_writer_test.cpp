#include <gtest/gtest.h>
#include <netcdf.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <thread>

#include "formats/netcdf/chunk_codec.hpp"
#include "formats/netcdf/chunk_grid.hpp"
#include "formats/netcdf/chunk_writer.hpp"
#include "formats/netcdf/ordered_parallel.hpp"
#include "formats/netcdf/storage_plan.hpp"
#include "formats/netcdf/writer.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nc::Dataset;
using nc::Type;

constexpr double kEccoFill = 9.969209968386869e36;
const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Read side through netCDF-C, failing the test on any netCDF error.
class Reader {
 public:
  explicit Reader(const fs::path& p) { ok(nc_open(p.c_str(), NC_NOWRITE, &id_)); }
  ~Reader() { nc_close(id_); }
  int var(const std::string& name) const {
    int v = -1;
    ok(nc_inq_varid(id_, name.c_str(), &v));
    return v;
  }
  template <typename T>
  std::vector<T> values(const std::string& name, std::size_t n) const {
    std::vector<T> out(n);
    ok(nc_get_var(id_, var(name), out.data()));
    return out;
  }
  std::string attr_name(int varid, int index) const {
    char name[NC_MAX_NAME + 1] = {};
    ok(nc_inq_attname(id_, varid, index, name));
    return name;
  }
  std::pair<nc_type, std::size_t> attr_kind(int varid, const std::string& name) const {
    nc_type t;
    std::size_t len;
    ok(nc_inq_att(id_, varid, name.c_str(), &t, &len));
    return {t, len};
  }
  int natts(int varid) const {
    int n = 0;
    ok(varid == NC_GLOBAL ? nc_inq_natts(id_, &n) : nc_inq_varnatts(id_, varid, &n));
    return n;
  }
  int id() const { return id_; }
  static void ok(int status) {
    if (status != NC_NOERR) throw std::runtime_error(nc_strerror(status));
  }

 private:
  int id_ = -1;
};

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

// A smooth field over (levels, ny, nx) with a NaN land mask, like an ocean model level stack.
std::vector<float> ocean_field(std::size_t levels, std::size_t ny, std::size_t nx) {
  std::vector<float> v(levels * ny * nx);
  for (std::size_t k = 0; k < levels; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        double lat = -90.0 + 180.0 * (j + 0.5) / ny, lon = 360.0 * (i + 0.5) / nx;
        double land = std::sin(lon * 0.05) * std::cos(lat * 0.07) + 0.02 * k;
        v[(k * ny + j) * nx + i] =
            land > 0.45
                ? kNaN
                : static_cast<float>(28.0 * std::cos(lat * std::numbers::pi / 180.0) * std::exp(-0.1 * k) +
                                     0.01 * std::sin(lon));
      }
  return v;
}

std::vector<float> with_fill(std::vector<float> v, float fill) {
  for (auto& x : v)
    if (std::isnan(x)) x = fill;
  return v;
}

// ---------------------------------------------------------------------------- units

TEST(NetcdfStoragePlan, DefaultChunksAreLevelSlabs) {
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{1, 50, 360, 720}, 4),
            (std::vector<std::size_t>{1, 1, 360, 720}));
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{1, 50, 13, 90, 90}, 4),
            (std::vector<std::size_t>{1, 1, 13, 90, 90}));
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{1, 50, 90, 180}, 4),
            (std::vector<std::size_t>{1, 1, 90, 180}));
  // Levels too small to compress well on their own are not split.
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{1, 50, 30, 40}, 4),
            (std::vector<std::size_t>{1, 50, 30, 40}));
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{50}, 4), (std::vector<std::size_t>{50}));
  // Long rows are slabs by themselves.
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{1, 21600, 43200}, 4),
            (std::vector<std::size_t>{1, 1, 43200}));
  // A huge level is halved along its outer dimension until under kMaxChunkBytes (16 MiB).
  EXPECT_EQ(nc::default_chunks(std::vector<std::size_t>{100, 5000, 5000}, 4),
            (std::vector<std::size_t>{1, 625, 5000}));
}

TEST(NetcdfChunkCodec, ShuffleIsHdf5ByteTransposition) {
  // Three 4-byte elements plus two trailing bytes that HDF5 leaves in place.
  std::vector<std::byte> in;
  for (int b = 0; b < 14; ++b) in.push_back(std::byte(b));
  std::vector<std::byte> out(in.size());
  nc::shuffle_bytes(in, 4, out);
  std::vector<int> want = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 13};
  for (std::size_t k = 0; k < want.size(); ++k) EXPECT_EQ(std::to_integer<int>(out[k]), want[k]) << k;
  // A single element is copied unchanged (HDF5 skips the transposition).
  std::vector<std::byte> one(in.begin(), in.begin() + 8), one_out(8);
  nc::shuffle_bytes(one, 8, one_out);
  EXPECT_EQ(one, one_out);
}

TEST(NetcdfChunkCodec, ShuffleMatchesTheDefinitionForEverySize) {
  // Covers the vectorised float32 path (16 elements at a time) and its scalar tails.
  for (std::size_t size : {2u, 3u, 4u, 8u})
    for (std::size_t bytes = 0; bytes < 200; ++bytes) {
      std::vector<std::byte> in(bytes), out(bytes), want(bytes);
      for (std::size_t b = 0; b < bytes; ++b) in[b] = std::byte((b * 37 + size) & 0xff);
      const std::size_t n = bytes / size;
      want = in;
      if (n > 1)
        for (std::size_t e = 0; e < n; ++e)
          for (std::size_t k = 0; k < size; ++k) want[k * n + e] = in[e * size + k];
      nc::shuffle_bytes(in, size, out);
      ASSERT_EQ(out, want) << "element size " << size << ", " << bytes << " bytes";
    }
}

TEST(NetcdfChunkGrid, GatherPadsEdgeChunksWithZeros) {
  // 3 x 5 int16 array, chunks 2 x 3: 4 chunks, three of them partial.
  std::vector<std::int16_t> a(15);
  for (int k = 0; k < 15; ++k) a[k] = static_cast<std::int16_t>(k + 1);
  nc::ChunkGrid grid({3, 5}, {2, 3});
  ASSERT_EQ(grid.count(), 4u);
  EXPECT_EQ(grid.offset(3), (std::vector<std::size_t>{2, 3}));
  auto chunk = [&](std::size_t i) {
    std::vector<std::int16_t> c(grid.chunk_elements(), -1);
    grid.gather(i, reinterpret_cast<const std::byte*>(a.data()), 2, reinterpret_cast<std::byte*>(c.data()));
    return c;
  };
  EXPECT_EQ(chunk(0), (std::vector<std::int16_t>{1, 2, 3, 6, 7, 8}));
  EXPECT_EQ(chunk(1), (std::vector<std::int16_t>{4, 5, 0, 9, 10, 0}));
  EXPECT_EQ(chunk(2), (std::vector<std::int16_t>{11, 12, 13, 0, 0, 0}));
  EXPECT_EQ(chunk(3), (std::vector<std::int16_t>{14, 15, 0, 0, 0, 0}));
}

TEST(NetcdfOrderedParallel, ConsumesInOrderAndPropagatesErrors) {
  std::vector<std::size_t> seen;
  nc::run_ordered(
      100, 3, 4,
      [](std::size_t i, unsigned, nc::Buffer& out) {
        out.assign(i % 7 + 1, std::byte(i & 0xff));
        if (i % 5 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      },
      [&](std::size_t i, const nc::Buffer& in) {
        ASSERT_EQ(in.size(), i % 7 + 1);
        ASSERT_EQ(in[0], std::byte(i & 0xff));
        seen.push_back(i);
      });
  ASSERT_EQ(seen.size(), 100u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);

  auto failing_producer = [] {
    nc::run_ordered(
        50, 2, 2,
        [](std::size_t i, unsigned, nc::Buffer&) {
          if (i == 17) fail("chunk {} broke", i);
        },
        [](std::size_t, const nc::Buffer&) {});
  };
  EXPECT_THROW(failing_producer(), Error);
  auto failing_consumer = [] {
    nc::run_ordered(
        50, 2, 2, [](std::size_t, unsigned, nc::Buffer&) {},
        [](std::size_t i, const nc::Buffer&) {
          if (i == 9) fail("write {} broke", i);
        });
  };
  EXPECT_THROW(failing_consumer(), Error);
}

// ------------------------------------------------------------------------ round trips

TEST(NetcdfWriter, AttributesOfEveryTypeRoundTripInOrder) {
  test::TempDir dir;
  std::vector<float> x = {1.f, 2.f};
  Dataset ds;
  ds.dimensions = {{"x", 2}};
  ds.attributes = {nc::attr("title", "granary test"),
                   nc::attr("empty", ""),
                   nc::attr("i32", std::int32_t{-7}),
                   {"i64", std::vector<std::int64_t>{1LL << 40, -3}},
                   nc::attr("f32", 1.5f),
                   nc::attr("f64", 0.1),
                   {"i16", std::vector<std::int16_t>{-2, 3, 4}},
                   {"i8", std::vector<std::int8_t>{-128, 127}}};
  ds.variables.push_back({"x", Type::Float32, {"x"}, ds.attributes, Dataset::bytes(x), {}, {}});
  ASSERT_NO_THROW(nc::write_netcdf(ds, (dir / "a.nc").string()));

  Reader r(dir / "a.nc");
  for (int varid : {NC_GLOBAL, r.var("x")}) {
    ASSERT_EQ(r.natts(varid), 8);
    const char* order[] = {"title", "empty", "i32", "i64", "f32", "f64", "i16", "i8"};
    for (int k = 0; k < 8; ++k) EXPECT_EQ(r.attr_name(varid, k), order[k]);

    EXPECT_EQ(r.attr_kind(varid, "title"), (std::pair<nc_type, std::size_t>{NC_CHAR, 12}));
    char text[13] = {};
    Reader::ok(nc_get_att_text(r.id(), varid, "title", text));
    EXPECT_STREQ(text, "granary test");
    EXPECT_EQ(r.attr_kind(varid, "empty").first, NC_CHAR);
    EXPECT_EQ(r.attr_kind(varid, "empty").second, 0u);

    EXPECT_EQ(r.attr_kind(varid, "i32"), (std::pair<nc_type, std::size_t>{NC_INT, 1}));
    int i32 = 0;
    Reader::ok(nc_get_att_int(r.id(), varid, "i32", &i32));
    EXPECT_EQ(i32, -7);

    EXPECT_EQ(r.attr_kind(varid, "i64"), (std::pair<nc_type, std::size_t>{NC_INT64, 2}));
    long long i64[2] = {};
    Reader::ok(nc_get_att_longlong(r.id(), varid, "i64", i64));
    EXPECT_EQ(i64[0], 1LL << 40);
    EXPECT_EQ(i64[1], -3);

    EXPECT_EQ(r.attr_kind(varid, "f32"), (std::pair<nc_type, std::size_t>{NC_FLOAT, 1}));
    float f32 = 0;
    Reader::ok(nc_get_att_float(r.id(), varid, "f32", &f32));
    EXPECT_EQ(f32, 1.5f);

    EXPECT_EQ(r.attr_kind(varid, "f64"), (std::pair<nc_type, std::size_t>{NC_DOUBLE, 1}));
    double f64 = 0;
    Reader::ok(nc_get_att_double(r.id(), varid, "f64", &f64));
    EXPECT_EQ(f64, 0.1);

    EXPECT_EQ(r.attr_kind(varid, "i16"), (std::pair<nc_type, std::size_t>{NC_SHORT, 3}));
    short i16[3] = {};
    Reader::ok(nc_get_att_short(r.id(), varid, "i16", i16));
    EXPECT_EQ(i16[0], -2);
    EXPECT_EQ(i16[2], 4);

    EXPECT_EQ(r.attr_kind(varid, "i8"), (std::pair<nc_type, std::size_t>{NC_BYTE, 2}));
    signed char i8[2] = {};
    Reader::ok(nc_get_att_schar(r.id(), varid, "i8", i8));
    EXPECT_EQ(i8[0], -128);
    EXPECT_EQ(i8[1], 127);
  }
}

TEST(NetcdfWriter, VariablesOfEveryTypeRoundTrip) {
  test::TempDir dir;
  std::vector<std::int8_t> i8 = {-128, 0, 127};
  std::vector<std::int16_t> i16 = {-32768, 1, 32767};
  std::vector<std::int32_t> i32 = {INT32_MIN, 2, INT32_MAX};
  std::vector<std::int64_t> i64 = {INT64_MIN, 3, INT64_MAX};
  std::vector<float> f32 = {-1.25f, 0.f, 3.4e38f};
  std::vector<double> f64 = {-1e300, 0.5, 1e-300};
  std::vector<std::int32_t> scalar = {42};
  std::vector<double> series = {1, 2, 3, 4, 5};
  Dataset ds;
  ds.dimensions = {{"n", 3}, {"time", 5, true}};
  ds.variables = {
      {"i8", Type::Int8, {"n"}, {}, Dataset::bytes(i8), {}, {}},
      {"i16", Type::Int16, {"n"}, {}, Dataset::bytes(i16), {}, {}},
      {"i32", Type::Int32, {"n"}, {}, Dataset::bytes(i32), {}, {}},
      {"i64", Type::Int64, {"n"}, {}, Dataset::bytes(i64), {}, {}},
      {"f32", Type::Float32, {"n"}, {}, Dataset::bytes(f32), {}, {}},
      {"f64", Type::Float64, {"n"}, {}, Dataset::bytes(f64), {}, {}},
      {"label", Type::String, {"n"}, {}, {}, {}, {"alpha", "", "gamma delta"}},
      {"answer", Type::Int32, {}, {}, Dataset::bytes(scalar), {}, {}},
      {"series", Type::Float64, {"time"}, {}, Dataset::bytes(series), {}, {}},
  };
  ASSERT_NO_THROW(nc::write_netcdf(ds, (dir / "v.nc").string()));

  Reader r(dir / "v.nc");
  EXPECT_EQ(r.values<std::int8_t>("i8", 3), i8);
  EXPECT_EQ(r.values<std::int16_t>("i16", 3), i16);
  EXPECT_EQ(r.values<std::int32_t>("i32", 3), i32);
  EXPECT_EQ(r.values<std::int64_t>("i64", 3), i64);
  EXPECT_EQ(r.values<float>("f32", 3), f32);
  EXPECT_EQ(r.values<double>("f64", 3), f64);
  EXPECT_EQ(r.values<std::int32_t>("answer", 1), scalar);
  EXPECT_EQ(r.values<double>("series", 5), series);
  std::size_t time_len = 0;
  int time_dim = -1;
  Reader::ok(nc_inq_dimid(r.id(), "time", &time_dim));
  Reader::ok(nc_inq_dimlen(r.id(), time_dim, &time_len));
  EXPECT_EQ(time_len, 5u);
  int unlimited = -1;
  Reader::ok(nc_inq_unlimdim(r.id(), &unlimited));
  EXPECT_EQ(unlimited, time_dim);

  char* labels[3] = {};
  Reader::ok(nc_get_var_string(r.id(), r.var("label"), labels));
  EXPECT_STREQ(labels[0], "alpha");
  EXPECT_STREQ(labels[1], "");
  EXPECT_STREQ(labels[2], "gamma delta");
  nc_free_string(3, labels);

  nc_type t;
  Reader::ok(nc_inq_vartype(r.id(), r.var("i64"), &t));
  EXPECT_EQ(t, NC_INT64);
  Reader::ok(nc_inq_vartype(r.id(), r.var("label"), &t));
  EXPECT_EQ(t, NC_STRING);
  // No fill value was asked for: no _FillValue attribute and NC_NOFILL (like coordinates).
  int no_fill = 0;
  Reader::ok(nc_inq_var_fill(r.id(), r.var("f32"), &no_fill, nullptr));
  EXPECT_EQ(no_fill, 1);
  EXPECT_EQ(nc_inq_att(r.id(), r.var("f32"), "_FillValue", nullptr, nullptr), NC_ENOTATT);
}

// Both routes (netCDF-C for small variables, raw chunks for large ones) store NaN as fill.
TEST(NetcdfWriter, NanIsStoredAsFillValue) {
  for (std::size_t direct_min : {std::size_t{0}, std::numeric_limits<std::size_t>::max()}) {
    SCOPED_TRACE(direct_min == 0 ? "raw chunks" : "netCDF-C");
    test::TempDir dir;
    std::vector<float> f = {1.f, kNaN, -2.f, kNaN};
    std::vector<double> d = {kNaN, 0.25, 3.0, kNaN};
    Dataset ds;
    ds.dimensions = {{"n", 4}};
    nc::Encoding enc;
    enc.deflate = true;
    enc.shuffle = true;
    enc.fill_value = kEccoFill;
    nc::Encoding enc64 = enc;
    enc64.fill_value = -999.0;
    ds.variables = {{"f", Type::Float32, {"n"}, {nc::attr("units", "degC")}, Dataset::bytes(f), enc, {}},
                    {"d", Type::Float64, {"n"}, {}, Dataset::bytes(d), enc64, {}}};
    nc::WriteOptions options;
    options.direct_chunk_min_bytes = direct_min;
    ASSERT_NO_THROW(nc::write_netcdf(ds, (dir / "fill.nc").string(), options));

    Reader r(dir / "fill.nc");
    const float ff = static_cast<float>(kEccoFill);
    EXPECT_EQ(r.values<float>("f", 4), (std::vector<float>{1.f, ff, -2.f, ff}));
    EXPECT_EQ(r.values<double>("d", 4), (std::vector<double>{-999.0, 0.25, 3.0, -999.0}));
    EXPECT_EQ(r.attr_kind(r.var("f"), "_FillValue"), (std::pair<nc_type, std::size_t>{NC_FLOAT, 1}));
    float fill_attr = 0;
    Reader::ok(nc_get_att_float(r.id(), r.var("f"), "_FillValue", &fill_attr));
    EXPECT_EQ(fill_attr, ff);
    int no_fill = 1;
    float fill_mode_value = 0;
    Reader::ok(nc_inq_var_fill(r.id(), r.var("f"), &no_fill, &fill_mode_value));
    EXPECT_EQ(no_fill, 0);
    EXPECT_EQ(fill_mode_value, ff);
    EXPECT_EQ(r.attr_kind(r.var("d"), "_FillValue"), (std::pair<nc_type, std::size_t>{NC_DOUBLE, 1}));
    // _FillValue comes first, then the variable's own attributes (as xarray writes them).
    EXPECT_EQ(r.attr_name(r.var("f"), 0), "_FillValue");
    EXPECT_EQ(r.attr_name(r.var("f"), 1), "units");
  }
}

// The ECCO product shape in miniature: (time, Z, lat, lon) float32, level 5 + shuffle,
// one chunk per level, compressed on two threads.
TEST(NetcdfWriter, Compressed4DFloat32ReadsBackExactly) {
  test::TempDir dir;
  const std::size_t nz = 6, ny = 90, nx = 180;
  auto values = ocean_field(nz, ny, nx);
  std::vector<float> lat(ny), lon(nx);
  for (std::size_t j = 0; j < ny; ++j) lat[j] = -89.0f + 2.0f * j;
  for (std::size_t i = 0; i < nx; ++i) lon[i] = -179.0f + 2.0f * i;
  nc::Encoding enc;
  enc.deflate = true;
  enc.level = 5;
  enc.shuffle = true;
  enc.fill_value = kEccoFill;
  Dataset ds;
  ds.dimensions = {{"time", 1}, {"Z", nz}, {"latitude", ny}, {"longitude", nx}};
  ds.variables = {{"latitude",
                   Type::Float32,
                   {"latitude"},
                   {nc::attr("units", "degrees_north")},
                   Dataset::bytes(lat),
                   {},
                   {}},
                  {"longitude",
                   Type::Float32,
                   {"longitude"},
                   {nc::attr("units", "degrees_east")},
                   Dataset::bytes(lon),
                   {},
                   {}},
                  {"THETA",
                   Type::Float32,
                   {"time", "Z", "latitude", "longitude"},
                   {nc::attr("units", "degC")},
                   Dataset::bytes(values),
                   enc,
                   {}}};
  nc::WriteOptions direct;
  direct.threads = 2;
  direct.direct_chunk_min_bytes = 0;
  auto stats = nc::write_netcdf(ds, (dir / "direct.nc").string(), direct);
  EXPECT_EQ(stats.bytes, fs::file_size(dir / "direct.nc"));
  EXPECT_LT(stats.bytes, values.size() * 4 / 2);  // really compressed

  nc::WriteOptions library;
  library.direct_chunk_min_bytes = std::numeric_limits<std::size_t>::max();
  nc::write_netcdf(ds, (dir / "library.nc").string(), library);

  const auto expected = with_fill(values, static_cast<float>(kEccoFill));
  for (const char* name : {"direct.nc", "library.nc"}) {
    SCOPED_TRACE(name);
    Reader r(dir / name);
    auto got = r.values<float>("THETA", values.size());
    ASSERT_EQ(std::memcmp(got.data(), expected.data(), got.size() * 4), 0);
    EXPECT_EQ(r.values<float>("latitude", ny), lat);
    int shuffle = 0, deflate = 0, level = 0, storage = 0;
    Reader::ok(nc_inq_var_deflate(r.id(), r.var("THETA"), &shuffle, &deflate, &level));
    EXPECT_EQ(shuffle, 1);
    EXPECT_EQ(deflate, 1);
    EXPECT_EQ(level, 5);
    std::size_t chunks[4] = {};
    Reader::ok(nc_inq_var_chunking(r.id(), r.var("THETA"), &storage, chunks));
    EXPECT_EQ(storage, NC_CHUNKED);
    EXPECT_EQ(std::vector<std::size_t>(chunks, chunks + 4), (std::vector<std::size_t>{1, 1, ny, nx}));
    Reader::ok(nc_inq_var_chunking(r.id(), r.var("latitude"), &storage, nullptr));
    EXPECT_EQ(storage, NC_CONTIGUOUS);
  }
}

// Chunks that do not divide the shape, every numeric type through the raw chunk route,
// an unlimited dimension (the dataset is extended before its chunks are written), and a
// variable named like a dimension without being its coordinate (netCDF-C renames it in HDF5).
TEST(NetcdfWriter, PartialEdgeChunksAndUnusualLayouts) {
  test::TempDir dir;
  const std::size_t nt = 3, ny = 37, nx = 53, n = nt * ny * nx;
  std::vector<double> f64(n);
  std::vector<std::int16_t> i16(n);
  std::vector<std::int8_t> i8(n);
  std::vector<std::int64_t> i64(n);
  std::vector<float> f32(n);
  for (std::size_t k = 0; k < n; ++k) {
    f64[k] = std::sin(0.001 * k) * 1e5;
    i16[k] = static_cast<std::int16_t>(k * 7 % 65536 - 32768);
    i8[k] = static_cast<std::int8_t>(k % 256 - 128);
    i64[k] = static_cast<std::int64_t>(k) * 1'000'000'007LL - (1LL << 50);
    f32[k] = k % 11 == 0 ? kNaN : static_cast<float>(k) * 0.5f;
  }
  nc::Encoding enc;
  enc.deflate = true;
  enc.level = 4;
  enc.shuffle = true;
  enc.chunks = {2, 16, 20};
  nc::Encoding no_shuffle = enc;
  no_shuffle.shuffle = false;
  no_shuffle.level = 1;
  nc::Encoding shuffle_only = enc;
  shuffle_only.deflate = false;
  nc::Encoding fill_enc = enc;
  fill_enc.chunks = {4, 16, 53};  // longer than the unlimited dimension t (allowed for unlimited only)
  fill_enc.fill_value = -1.0;
  Dataset ds;
  ds.dimensions = {{"t", nt, true}, {"y", ny}, {"x", nx}};
  ds.variables = {{"f64", Type::Float64, {"t", "y", "x"}, {}, Dataset::bytes(f64), enc, {}},
                  {"i16", Type::Int16, {"t", "y", "x"}, {}, Dataset::bytes(i16), no_shuffle, {}},
                  {"i8", Type::Int8, {"t", "y", "x"}, {}, Dataset::bytes(i8), enc, {}},
                  {"i64", Type::Int64, {"t", "y", "x"}, {}, Dataset::bytes(i64), shuffle_only, {}},
                  {"x", Type::Float32, {"t", "y", "x"}, {}, Dataset::bytes(f32), fill_enc, {}}};
  nc::WriteOptions options;
  options.threads = 2;
  options.direct_chunk_min_bytes = 0;
  ASSERT_NO_THROW(nc::write_netcdf(ds, (dir / "edges.nc").string(), options));

  Reader r(dir / "edges.nc");
  EXPECT_EQ(r.values<double>("f64", n), f64);
  EXPECT_EQ(r.values<std::int16_t>("i16", n), i16);
  EXPECT_EQ(r.values<std::int8_t>("i8", n), i8);
  EXPECT_EQ(r.values<std::int64_t>("i64", n), i64);
  auto x = r.values<float>("x", n);
  EXPECT_EQ(x, with_fill(f32, -1.0f));
  int t_dim = -1;
  std::size_t t_len = 0;
  Reader::ok(nc_inq_dimid(r.id(), "t", &t_dim));
  Reader::ok(nc_inq_dimlen(r.id(), t_dim, &t_len));
  EXPECT_EQ(t_len, nt);
}

// ------------------------------------------------------------------- independent readers

TEST(NetcdfWriter, XarrayH5pyAndNcdumpReadTheCompressedFile) {
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir dir;
  const std::size_t nz = 4, ny = 90, nx = 180;
  auto values = ocean_field(nz, ny, nx);
  std::vector<float> z = {-5.f, -15.f, -25.f, -35.f};
  std::vector<std::int32_t> time = {732};
  nc::Encoding enc;
  enc.deflate = true;
  enc.shuffle = true;
  enc.fill_value = kEccoFill;
  Dataset ds;
  ds.dimensions = {{"time", 1}, {"Z", nz}, {"latitude", ny}, {"longitude", nx}};
  ds.attributes = {nc::attr("Conventions", "CF-1.8"), nc::attr("title", "THETA test")};
  ds.variables = {
      {"time",
       Type::Int32,
       {"time"},
       {nc::attr("units", "hours since 1992-01-01 12:00:00")},
       Dataset::bytes(time),
       {},
       {}},
      {"Z",
       Type::Float32,
       {"Z"},
       {nc::attr("units", "m"), nc::attr("positive", "up")},
       Dataset::bytes(z),
       {},
       {}},
      {"THETA",
       Type::Float32,
       {"time", "Z", "latitude", "longitude"},
       {nc::attr("units", "degree_C"), nc::attr("valid_min", -1.5f), nc::attr("valid_max", 28.0f)},
       Dataset::bytes(values),
       enc,
       {}}};
  nc::WriteOptions options;
  options.threads = 2;
  options.direct_chunk_min_bytes = 0;
  const auto nc_path = dir / "theta.nc";
  nc::write_netcdf(ds, nc_path.string(), options);
  std::ofstream(dir / "expected.f32", std::ios::binary)
      .write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));

  std::ofstream(dir / "check.py") << R"(
import sys, numpy as np, xarray as xr, h5py
nc, raw = sys.argv[1], sys.argv[2]
expected = np.fromfile(raw, dtype="<f4").reshape(1, 4, 90, 180)
ds = xr.open_dataset(nc)
got = ds["THETA"].values
assert got.dtype == np.float32, got.dtype
assert np.array_equal(got, expected, equal_nan=True), "xarray values differ"
assert ds["THETA"].attrs["units"] == "degree_C"
assert ds["THETA"].attrs["valid_min"] == np.float32(-1.5)
assert ds["THETA"].encoding["_FillValue"] == np.float32(9.969209968386869e36)
enc = ds["THETA"].encoding
assert enc.get("zlib") or enc.get("compression") == "zlib", enc
assert enc["shuffle"], enc
assert ds["THETA"].encoding["complevel"] == 5
assert tuple(enc["chunksizes"]) == (1, 1, 90, 180), enc
assert "_FillValue" not in ds["Z"].encoding or ds["Z"].encoding["_FillValue"] is None
assert ds.attrs["Conventions"] == "CF-1.8"
assert ds["time"].values[0] == np.datetime64("1992-02-01T00:00:00")
with h5py.File(nc, "r") as f:
    h = f["THETA"][...]
    fill = np.float32(9.969209968386869e36)
    assert np.array_equal(h, np.where(np.isnan(expected), fill, expected)), "h5py values differ"
print("ok")
)";
  auto r = test::run_command(py + " " + (dir / "check.py").string() + " " + nc_path.string() + " " +
                             (dir / "expected.f32").string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out << r.err;

  auto header = test::run_command("ncdump -h " + nc_path.string());
  ASSERT_EQ(header.exit_code, 0) << header.err;
  EXPECT_NE(header.out.find("float THETA(time, Z, latitude, longitude)"), std::string::npos) << header.out;
  EXPECT_NE(header.out.find("THETA:_FillValue = 9.96921e+36f"), std::string::npos) << header.out;
  // ncdump prints stored fill values as "_": exactly the NaN cells.
  auto dump = test::run_command("ncdump -v THETA " + nc_path.string());
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  const auto data = dump.out.find("\ndata:");
  ASSERT_NE(data, std::string::npos);
  const auto nan_count = std::count_if(values.begin(), values.end(), [](float x) { return std::isnan(x); });
  ASSERT_GT(nan_count, 0);
  EXPECT_EQ(std::count(dump.out.begin() + data, dump.out.end(), '_'), nan_count);
}

// ------------------------------------------------------------------------------ failures

TEST(NetcdfWriter, UnwritablePathFailsClearlyWithoutLeftovers) {
  test::TempDir dir;
  std::ofstream(dir / "not_a_dir") << "x";
  std::vector<float> v = {1.f};
  Dataset ds;
  ds.dimensions = {{"n", 1}};
  ds.variables = {{"v", Type::Float32, {"n"}, {}, Dataset::bytes(v), {}, {}}};
  const auto target = (dir / "not_a_dir" / "out.nc").string();
  try {
    nc::write_netcdf(ds, target);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(target), std::string::npos) << e.what();
  }
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"not_a_dir"}));
}

// A failure after the file was created (netCDF-C rejects the name) removes the temporary
// file and leaves an existing output untouched.
TEST(NetcdfWriter, FailedWriteLeavesPreviousFileAndNoTemporary) {
  test::TempDir dir;
  const auto target = dir / "out.nc";
  std::ofstream(target) << "previous";
  std::vector<float> v = {1.f};
  Dataset ds;
  ds.dimensions = {{"n", 1}};
  ds.variables = {{"v", Type::Float32, {"n"}, {nc::attr("bad/name", "x")}, Dataset::bytes(v), {}, {}}};
  try {
    nc::write_netcdf(ds, target.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(target.string()), std::string::npos) << what;
    EXPECT_NE(what.find("bad/name"), std::string::npos) << what;
    EXPECT_NE(what.find(nc_strerror(NC_EBADNAME)), std::string::npos) << what;
  }
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"out.nc"}));
  std::ifstream in(target);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "previous");
}

TEST(NetcdfWriter, RejectsInconsistentDatasetsBeforeWriting) {
  test::TempDir dir;
  const auto target = (dir / "bad.nc").string();
  std::vector<float> v = {1.f, 2.f, 3.f};
  auto expect_error = [&](const Dataset& ds, const std::string& needle) {
    try {
      nc::write_netcdf(ds, target);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(target), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_TRUE(files_in(dir.path()).empty());
  };
  Dataset ds;
  ds.dimensions = {{"n", 4}};
  ds.variables = {{"v", Type::Float32, {"n"}, {}, Dataset::bytes(v), {}, {}}};
  expect_error(ds, "12 bytes of data, expected 16");
  ds.dimensions = {{"n", 3}};
  ds.variables[0].dims = {"m"};
  expect_error(ds, "undefined dimension 'm'");
  ds.variables[0].dims = {"n"};
  ds.variables[0].encoding.chunks = {1, 1};
  expect_error(ds, "2 chunk sizes for 1 dimensions");
  ds.variables[0].encoding.chunks = {5};
  expect_error(ds, "chunk size 5 exceeds dimension 'n'");
  ds.variables[0].encoding.chunks = {};
  ds.variables[0].attributes = {nc::attr("_FillValue", 1.f)};
  expect_error(ds, "Encoding.fill_value");
  ds.variables[0].attributes = {};
  std::vector<std::int16_t> shorts = {1, 2, 3};
  ds.variables[0].type = Type::Int16;
  ds.variables[0].data = Dataset::bytes(shorts);
  ds.variables[0].encoding.fill_value = 1e6;
  expect_error(ds, "does not fit int16");
}

// The raw chunk phase checks each dataset against what it is about to write, and reports
// HDF5's own message when HDF5 fails.
TEST(NetcdfChunkWriter, FailsLoudlyOnUnexpectedDatasets) {
  test::TempDir dir;
  std::vector<float> v(64, 1.5f);
  nc::Encoding deflate_only;
  deflate_only.deflate = true;
  Dataset ds;
  ds.dimensions = {{"n", 64}};
  ds.variables = {{"v", Type::Float32, {"n"}, {}, Dataset::bytes(v), deflate_only, {}}};
  const auto file = dir / "defined.nc";
  nc::WriteOptions through_netcdf_c;
  through_netcdf_c.direct_chunk_min_bytes = std::numeric_limits<std::size_t>::max();
  nc::write_netcdf(ds, file.string(), through_netcdf_c);
  auto plans = nc::plan_storage(ds, 0, file.string());

  auto expect_error = [&](const nc::Variable& var, const nc::VariablePlan& plan, const std::string& needle) {
    nc::DirectVariable dv{&var, &plan};
    try {
      nc::write_direct_chunks(file, {&dv, 1}, 1, "out.nc");
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("out.nc: variable 'v'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  // The encoding asks for shuffle, the file's pipeline has deflate only.
  auto shuffled = ds.variables[0];
  shuffled.encoding.shuffle = true;
  expect_error(shuffled, plans[0], "filter pipeline deflate does not match the encoding");
  auto other_chunks = plans[0];
  other_chunks.chunks = {16};
  expect_error(ds.variables[0], other_chunks, "the HDF5 dataset has chunks (64), expected (16)");
  auto as_double = ds.variables[0];
  as_double.type = Type::Float64;
  expect_error(as_double, plans[0], "does not hold float64 elements");
  auto missing = plans[0];
  missing.hdf5_name = "absent";
  expect_error(ds.variables[0], missing, "HDF5 H5Dopen2 failed: H5Dopen2(): unable to open dataset");
}

// The final name appears only once the file is complete: a watcher polling the directory
// during a multi-chunk write sees the temporary sibling grow, and under the final name only
// ever the finished file.
TEST(NetcdfWriter, OutputIsNotVisibleUnderItsNameUntilComplete) {
  test::TempDir dir;
  auto values = ocean_field(20, 180, 360);
  nc::Encoding enc;
  enc.deflate = true;
  enc.level = 9;
  enc.shuffle = true;
  enc.fill_value = kEccoFill;
  Dataset ds;
  ds.dimensions = {{"Z", 20}, {"y", 180}, {"x", 360}};
  ds.variables = {{"T", Type::Float32, {"Z", "y", "x"}, {}, Dataset::bytes(values), enc, {}}};
  const auto target = dir / "watched.nc";
  std::atomic<bool> done{false}, seen_temp{false};
  std::vector<std::uintmax_t> final_sizes_seen;  // watcher thread only until joined
  std::thread watcher([&] {
    while (!done) {
      std::error_code ec;
      auto size = fs::file_size(target, ec);
      if (!ec) final_sizes_seen.push_back(size);
      for (const auto& name : files_in(dir.path()))
        if (name.starts_with("watched.nc.part")) seen_temp = true;
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });
  nc::WriteOptions options;
  options.threads = 1;
  auto stats = nc::write_netcdf(ds, target.string(), options);
  done = true;
  watcher.join();
  EXPECT_TRUE(seen_temp);  // the write went through a temporary sibling
  for (auto size : final_sizes_seen) EXPECT_EQ(size, stats.bytes);
  EXPECT_EQ(fs::file_size(target), stats.bytes);
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"watched.nc"}));
}

}  // namespace
}  // namespace granary
