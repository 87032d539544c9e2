// Bad input to the ATL06 cell job: each case gives a clear, specific error that names the
// file (or the event field), fails only that job, and never writes a partial cell.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <hdf5.h>
#include <nlohmann/json.hpp>

#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/granule.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// An HDF5 file that is not ATL06: one dataset at the root.
void write_other_hdf5(const fs::path& path) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t n = 10;
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  hid_t d = H5Dcreate2(f, "/temperature", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<double> v(10, 1.0);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d), H5Sclose(sp), H5Fclose(f);
}

using test::error_of;

TEST(Atl06Errors, NonAtl06Hdf5FileIsNamed) {
  test::TempDir tmp;
  write_other_hdf5(tmp / "other.h5");
  const auto msg = error_of([&] { open_granule((tmp / "other.h5").string(), {}); });
  EXPECT_NE(msg.find("other.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not ATL06 layout"), std::string::npos) << msg;
}

// A beam group that exists but lacks a dataset: an error naming the beam and the dataset
// (a beam that is absent altogether is normal, see Atl06Golden.MissingBeamsAreNormal).
TEST(Atl06Errors, IncompleteBeamIsNamed) {
  test::TempDir tmp;
  const auto path = tmp / "partial.h5";
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hsize_t n = 4;
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  std::vector<double> v = {-80.1, -80.2, -80.3, -80.4};
  for (const char* name : {"/gt2r/land_ice_segments/latitude", "/gt2r/land_ice_segments/longitude"}) {
    hid_t d = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
  }
  H5Sclose(sp), H5Pclose(lcpl), H5Fclose(f);
  const auto msg = error_of([&] { open_granule(path.string(), {}); });
  EXPECT_NE(msg.find("partial.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/gt2r/land_ice_segments/h_li is missing"), std::string::npos) << msg;
}

TEST(Atl06Errors, NotHdf5AtAll) {
  test::TempDir tmp;
  std::ofstream(tmp / "notes.h5") << "this is not HDF5\n";
  const auto msg = error_of([&] { open_granule((tmp / "notes.h5").string(), {}); });
  EXPECT_NE(msg.find("notes.h5: cannot open as HDF5"), std::string::npos) << msg;
  const auto missing = error_of([&] { open_granule((tmp / "absent.h5").string(), {}); });
  EXPECT_NE(missing.find("absent.h5"), std::string::npos) << missing;
}

TEST(Atl06Errors, TruncatedGranule) {
  GRANARY_REQUIRE_REAL_DATA(data);
  test::TempDir tmp;
  const fs::path src = data / "atl06" / "processed_ATL06_20190613065109_11610303_002_01.h5";
  for (double keep : {0.3, 0.9}) {
    const fs::path cut = tmp / "cut.h5";
    fs::copy_file(src, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, static_cast<std::uintmax_t>(static_cast<double>(fs::file_size(src)) * keep));
    CellJob job;
    job.parent = 4441321;
    job.granules = {cut.string()};
    auto cell = compute_cell(job);
    ASSERT_EQ(cell.read.granules.size(), 1u);
    EXPECT_EQ(cell.read.granules[0].status, "failed");
    EXPECT_NE(cell.read.granules[0].reason.find("cut.h5"), std::string::npos) << cell.read.granules[0].reason;
    EXPECT_NE(cell.read.granules[0].reason.find("truncated"), std::string::npos) << cell.read.granules[0].reason;
  }
}

TEST(Atl06Errors, BadGranuleFailsTheCellAndWritesNothing) {
  GRANARY_REQUIRE_REAL_DATA(data);
  test::TempDir tmp;
  write_other_hdf5(tmp / "other.h5");
  const std::string good = (data / "atl06" / "processed_ATL06_20190613065109_11610303_002_01.h5").string();
  const std::string store = (tmp / "out.zarr").string();
  auto r = test::run_granary("atl06 cell --parent 4441321 --granules " + good + " " + (tmp / "other.h5").string() + " --out " + store);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("other.h5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not ATL06 layout"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "out.zarr" / ".granary" / "cells" / "12" / "4441321.json"));
  EXPECT_FALSE(fs::exists(tmp / "out.zarr" / "12" / "h_mean" / "c" / "0"));  // no statistics written
  // With --skip-bad-granules the cell is written from the good granule and the bad one reported.
  r = test::run_granary("atl06 cell --skip-bad-granules --parent 4441321 --granules " + good + " " + (tmp / "other.h5").string() +
                        " --out " + store);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto status = json::parse(std::ifstream(tmp / "out.zarr" / ".granary" / "cells" / "12" / "4441321.json"));
  EXPECT_EQ(status["granules"]["failed"], 1);
  EXPECT_EQ(status["granules"]["read"], 1);
  EXPECT_EQ(status["total_obs"], 17011);
}

TEST(Atl06Errors, BadEventJson) {
  test::TempDir tmp;
  auto run_event = [&](const std::string& text) {
    std::ofstream(tmp / "event.json") << text;
    return test::run_granary("atl06 cell --event - < " + (tmp / "event.json").string());
  };
  struct Case {
    std::string event, expect;
  };
  const std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "expected a JSON object"},
      {R"({"granule_urls": [], "store": "x"})", "missing field 'parent_morton'"},
      {R"({"parent_morton": "abc", "granule_urls": [], "store": "x"})", "field 'parent_morton' must be an integer"},
      {R"({"parent_morton": 7111111, "granule_urls": [], "store": "x"})", "not a valid morton"},
      {R"({"parent_morton": -4113213, "parent_order": 7, "granule_urls": [], "store": "x"})", "has order 6, but parent_order is 7"},
      {R"({"parent_morton": -4113213, "granule_urls": "a.h5", "store": "x"})", "'granule_urls' must be a list of strings"},
      {R"({"parent_morton": -4113213, "granule_urls": [1], "store": "x"})", "granule_urls must hold strings"},
      {R"({"parent_morton": -4113213, "granule_urls": []})", "give 'store' or 's3_bucket'"},
      {R"({"parent_morton": -4113213, "granule_urls": [], "store": "x", "chunk_idx": -1})", "chunk_idx must be non-negative"},
      {R"({"parent_morton": -4113213, "granule_urls": [], "store": "x", "numerics": "fast"})", "numerics must be"},
  };
  for (const auto& c : cases) {
    auto r = run_event(c.event);
    EXPECT_EQ(r.exit_code, 2) << c.event;
    auto response = json::parse(r.out);
    EXPECT_EQ(response["statusCode"], 400) << c.event;
    const std::string err = response["body"]["error"];
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.event << " -> " << err;
  }
}

TEST(Atl06Errors, EventRunsTheCellAndAnswersLikeMagg) {
  GRANARY_REQUIRE_REAL_DATA(data);
  test::TempDir tmp;
  const std::string good = (data / "atl06" / "processed_ATL06_20190613065109_11610303_002_01.h5").string();
  const std::string store = (tmp / "out.zarr").string();
  // The store must exist for an event (the orchestrator creates it); make one for this parent.
  ASSERT_EQ(test::run_granary("atl06 cell --parent 4441321 --granules " + good + " --out " + store).exit_code, 0);
  json event = {{"parent_morton", 4441321}, {"parent_order", 6}, {"child_order", 12}, {"granule_urls", {good}},
                {"s3_bucket", nullptr}, {"s3_prefix", nullptr}, {"chunk_idx", 0}, {"store", store},
                {"s3_credentials", {{"accessKeyId", "AKIDEXAMPLE"}, {"secretAccessKey", "secret-never-logged"}, {"sessionToken", "t"}}}};
  std::ofstream(tmp / "event.json") << event.dump();
  auto r = test::run_granary("atl06 cell --event " + (tmp / "event.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto response = json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 200);
  const auto& body = response["body"];
  for (const char* k : {"parent_morton", "cells_with_data", "total_obs", "granule_count", "files_processed", "duration_s", "error", "zarr_path"})
    EXPECT_TRUE(body.contains(k)) << k;
  EXPECT_EQ(body["cells_with_data"], 138);
  EXPECT_EQ(body["total_obs"], 17011);
  EXPECT_EQ(body["zarr_path"], store);
  EXPECT_EQ(r.out.find("secret-never-logged"), std::string::npos);
  EXPECT_EQ(r.err.find("secret-never-logged"), std::string::npos);
}

}  // namespace
}  // namespace granary::atl06
