// The container image's runtime stage (Dockerfile: debian:12-slim plus
// scripts/runtime-packages.txt), rebuilt without Docker: the same Debian packages unpacked into
// a directory and granary run in it with chroot, so a shared library (or a data file such as
// PROJ's proj.db) the image would lack fails here, not on AWS Batch or Kubernetes.
// The .debs come from the cache scripts/runtime-debs.sh fills at install time; no network here.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include "support/runtime_tree.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;

std::size_t count_files(const fs::path& dir, const std::string& extension) {
  if (!fs::exists(dir)) return 0;
  return std::count_if(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator(),
                       [&](const fs::directory_entry& e) { return e.path().extension() == extension; });
}

class ContainerTree : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = test::chroot_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    debs_dir_ = test::runtime_debs_dir();
    debs_ = test::runtime_debs_manifest(debs_dir_);
    if (debs_.empty())
      GTEST_SKIP() << "no runtime .deb cache at " << debs_dir_
                   << " (scripts/install-deps.sh fills it with scripts/runtime-debs.sh)";
    // A cache resolved from another list would test another image: the list changed since.
    auto listed = test::runtime_packages();
    std::sort(listed.begin(), listed.end());
    ASSERT_EQ(test::runtime_debs_requested(debs_dir_), listed)
        << debs_dir_ << " was filled from another scripts/runtime-packages.txt: run scripts/runtime-debs.sh again";
  }
  fs::path debs_dir_;
  std::vector<test::RuntimeDeb> debs_;
};

TEST_F(ContainerTree, RunsBothRecipesWithTheRuntimePackagesOnly) {
  const auto start = std::chrono::steady_clock::now();
  test::TempDir dir;
  const fs::path root = dir / "image";
  ASSERT_EQ(test::build_runtime_tree(root, debs_dir_, debs_), "");
  // No compiler, no -dev package, no host library: only what the image's apt-get installs.
  EXPECT_FALSE(fs::exists(root / "usr" / "bin" / "g++"));
  EXPECT_FALSE(fs::exists(root / "usr" / "include"));

  auto run = [&](const std::string& args) {
    const auto r = test::run_in_tree(root, "--log-level warn " + args);
    EXPECT_EQ(r.exit_code, 0) << "granary " << args << " in the image tree\n" << r.err;
    return r;
  };
  EXPECT_NE(run("--version").out.find("granary"), std::string::npos);

  // ECCO: synthetic model output -> factors -> native and lat-lon products (forked workers).
  run("ecco synth --out /work/ecco --levels 3 --timesteps 1 --days 1");
  run("ecco factors --grid /work/ecco/grid --out /work/ecco/factors.bin");
  run("ecco run --config /work/ecco/config.yaml --jobs /work/ecco/jobs.txt -j 2 --report /work/ecco/report.json");
  EXPECT_EQ(count_files(root / "work/ecco/products/native", ".nc"), 5u);
  EXPECT_EQ(count_files(root / "work/ecco/products/latlon", ".nc"), 5u);
  EXPECT_TRUE(fs::exists(root / "work/ecco/report.json"));
  // A polar quick look: libpng, and PROJ with its proj.db (from proj-data, a dependency).
  const auto ssh = root / "work/ecco/products/latlon/mon_mean/SEA_SURFACE_HEIGHT";
  ASSERT_TRUE(fs::exists(ssh));
  const auto product = fs::directory_iterator(ssh)->path().filename().string();
  run("quicklook /work/ecco/products/latlon/mon_mean/SEA_SURFACE_HEIGHT/" + product +
      " --projection south-polar --coastlines none --out /work/ssh.png");
  EXPECT_GT(fs::exists(root / "work/ssh.png") ? fs::file_size(root / "work/ssh.png") : 0, 1000u);

  // ATL06: synthetic granules -> catalog -> every cell, and one cell on its own (HDF5, zstd Zarr).
  run("atl06 synth --out /work/atl06/granules --granules 2 --segments-per-beam 5000 --surface antarctica "
      "--cell -3121311,-4114312");
  run("atl06 catalog --granules /work/atl06/granules --out /work/atl06/catalog.json");
  run("atl06 run --catalog /work/atl06/catalog.json --out /work/atl06/atl06.zarr -j 2");
  EXPECT_TRUE(fs::exists(root / "work/atl06/atl06.zarr/zarr.json"));
  std::string granules;
  for (const auto& g : fs::directory_iterator(root / "work/atl06/granules"))
    granules += " /work/atl06/granules/" + g.path().filename().string();
  run("atl06 cell --parent -3121311 --granules" + granules + " --out /work/atl06/cell.zarr");
  EXPECT_TRUE(fs::exists(root / "work/atl06/cell.zarr/zarr.json"));
  EXPECT_NE(run("info /work/atl06/atl06.zarr").out.find("12"), std::string::npos);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("seconds", std::to_string(seconds));
  EXPECT_LT(seconds, 60.0) << "the tree test must stay short";
}

// The image's real use: a plan, and one `granary work PLAN` per unit with the index only in the
// variable AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX) or Kubernetes (JOB_COMPLETION_INDEX) sets.
TEST_F(ContainerTree, WorkTakesTheIndexFromBatchAndKubernetes) {
  if (test::run_granary("--help").out.find("\n  work ") == std::string::npos)
    GTEST_SKIP() << "this granary has no `work` command yet (issue 11's plan contract)";
  test::TempDir dir;
  const fs::path root = dir / "image";
  ASSERT_EQ(test::build_runtime_tree(root, debs_dir_, debs_), "");
  auto run = [&](const std::string& args, const std::string& env = "") {
    const auto r = test::run_in_tree(root, "--log-level warn " + args, env);
    EXPECT_EQ(r.exit_code, 0) << env << " granary " << args << " in the image tree\n" << r.out << r.err;
    return r;
  };
  run("ecco synth --out /work/ecco --levels 3 --timesteps 1 --days 1");
  run("ecco factors --grid /work/ecco/grid --out /work/ecco/factors.bin");
  run("plan ecco --config /work/ecco/config.yaml --jobs /work/ecco/jobs.txt --plan /work/plan --units 2");
  run("work /work/plan", "AWS_BATCH_JOB_ARRAY_INDEX=0");
  run("work /work/plan", "JOB_COMPLETION_INDEX=1");
  run("report /work/plan");
  EXPECT_EQ(count_files(root / "work/ecco/products/native", ".nc"), 5u);
  EXPECT_EQ(count_files(root / "work/ecco/products/latlon", ".nc"), 5u);
}

// The check above must be able to fail: the same tree without one runtime package cannot even
// start granary, and the loader names the library.
TEST_F(ContainerTree, ALeftOutRuntimePackageStopsTheLoader) {
  test::TempDir dir;
  const fs::path root = dir / "image";
  ASSERT_EQ(test::build_runtime_tree(root, debs_dir_, debs_, {"libzstd1"}), "");
  const auto r = test::run_in_tree(root, "--version");
  EXPECT_EQ(r.exit_code, 127) << r.out << r.err;
  EXPECT_NE(r.err.find("error while loading shared libraries"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("libzstd.so.1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace granary
