#include <gtest/gtest.h>

#include <fstream>

#include "formats/mds/reader.hpp"
#include "grids/llc/grid.hpp"
#include "support/test_support.hpp"
#include "util/endian.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

const char* kMeta2D = R"( nDims = [   2 ];
 dimList = [
     4,    1,    4,
    52,    1,   52
 ];
 dataprec = [ 'float32' ];
 nrecords = [     1 ];
 timeStepNumber = [        732 ];
 timeInterval = [  0.000000000000E+00  2.635200000000E+06 ];
 missingValue = [ -9.99000000000000E+02 ];
 nFlds = [    1 ];
 fldList = {
 'SSH     '
 };
)";

void write_be_f32(const std::filesystem::path& p, const std::vector<float>& v) {
  std::vector<std::byte> raw(v.size() * 4);
  for (size_t k = 0; k < v.size(); ++k) store_be(&raw[4 * k], v[k]);
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<char*>(raw.data()), raw.size());
}

TEST(MdsMeta, ParsesAllKeys) {
  auto m = mds::parse_meta(kMeta2D, "x.meta");
  EXPECT_EQ(m.n_dims, 2);
  ASSERT_EQ(m.dims.size(), 2u);
  EXPECT_EQ(m.dims[0], 4);
  EXPECT_EQ(m.dims[1], 52);
  EXPECT_EQ(m.precision, mds::Precision::Float32);
  EXPECT_EQ(m.n_records, 1);
  EXPECT_EQ(m.time_step.value(), 732);
  EXPECT_DOUBLE_EQ(m.time_interval.value()[1], 2635200.0);
  EXPECT_DOUBLE_EQ(m.missing_value.value(), -999.0);
  ASSERT_EQ(m.fields.size(), 1u);
  EXPECT_EQ(m.fields[0], "SSH");
  EXPECT_EQ(m.expected_bytes(), 4u * 52 * 4);
}

TEST(MdsMeta, RejectsGarbage) {
  EXPECT_THROW(mds::parse_meta("hello", "bad.meta"), Error);
  try {
    mds::parse_meta(" nDims = [ 2 ];\n dimList = [ 4, 1, 4 ];\n dataprec = [ 'float32' ];", "bad.meta");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.meta"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("dimList"), std::string::npos);
  }
}

TEST(MdsReader, ReadsAndChecksSize) {
  test::TempDir dir;
  std::vector<float> v(4 * 52);
  for (size_t k = 0; k < v.size(); ++k) v[k] = 0.5f * k;
  write_be_f32(dir / "SSH.0000000732.data", v);
  std::ofstream(dir / "SSH.0000000732.meta") << kMeta2D;
  auto d = mds::describe((dir / "SSH.0000000732.data").string(), std::nullopt);
  EXPECT_EQ(d.values_per_level, 4 * 52);
  EXPECT_EQ(d.levels, 1);
  EXPECT_EQ(d.time_step.value(), 732);
  auto got = mds::read_levels<float>(d, 0, 1);
  EXPECT_EQ(got, v);

  // Truncated file: a clear error naming the file.
  v.pop_back();
  write_be_f32(dir / "SSH.0000000732.data", v);
  try {
    mds::describe((dir / "SSH.0000000732.data").string(), std::nullopt);
    FAIL() << "truncated file accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SSH.0000000732.data"), std::string::npos) << e.what();
  }
}

TEST(MdsReader, BareFileNeedsShape) {
  test::TempDir dir;
  write_be_f32(dir / "f.bin", std::vector<float>(10, 1.0f));
  EXPECT_THROW(mds::describe((dir / "f.bin").string(), std::nullopt), Error);
  auto d = mds::describe((dir / "f.bin").string(), mds::Shape{5, std::nullopt, mds::Precision::Float32});
  EXPECT_EQ(d.levels, 2);
  EXPECT_THROW(mds::describe((dir / "f.bin").string(), mds::Shape{3, std::nullopt, mds::Precision::Float32}), Error);
  EXPECT_THROW(mds::describe((dir / "f.bin").string(), mds::Shape{5, 3, mds::Precision::Float32}), Error);
}

TEST(LlcLayout, CompactRoundTripAndKnownOffsets) {
  llc::Layout L{4};
  std::vector<int> compact(L.points());
  for (size_t p = 0; p < compact.size(); ++p) compact[p] = static_cast<int>(p);
  std::vector<int> tiles(L.points()), back(L.points());
  llc::compact_to_tiles(L, compact.data(), tiles.data());
  // Tile 7 row j starts at 7*16 + j*12; tile 11 (second of face 5) at 10*16 + j*12 + 4.
  EXPECT_EQ(tiles[L.index(7, 2, 1)], 7 * 16 + 2 * 12 + 1);
  EXPECT_EQ(tiles[L.index(11, 3, 0)], 10 * 16 + 3 * 12 + 4);
  EXPECT_EQ(tiles[L.index(6, 1, 1)], 6 * 16 + 1 * 4 + 1);
  llc::tiles_to_compact(L, tiles.data(), back.data());
  EXPECT_EQ(back, compact);
}

TEST(LlcGridReal, Llc90Facts) {
  GRANARY_REQUIRE_REAL_DATA(data);
  auto g = llc::load_grid((data / "ecco/grid_llc90").string());
  EXPECT_EQ(g.layout.nx, 90);
  EXPECT_EQ(g.nz, 50);
  // xmitgcm's own test value: XC at tile 2, j 3, i 5.
  EXPECT_DOUBLE_EQ(g.xc[g.layout.index(2, 3, 5)], -32.5);
  EXPECT_NEAR(g.max_cell_length(), 111177.47, 0.01);
  size_t wet0 = 0, wet49 = 0, wet_all = 0;
  for (int k = 0; k < g.nz; ++k) {
    auto w = g.wet_mask(k);
    size_t n = 0;
    for (auto x : w) n += x;
    wet_all += n;
    if (k == 0) wet0 = n;
    if (k == 49) wet49 = n;
  }
  EXPECT_EQ(wet0, 60646u);
  EXPECT_EQ(wet49, 818u);
  EXPECT_EQ(wet_all, 2406992u);
}

}  // namespace
}  // namespace granary
