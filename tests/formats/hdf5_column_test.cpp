// formats/hdf5/column: what a chunk read needs and fetches. Decoding a chunk needs its
// stored bytes; decoding only its first element needs the part of the deflate stream the
// decoder consumed (less than the 256-byte prefix fetched); bytes needed twice count once.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include <hdf5.h>

#include "formats/hdf5/column.hpp"
#include "formats/hdf5/range_vfd.hpp"
#include "recipes/atl06/granule.hpp"
#include "util/error.hpp"
#include "support/test_support.hpp"

namespace granary::hdf5 {
namespace {

void write_column(const std::filesystem::path& path) {
  Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  hsize_t n = 100'000, chunk = 10'000;
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  H5Pset_deflate(dcpl.get(), 6);
  Handle a(H5Dcreate2(f.get(), "/a", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = 1e-3 * static_cast<double>(i * i % 100'003);
  H5Dwrite(a.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
}

TEST(Hdf5Column, ChunkReadsNoteWhatTheyNeeded) {
  silence_error_stack();
  test::TempDir tmp;
  write_column(tmp / "c.h5");
  std::shared_ptr<const io::RangeReader> bytes = io::open_local_file((tmp / "c.h5").string());
  Handle file = open_read_only(bytes, {.block_size = 4096, .max_blocks = 8});
  const Column c = Column::describe(file.get(), "/a", bytes);
  // Describing needed libhdf5's metadata reads, fetched as 4 KiB blocks.
  const std::uint64_t meta_needed = bytes->bytes_needed(), meta_fetched = bytes->bytes_fetched();
  const std::uint64_t meta_requests = bytes->requests();
  EXPECT_GT(meta_needed, 0u);
  EXPECT_GE(meta_fetched, meta_needed);

  const std::uint64_t s3 = c.stored_bytes(3), s5 = c.stored_bytes(5);
  ASSERT_GT(s3, 2048u) << "the test wants chunks larger than the 256-byte prefix";
  std::vector<std::byte> out;
  c.read_chunk(3, out);
  EXPECT_EQ(bytes->bytes_fetched(), meta_fetched + s3);
  EXPECT_EQ(bytes->requests(), meta_requests + 1);
  EXPECT_EQ(bytes->bytes_needed(), meta_needed + s3);

  double first = 0;
  c.read_first(5, std::as_writable_bytes(std::span(&first, 1)));
  EXPECT_EQ(first, 1e-3 * static_cast<double>(50'000ull * 50'000ull % 100'003));
  EXPECT_EQ(bytes->bytes_fetched(), meta_fetched + s3 + 256);
  EXPECT_EQ(bytes->requests(), meta_requests + 2);
  const std::uint64_t consumed = bytes->bytes_needed() - meta_needed - s3;
  EXPECT_GT(consumed, 0u);
  EXPECT_LT(consumed, 256u) << "the decoder stops once it has the first element";

  c.read_chunk(5, out);  // the start it needed before counts once
  EXPECT_EQ(bytes->bytes_needed(), meta_needed + s3 + s5);
  EXPECT_EQ(bytes->bytes_fetched(), meta_fetched + s3 + 256 + s5);
  EXPECT_EQ(bytes->requests(), meta_requests + 3);
}

}  // namespace
}  // namespace granary::hdf5

namespace granary {
namespace {

// hdf5_granule_fuzz's find: a granule whose dataset extent asks for 2^54 chunk entries. It is
// an error naming the dataset, before anything is allocated for it.
TEST(Hdf5Column, ChunkCountsFromTheFileAreBounded) {
  const auto crafted = std::filesystem::path(GRANARY_SOURCE_DIR) / "fuzz/regressions/hdf5_granule_fuzz/huge-chunk-count.h5";
  ASSERT_TRUE(std::filesystem::exists(crafted)) << crafted;
  try {
    atl06::open_granule(crafted.string(), {.values = true, .delta_time = true});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("granary reads"), std::string::npos) << e.what();
  }
}

// hdf5_granule_fuzz's find: a chunk entry claiming 1.8 GB of stored bytes in a 150 KB file
// took seconds of allocating and zeroing before the read said no. Chunk entries are now checked
// against the file's size when the dataset is described.
TEST(Hdf5Column, ChunksBeyondTheEndOfTheFileAreRejectedWhenDescribed) {
  const auto crafted =
      std::filesystem::path(GRANARY_SOURCE_DIR) / "fuzz/regressions/hdf5_granule_fuzz/chunk-declared-far-larger-than-stored.h5";
  ASSERT_TRUE(std::filesystem::exists(crafted)) << crafted;
  const auto error = test::error_of([&] { atl06::open_granule(crafted.string(), {.values = true, .delta_time = true}); });
  EXPECT_NE(error.find("lies beyond the end of the file (153760 bytes)"), std::string::npos) << error;
}

// A deflated chunk of 10 stored bytes cannot decode to 4 MB (deflate expands at most 1032:1):
// an error naming the chunk, before 4 MB are allocated for it.
TEST(Hdf5Column, ChunksThatCannotHoldTheirDeclaredSizeAreRejectedUpFront) {
  hdf5::silence_error_stack();
  test::TempDir tmp;
  const auto path = tmp / "tiny.h5";
  {
    hdf5::Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    hsize_t n = 1'000'000, chunk = 500'000, offset = 0;
    hdf5::Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    hdf5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_chunk(dcpl.get(), 1, &chunk);
    H5Pset_deflate(dcpl.get(), 6);
    hdf5::Handle a(H5Dcreate2(f.get(), "/a", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
    const char raw[10] = {'n', 'o', 't', ' ', 'd', 'e', 'f', 'l', 'a', 't'};
    ASSERT_GE(H5Dwrite_chunk(a.get(), H5P_DEFAULT, 0, &offset, sizeof raw, raw), 0);
  }
  std::shared_ptr<const io::RangeReader> bytes = io::open_local_file(path.string());
  hdf5::Handle file = hdf5::open_read_only(bytes, {.block_size = 4096, .max_blocks = 8});
  const auto c = hdf5::Column::describe(file.get(), "/a", bytes);
  ASSERT_EQ(c.stored_bytes(0), 10u);
  std::vector<std::byte> out;
  const auto error = test::error_of([&] { c.read_chunk(0, out); });
  EXPECT_NE(error.find(":/a: corrupt chunk 0 (10 stored bytes cannot hold 4000000 decoded bytes)"), std::string::npos)
      << error;
  EXPECT_TRUE(out.empty()) << "nothing allocated for it";
}

// A chunk that compresses about 1000:1 (zeros) is near deflate's limit and still reads.
TEST(Hdf5Column, HighlyCompressedChunksStillRead) {
  hdf5::silence_error_stack();
  test::TempDir tmp;
  const auto path = tmp / "zeros.h5";
  {
    hdf5::Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    hsize_t n = 1'000'000, chunk = 500'000;
    hdf5::Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    hdf5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_chunk(dcpl.get(), 1, &chunk);
    H5Pset_deflate(dcpl.get(), 9);
    hdf5::Handle a(H5Dcreate2(f.get(), "/a", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
    std::vector<double> zeros(n, 0.0);
    H5Dwrite(a.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
  }
  std::shared_ptr<const io::RangeReader> bytes = io::open_local_file(path.string());
  hdf5::Handle file = hdf5::open_read_only(bytes, {.block_size = 4096, .max_blocks = 8});
  const auto c = hdf5::Column::describe(file.get(), "/a", bytes);
  ASSERT_LT(c.stored_bytes(0) * 900, 500'000u * 8) << "the test wants a ratio near deflate's limit";
  std::vector<std::byte> out;
  c.read_chunk(1, out);
  ASSERT_EQ(out.size(), 500'000u * 8);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0}; }));
}

}  // namespace
}  // namespace granary
