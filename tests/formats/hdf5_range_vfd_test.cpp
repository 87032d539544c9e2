// formats/hdf5/range_vfd: libhdf5 reads a file through an io::RangeReader exactly as it reads
// it by path, and the reader's own errors (access denied, truncation) reach the caller.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <vector>

#include <hdf5.h>

#include "formats/hdf5/range_vfd.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::hdf5 {
namespace {

namespace fs = std::filesystem;

std::vector<double> ramp(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.25 * static_cast<double>(i % 977) - 3.0;
  return v;
}

// A chunked, deflated dataset (as ATL06 stores its columns) and a contiguous one in a group.
void write_file(const fs::path& path) {
  Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  hsize_t n = 100'000, chunk = 10'000;
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  H5Pset_deflate(dcpl.get(), 6);
  Handle a(H5Dcreate2(f.get(), "/a", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
  const auto values = ramp(n);
  H5Dwrite(a.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  Handle g(H5Gcreate2(f.get(), "/g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  hsize_t m = 1000;
  Handle small(H5Screate_simple(1, &m, nullptr), H5Sclose);
  Handle b(H5Dcreate2(f.get(), "/g/b", H5T_STD_I32LE, small.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  std::vector<int> ints(m);
  std::iota(ints.begin(), ints.end(), -500);
  H5Dwrite(b.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, ints.data());
}

template <typename T>
std::vector<T> read_all(hid_t file, const char* path, hid_t type, std::size_t n) {
  Handle ds(H5Dopen2(file, path, H5P_DEFAULT), H5Dclose);
  EXPECT_TRUE(ds.valid()) << path << ": " << last_error_message();
  std::vector<T> out(n);
  EXPECT_GE(H5Dread(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << path;
  return out;
}

using test::error_of;

// A reader that fails every read, as an S3 object does with the wrong keys.
class Forbidden final : public io::RangeReader {
 public:
  const std::string& name() const override { return name_; }
  std::uint64_t size() const override { return 1 << 20; }
  void read(std::uint64_t, std::span<std::byte>) const override { fail("{}: 403 Forbidden (access denied or bad credentials)", name_); }

 private:
  std::string name_ = "s3://bucket/denied.h5";
};

TEST(Hdf5RangeVfd, ReadsLikeThePosixDriver) {
  silence_error_stack();
  test::TempDir tmp;
  write_file(tmp / "f.h5");
  std::shared_ptr<const io::RangeReader> bytes = io::open_local_file((tmp / "f.h5").string());
  const io::RangeReader* reader = bytes.get();
  Handle file = open_read_only(std::move(bytes), {.block_size = 4096, .max_blocks = 8});  // the file keeps the reader
  EXPECT_EQ(read_all<double>(file.get(), "/a", H5T_NATIVE_DOUBLE, 100'000), ramp(100'000));
  std::vector<int> ints(1000);
  std::iota(ints.begin(), ints.end(), -500);
  EXPECT_EQ(read_all<int>(file.get(), "/g/b", H5T_NATIVE_INT, 1000), ints);
  // Metadata came in a few blocks, not one request per libhdf5 read.
  EXPECT_LT(reader->requests(), 40u);
  EXPECT_GT(reader->bytes_fetched(), 0u);
  // Read-only: libhdf5 cannot write through it.
  Handle attr_space(H5Screate(H5S_SCALAR), H5Sclose);
  EXPECT_LT(H5Acreate2(file.get(), "x", H5T_NATIVE_INT, attr_space.get(), H5P_DEFAULT, H5P_DEFAULT), 0);
}

TEST(Hdf5RangeVfd, ErrorsNameTheObjectAndTheCause) {
  silence_error_stack();
  test::TempDir tmp;
  std::ofstream(tmp / "notes.h5") << "this is not HDF5\n";
  auto not_hdf5 = error_of([&] { open_read_only(io::open_local_file((tmp / "notes.h5").string())); });
  EXPECT_NE(not_hdf5.find((tmp / "notes.h5").string() + ": cannot open as HDF5"), std::string::npos) << not_hdf5;

  write_file(tmp / "f.h5");
  fs::copy_file(tmp / "f.h5", tmp / "cut.h5");
  fs::resize_file(tmp / "cut.h5", fs::file_size(tmp / "f.h5") / 2);
  auto truncated = error_of([&] { open_read_only(io::open_local_file((tmp / "cut.h5").string())); });
  EXPECT_NE(truncated.find("cut.h5: cannot open as HDF5 (truncated file"), std::string::npos) << truncated;

  auto denied = error_of([&] { open_read_only(std::make_shared<Forbidden>()); });
  EXPECT_EQ(denied, "s3://bucket/denied.h5: 403 Forbidden (access denied or bad credentials)");
}

}  // namespace
}  // namespace granary::hdf5
