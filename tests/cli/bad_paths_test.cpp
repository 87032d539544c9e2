// Paths on the command line (or in config.yaml) that the OS refuses: a name over 255 bytes,
// a path through a regular file. Each is bad input (exit 2) whose message names the option (or
// key) and the path, checked before any work, never a std::filesystem_error (exit 70).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/test_support.hpp"
#include "util/files.hpp"
#include "util/user_paths.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

const std::string kLongName(300, 'a');

class BadPaths : public testing::Test {
 protected:
  void SetUp() override {
    files::write_atomic(dir_ / "file", "a regular file\n");
    files::write_atomic(dir_ / "catalog.json", "{}\n");  // read only after the paths are checked
    files::write_atomic(dir_ / "jobs.txt", "0,latlon,AVG_MON,1\n");
  }
  // A config.yaml whose inputs need not exist (they are read after the checks).
  fs::path ecco_config(const std::string& products) {
    const auto path = dir_ / "config.yaml";
    files::write_atomic(path, "ecco_version: V4r4\nmodel_output_dir: model\nprocessed_output_dir: " + products +
                                  "\nmapping_factors: factors.bin\nmetadata_dir: meta\ngrid_dir: grid\n"
                                  "model_start_time: 1992-01-01T12:00:00\nmodel_end_time: 2017-12-31T12:00:00\n");
    return path;
  }
  static void expect_bad_input(const test::CommandResult& r, const std::string& what, const std::string& path,
                               const std::string& problem) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(what + " " + path)) << r.err;
    EXPECT_THAT(r.err, HasSubstr(problem)) << r.err;
    EXPECT_THAT(r.err, testing::Not(HasSubstr("internal error")));
  }
  std::string through_file() const { return (dir_ / "file" / "x").string(); }
  std::string too_long() const { return (dir_ / kLongName / "x").string(); }

  test::TempDir dir_;
};

TEST_F(BadPaths, Atl06RunOutAndReport) {
  const std::string run = "atl06 run --catalog " + (dir_ / "catalog.json").string() + " -j 1 --out ";
  expect_bad_input(test::run_granary(run + through_file()), "--out", through_file(), "/file is not a directory");
  expect_bad_input(test::run_granary(run + too_long()), "--out", too_long(), "300 bytes long, more than the 255");
  expect_bad_input(test::run_granary(run + (dir_ / "file").string()), "--out", (dir_ / "file").string(),
                   "exists and is not a directory");
  expect_bad_input(test::run_granary(run + (dir_ / "o.zarr").string() + " --report " + through_file()), "--report",
                   through_file(), "is not a directory");
  EXPECT_FALSE(fs::exists(dir_ / "o.zarr"));
}

TEST_F(BadPaths, Atl06CatalogOutBeforeTheScan) {
  const std::string catalog = "atl06 catalog --granules " + (dir_ / "no-granules").string() + " --out ";
  expect_bad_input(test::run_granary(catalog + through_file()), "--out", through_file(), "is not a directory");
  expect_bad_input(test::run_granary(catalog + too_long()), "--out", too_long(), "more than the 255");
  expect_bad_input(test::run_granary(catalog + dir_.path().string()), "--out", dir_.path().string(), "is a directory");
}

TEST_F(BadPaths, EccoRunProductsDirectoryAndReport) {
  const std::string jobs = " --jobs " + (dir_ / "jobs.txt").string() + " -j 1";
  auto config = ecco_config(through_file());
  expect_bad_input(test::run_granary("ecco run --config " + config.string() + jobs),
                   config.string() + ": 'processed_output_dir'", through_file(), "is not a directory");
  config = ecco_config(too_long());  // refused as config.yaml is read (config.cpp)
  expect_bad_input(test::run_granary("ecco run --config " + config.string() + jobs),
                   config.string() + ": 'processed_output_dir' is", too_long(), "File name too long");
  config = ecco_config((dir_ / "products").string());
  expect_bad_input(test::run_granary("ecco run --config " + config.string() + jobs + " --report " + too_long()),
                   "--report", too_long(), "more than the 255");
}

TEST_F(BadPaths, PlanDirectories) {
  const auto config = ecco_config((dir_ / "products").string());
  expect_bad_input(test::run_granary("plan ecco --config " + config.string() + " --jobs " + (dir_ / "jobs.txt").string() +
                                     " --plan " + too_long()),
                   "--plan", too_long(), "more than the 255");
  expect_bad_input(test::run_granary("plan atl06 --catalog " + (dir_ / "catalog.json").string() + " --out " +
                                     (dir_ / "o.zarr").string() + " --plan " + through_file()),
                   "--plan", through_file(), "is not a directory");
  const auto r = test::run_granary("report " + too_long());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("report: " + too_long()));
}

TEST_F(BadPaths, SynthOut) {
  expect_bad_input(test::run_granary("ecco synth --nx 12 --levels 2 --timesteps 2 --days 2 --out " + through_file()), "--out",
                   through_file(), "is not a directory");
  expect_bad_input(test::run_granary("atl06 synth --granules 1 --segments-per-beam 3000 --cell -3121311 --out " + too_long()),
                   "--out", too_long(), "more than the 255");
}

// The same refusals deeper down (a path no option check saw) are errors naming the path.
TEST_F(BadPaths, AtomicWritesNameTheDirectoryTheyCannotCreate) {
  EXPECT_THAT(test::error_of([&] { files::write_atomic(dir_ / "file" / "sub" / "x.json", "{}"); }),
              HasSubstr((dir_ / "file" / "sub" / "x.json").string() + ": cannot create its directory " +
                        (dir_ / "file" / "sub").string()));
  EXPECT_THAT(test::error_of([&] { files::write_atomic(dir_ / kLongName / "x.json", "{}"); }),
              HasSubstr("File name too long"));
  EXPECT_THAT(test::error_of([&] { files::check_writable((dir_ / "ok" / "x").string(), files::Kind::Directory, "--out"); }),
              "(no granary::Error thrown)");
  EXPECT_THAT(test::error_of([&] { files::check_writable("s3://bucket/" + kLongName, files::Kind::Directory, "--out"); }),
              "(no granary::Error thrown)");
}

}  // namespace
}  // namespace granary
