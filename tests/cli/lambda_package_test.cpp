// `granary package lambda`: function.zip holds the static bootstrap, the binary and every
// library ldd names (glibc and the loader too), so the unzipped package alone, in a directory
// with nothing else (no shell, no C library, no /proc), starts and serves invocations of the
// loopback Runtime API with the answers of the binary that made it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "run/lambda_package.hpp"
#include "support/atl06_demo.hpp"
#include "support/lambda_runtime_harness.hpp"
#include "support/product_compare.hpp"
#include "support/runtime_tree.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;

TEST(LambdaPackage, LddOutputGivesEveryLibraryAndTheLoader) {
  const auto libs = run::lambda::parse_ldd(
      "\tlinux-vdso.so.1 (0x00007ffd5b3f2000)\n"
      "\tlibhdf5_serial.so.103 => /lib/x86_64-linux-gnu/libhdf5_serial.so.103 (0x00007f0c1c000000)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1be00000)\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1d2a5000)\n");
  ASSERT_EQ(libs.size(), 3u);
  EXPECT_EQ(libs[0].name, "libhdf5_serial.so.103");
  EXPECT_EQ(libs[0].path, "/lib/x86_64-linux-gnu/libhdf5_serial.so.103");
  EXPECT_FALSE(libs[0].loader);
  EXPECT_EQ(libs[2].name, "ld-linux-x86-64.so.2");
  EXPECT_TRUE(libs[2].loader);
  const auto error = test::error_of([] {
    run::lambda::parse_ldd("\tlibfoo.so.1 => not found\n\tlibbar.so.2 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
  });
  EXPECT_THAT(error, HasSubstr("libfoo.so.1, libbar.so.2"));
}

class LambdaPackageBuilt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    result_ = new test::CommandResult(test::run_granary("package lambda --out " + (*dir_ / "pkg").string() +
                                                       " --bucket granary-data --function granary-test --memory 3008"));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  static fs::path pkg() { return *dir_ / "pkg"; }
  static test::TempDir* dir_;
  static test::CommandResult* result_;
};
test::TempDir* LambdaPackageBuilt::dir_ = nullptr;
test::CommandResult* LambdaPackageBuilt::result_ = nullptr;

TEST_F(LambdaPackageBuilt, TheZipHoldsTheBootstrapTheBinaryAndEveryLibrary) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  EXPECT_THAT(result_->out, HasSubstr("function.zip"));
  const auto listing = test::run_command("unzip -Z " + (pkg() / "function.zip").string());
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  std::set<std::string> names;
  std::string bootstrap_mode;
  std::istringstream lines(listing.out);
  for (std::string line; std::getline(lines, line);) {
    const auto name = line.substr(line.rfind(' ') + 1);
    names.insert(name);
    if (name == "bootstrap") bootstrap_mode = line.substr(0, 10);
  }
  for (const char* want : {"bootstrap", "bin/granary", "lib/libc.so.6", "lib/ld-linux-x86-64.so.2", "certs/ca-certificates.crt"})
    EXPECT_TRUE(names.count(want)) << want << " is not in function.zip:\n" << listing.out;
  EXPECT_EQ(bootstrap_mode, "-rwxr-xr-x") << "Lambda runs bootstrap: it must be executable in the zip";
  // Every library the binary needs, as ldd resolves it here.
  const auto ldd = test::run_command("ldd " + test::granary_binary());
  for (const auto& lib : run::lambda::parse_ldd(ldd.out)) EXPECT_TRUE(names.count("lib/" + lib.name)) << lib.name;
  // The binary without its debug sections: well under Lambda's 250 MB.
  EXPECT_LT(fs::file_size(pkg() / "function" / "bin" / "granary"), fs::file_size(test::granary_binary()));
  EXPECT_LT(fs::file_size(pkg() / "function.zip"), 50u << 20);
}

TEST_F(LambdaPackageBuilt, DeployCommandsPolicyAndDockerfile) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const auto deploy = files::read_text(pkg() / "deploy.sh");
  EXPECT_THAT(deploy, HasSubstr("--runtime provided.al2023"));
  EXPECT_THAT(deploy, HasSubstr("--architectures x86_64"));
  EXPECT_THAT(deploy, HasSubstr("--memory-size 3008"));
  EXPECT_THAT(deploy, HasSubstr("--timeout 900"));
  EXPECT_THAT(deploy, HasSubstr("update-function-code"));
  EXPECT_THAT(deploy, HasSubstr("granary-test"));
  EXPECT_EQ(test::run_command("sh -n " + (pkg() / "deploy.sh").string()).exit_code, 0) << "deploy.sh is not valid sh";
  const auto policy = json::parse(files::read_text(pkg() / "iam-policy.json"));
  EXPECT_EQ(policy["Version"], "2012-10-17");
  EXPECT_THAT(policy.dump(), HasSubstr("arn:aws:s3:::granary-data/*"));
  EXPECT_THAT(policy.dump(), HasSubstr("s3:PutObject"));
  const auto dockerfile = files::read_text(pkg() / "Dockerfile");
  EXPECT_THAT(dockerfile, HasSubstr("FROM public.ecr.aws/lambda/provided:al2023"));
  EXPECT_THAT(dockerfile, HasSubstr("/var/task/bootstrap"));
  EXPECT_THAT(files::read_text(pkg() / "README.md"), HasSubstr("arm64"));
  // A package is never written over.
  const auto again = test::run_granary("package lambda --out " + pkg().string());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("not empty"));
}

TEST_F(LambdaPackageBuilt, TheUnzippedPackageAloneServesInvocations) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  if (const auto why = test::chroot_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  test::TempDir dir;
  const fs::path root = dir / "root";
  // Only the zip's files (at /var/task, where Lambda unpacks it), /tmp and the /dev nodes every
  // process gets: no shell, no C library, no /proc, no CA bundle of the host.
  fs::create_directories(root / "var" / "task");
  auto r = test::run_command("unzip -q " + (pkg() / "function.zip").string() + " -d " + (root / "var" / "task").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::create_directories(root / "tmp");
  fs::create_directories(root / "dev");
  for (auto [name, minor] : {std::pair{"null", 3}, {"zero", 5}, {"urandom", 9}})
    ASSERT_EQ(::mknod((root / "dev" / name).c_str(), S_IFCHR | 0666, makedev(1, minor)), 0) << name;
  // Granules inside the tree, and magg's event for one parent.
  atl06::synth::SynthOptions o;
  o.out_dir = root / "data" / "granules";
  o.granules = 2;
  o.segments_per_beam = 2000;
  o.cells = {-4113213};
  atl06::synth::write_synthetic_granules(o);
  json granules_inside = json::array(), granules_outside = json::array();
  for (const auto& f : test::files_under(o.out_dir)) {
    granules_inside.push_back("/data/granules/" + f);
    granules_outside.push_back((o.out_dir / f).string());
  }
  json event = {{"parent_morton", -4113213}, {"parent_order", 6}, {"child_order", 12}, {"create_store", true}};
  event["granule_urls"] = granules_outside;
  event["store"] = (dir / "host.zarr").string();
  std::ofstream(dir / "event.json") << event.dump();
  r = test::run_granary("atl06 cell --event " + (dir / "event.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto host_answer = json::parse(r.out);

  event["granule_urls"] = granules_inside;
  event["store"] = "/tmp/lambda.zarr";
  test::LambdaRuntimeHarness lambda(json::array({{{"event", event}}, {{"event", {{"hello", "world"}}}}}));
  lambda.start_program({"/usr/sbin/chroot", root.string(), "/var/task/bootstrap"}, {}, /*inherit_environment=*/false);
  const auto s = lambda.wait_answered(2, 60);
  ASSERT_EQ(s["answered"], 2) << lambda.err();
  const auto answers = lambda.answers_in_order(s);
  ASSERT_EQ(answers[0]["kind"], "response") << answers[0].dump() << lambda.err();
  EXPECT_EQ(answers[0]["body"]["statusCode"], 200);
  EXPECT_EQ(answers[0]["body"]["body"]["total_obs"], host_answer["body"]["total_obs"]);
  EXPECT_EQ(answers[0]["body"]["body"]["cells_with_data"], host_answer["body"]["cells_with_data"]);
  test::expect_same_zarr(root / "tmp" / "lambda.zarr", dir / "host.zarr");
  EXPECT_EQ(answers[1]["error_type"], "Granary.BadEvent");
  EXPECT_THAT(lambda.out(), HasSubstr("\"event_type\":\"processing_complete\""));
}

}  // namespace
}  // namespace granary
