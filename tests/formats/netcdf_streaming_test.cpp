// Streamed variables: chunks produced on the writer's threads (chunk_source) and attribute
// values patched after the chunks (final_attributes).
#include <gtest/gtest.h>

#include <netcdf.h>

#include <atomic>
#include <cmath>
#include <cstring>

#include "formats/netcdf/writer.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

nc::Dataset streamed_dataset(std::atomic<int>& calls, bool all_nan) {
  nc::Dataset ds;
  ds.dimensions = {{"z", 4}, {"y", 30}, {"x", 40}};
  nc::Variable v{"T", nc::Type::Float32, {"z", "y", "x"}, {nc::attr("valid_min", 0.0f), nc::attr("units", "K"),
                                                           nc::attr("valid_max", 0.0f)}};
  v.encoding.deflate = true;
  v.encoding.shuffle = true;
  v.encoding.level = 5;
  v.encoding.fill_value = 9.969209968386869e36;
  v.encoding.chunks = {1, 30, 40};
  v.chunk_source = [&calls, all_nan](std::size_t k, std::byte* out) {
    ++calls;
    auto* f = reinterpret_cast<float*>(out);
    for (int i = 0; i < 1200; ++i) f[i] = (all_nan || i % 7 == 0) ? NAN : float(k * 1000 + i);
  };
  v.final_attributes = [all_nan]() -> std::vector<std::pair<std::string, std::optional<nc::AttrValue>>> {
    if (all_nan) return {{"valid_min", std::nullopt}, {"valid_max", std::nullopt}};
    return {{"valid_min", std::vector<float>{1.0f}}, {"valid_max", std::vector<float>{3999.0f}}};
  };
  ds.variables.push_back(std::move(v));
  return ds;
}

TEST(NetcdfStreaming, ChunksComeFromTheSourceAndAttributesArePatched) {
  test::TempDir dir;
  std::atomic<int> calls{0};
  auto path = (dir / "s.nc").string();
  nc::write_netcdf(streamed_dataset(calls, false), path, {.threads = 2});
  EXPECT_EQ(calls.load(), 4);
  int ncid, varid;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &ncid), NC_NOERR);
  ASSERT_EQ(nc_inq_varid(ncid, "T", &varid), NC_NOERR);
  std::vector<float> v(4 * 1200);
  ASSERT_EQ(nc_get_var_float(ncid, varid, v.data()), NC_NOERR);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 1200; ++i) {
      float want = i % 7 == 0 ? 9.969209968386869e36f : float(k * 1000 + i);
      ASSERT_EQ(v[k * 1200 + i], want) << k << " " << i;
    }
  float lo = 0, hi = 0;
  ASSERT_EQ(nc_get_att_float(ncid, varid, "valid_min", &lo), NC_NOERR);
  ASSERT_EQ(nc_get_att_float(ncid, varid, "valid_max", &hi), NC_NOERR);
  EXPECT_EQ(lo, 1.0f);
  EXPECT_EQ(hi, 3999.0f);
  char units[8] = {};
  EXPECT_EQ(nc_get_att_text(ncid, varid, "units", units), NC_NOERR);
  EXPECT_STREQ(units, "K");
  nc_close(ncid);
}

TEST(NetcdfStreaming, AllNanDeletesThePlaceholders) {
  test::TempDir dir;
  std::atomic<int> calls{0};
  auto path = (dir / "n.nc").string();
  nc::write_netcdf(streamed_dataset(calls, true), path);
  int ncid, varid, natts = -1;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &ncid), NC_NOERR);
  ASSERT_EQ(nc_inq_varid(ncid, "T", &varid), NC_NOERR);
  EXPECT_EQ(nc_inq_attid(ncid, varid, "valid_min", nullptr), NC_ENOTATT);
  EXPECT_EQ(nc_inq_attid(ncid, varid, "valid_max", nullptr), NC_ENOTATT);
  nc_inq_varnatts(ncid, varid, &natts);
  EXPECT_EQ(natts, 2);  // units and _FillValue remain
  nc_close(ncid);
}

TEST(NetcdfStreaming, UncompressedSourceIsRejectedBeforeWriting) {
  test::TempDir dir;
  std::atomic<int> calls{0};
  auto ds = streamed_dataset(calls, false);
  ds.variables[0].encoding.deflate = false;
  ds.variables[0].encoding.shuffle = false;
  EXPECT_THROW(nc::write_netcdf(ds, (dir / "u.nc").string()), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "u.nc"));
  EXPECT_EQ(calls.load(), 0);
}

}  // namespace
}  // namespace granary
