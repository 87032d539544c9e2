// Each exit code pinned to its cause, for both recipes (README "Exit codes", cli/exit_codes.hpp):
// 0 done, 1 some jobs failed, 2 bad command line or input, 3 a service unavailable after
// retries, 130 interrupted by SIGINT/SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/s3_store.hpp"
#include "support/product_compare.hpp"
#include "support/s3_test_server.hpp"
#include "support/small_inputs.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;

const io::s3::Credentials kKeys{"AKIDEXITCODES001", "exit/Codes+secret1", ""};

using test::with_config_key;

class ExitCodes : public test::SmallInputsTest<ExitCodes> {
 protected:
  static fs::path ecco() { return dir() / "ecco"; }
  static fs::path atl06() { return dir() / "atl06"; }

  // A config.yaml beside the demo's (so its relative paths hold) with `key: value` changed and
  // products of its own.
  static fs::path ecco_config(const std::string& name, const std::string& key = "", const std::string& value = "") {
    auto text = with_config_key(files::read_text(ecco() / "config.yaml"), "processed_output_dir", "products-" + name);
    if (!key.empty()) text = with_config_key(text, key, value);
    const auto path = ecco() / (name + ".yaml");
    files::write_atomic(path, text);
    return path;
  }
  static std::string ecco_run(const fs::path& config, const std::string& extra = "-j 1") {
    return "ecco run --config " + config.string() + " --jobs " + (ecco() / "jobs.txt").string() + " " + extra;
  }
  static std::string atl06_run(const fs::path& catalog, const std::string& out, const std::string& extra = "-j 1") {
    return "atl06 run --catalog " + catalog.string() + " --out " + out + " " + extra;
  }

};

TEST_F(ExitCodes, ZeroWhenEverythingIsDone) {
  auto r = test::run_granary(ecco_run(ecco_config("ok")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary(atl06_run(atl06() / "catalog.json", (dir() / "ok.zarr").string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ExitCodes, OneWhenSomeJobsFailed) {
  // ECCO: one field's model output is missing; the other jobs are done.
  fs::copy(ecco() / "model_output", ecco() / "model_output_short", fs::copy_options::recursive);
  const auto ssh = ecco() / "model_output_short" / "diags_monthly" / "SSH_mon_mean";
  ASSERT_TRUE(fs::is_directory(ssh));
  fs::remove_all(ssh);
  auto r = test::run_granary(ecco_run(ecco_config("short", "model_output_dir", "model_output_short")));
  EXPECT_EQ(r.exit_code, 1) << r.err;

  // ATL06: one granule of the catalog is corrupt.
  fs::copy(atl06() / "granules", atl06() / "granules_bad", fs::copy_options::recursive);
  ASSERT_EQ(test::run_granary("atl06 catalog --granules " + (atl06() / "granules_bad").string() + " --out " +
                              (atl06() / "catalog_bad.json").string())
                .exit_code,
            0);
  const auto granule = test::files_under(atl06() / "granules_bad").front();
  fs::resize_file(atl06() / "granules_bad" / granule, 4096);
  r = test::run_granary(atl06_run(atl06() / "catalog_bad.json", (dir() / "bad.zarr").string()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST_F(ExitCodes, TwoForABadCommandLineOrInput) {
  for (const char* args : {"ecco run --no-such-flag", "atl06 run --no-such-flag", "no-such-command", "ecco run -j 0"}) {
    auto r = test::run_granary(args);
    EXPECT_EQ(r.exit_code, 2) << args << r.err;
  }
  auto r = test::run_granary(ecco_run(ecco_config("bad-time", "model_start_time", "not-a-time")));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("model_start_time"), std::string::npos) << r.err;

  files::write_atomic(dir() / "not-a-catalog.json", std::string("{ nope"));
  r = test::run_granary(atl06_run(dir() / "not-a-catalog.json", (dir() / "x.zarr").string()));
  EXPECT_EQ(r.exit_code, 2) << r.err;

  // Issue 13's crafted .meta: 100,000 '[' once crashed the regex parser (SIGSEGV).
  const auto field = dir() / "crafted" / "SSH.0000000732.data";
  fs::create_directories(field.parent_path());
  files::write_atomic(field, std::string(4 * 12 * 12 * 13, '\0'));
  files::write_atomic(dir() / "crafted" / "SSH.0000000732.meta",
                      " nDims = [ 2 ];\n dimList = [ 12, 1, 12, 156, 1, 156 ];\n dataprec = [ 'float32' ];\n"
                      " missingValue = [" + std::string(100000, '['));
  r = test::run_granary("ecco regrid --factors " + (ecco() / "factors.bin").string() + " --field " + field.string() +
                        " --out " + (dir() / "crafted.nc").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("SSH.0000000732.meta"), std::string::npos) << r.err;
}

TEST_F(ExitCodes, ThreeWhenS3StaysUnavailable) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << "/usr/bin/python3 (S3 test server) is needed";
  test::S3TestServer server({.buckets = {"ecco", "out"}, .credentials = {kKeys}});
  auto bucket = io::open_s3_store("s3://ecco", server.options(kKeys));
  for (const auto& key : test::files_under(ecco() / "model_output"))
    bucket->put("model_output/" + key, files::read_all(ecco() / "model_output" / key));
  // Every request answers 503 SlowDown, more times than granary tries (6 attempts).
  server.control("/_control/fail?count=1000&status=503&code=SlowDown");
  const auto config = ecco_config("s3-down", "model_output_dir", "s3://ecco/model_output");
  auto r = test::run_command(server.env(kKeys) + test::granary_binary() + " " + ecco_run(config));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("SlowDown"), std::string::npos) << r.err;

  // ATL06's first request is a HEAD: no body, so no error code, only the status.
  r = test::run_command(server.env(kKeys) + test::granary_binary() + " " + atl06_run(atl06() / "catalog.json", "s3://out/atl06.zarr"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("503 Service Unavailable (after 6 attempts)"), std::string::npos) << r.err;
}

// Reading a Zarr store's chunks from S3 that stays unavailable is exit 3, not a bad chunk (exit 2).
TEST_F(ExitCodes, ThreeWhenAZarrStoreOnS3StaysUnavailableForItsChunks) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << "/usr/bin/python3 (S3 test server) is needed";
  const auto local = dir() / "for-s3.zarr";
  ASSERT_EQ(test::run_granary(atl06_run(atl06() / "catalog.json", local.string())).exit_code, 0);
  test::S3TestServer server({.buckets = {"out"}, .credentials = {kKeys}});
  auto bucket = io::open_s3_store("s3://out", server.options(kKeys));
  for (const auto& key : test::files_under(local)) bucket->put("store.zarr/" + key, files::read_all(local / key));
  const std::string info = server.env(kKeys) + test::granary_binary() + " info s3://out/store.zarr";
  ASSERT_EQ(test::run_command(info).exit_code, 0);
  server.control("/_control/fail?count=1000&status=503&code=SlowDown&method=GET&match=/c/");
  const auto r = test::run_command(info);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("503 SlowDown"), std::string::npos) << r.err;
}

// Starts granary with `args` (each job held back 1 s), sends SIGINT once `ready` holds (or after
// ~20 s) and returns its exit status.
int interrupted_exit(const std::vector<std::string>& args, const std::function<bool()>& ready) {
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("GRANARY_TEST_TASK_DELAY_SECONDS", "1", 1);
    std::vector<char*> argv;
    const std::string binary = test::granary_binary();
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  for (int i = 0; i < 400 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(ExitCodes, OneHundredThirtyWhenInterrupted) {
  const auto products = ecco() / "products-interrupted";
  const auto config = ecco_config("interrupted");
  int code = interrupted_exit({"ecco", "run", "--config", config.string(), "--jobs", (ecco() / "jobs.txt").string(), "-j", "1"},
                              [&] { return fs::exists(products); });
  EXPECT_EQ(code, 130);
  // A rerun resumes and finishes.
  auto r = test::run_granary(ecco_run(config));
  EXPECT_EQ(r.exit_code, 0) << r.err;

  const auto store = dir() / "interrupted.zarr";
  code = interrupted_exit({"atl06", "run", "--catalog", (atl06() / "catalog.json").string(), "--out", store.string(), "-j", "1"},
                          [&] { return fs::exists(store); });
  EXPECT_EQ(code, 130);
  r = test::run_granary(atl06_run(atl06() / "catalog.json", store.string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ExitCodesHelp, RootHelpListsEveryCode) {
  auto r = test::run_granary("--help");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* code : {"  0 ", "  1 ", "  2 ", "  3 ", "  70 ", "  130 "})
    EXPECT_NE(r.out.find(code), std::string::npos) << code << r.out;
}

}  // namespace
}  // namespace granary
