// The s3:// driver against what we did not write, and under what breaks transports:
//  * @20minutes/s3rver (npm), a third-party S3 that verifies SigV4, beside our strict server:
//    the same store operations must work on both;
//  * the AWS CLI (Debian's awscli) lists and reads what granary wrote, and granary reads what
//    the CLI wrote, as users will mix them;
//  * forked workers after the parent has used S3 (each must use connections of its own);
//  * garbled, dropped, truncated and mixed-up answers, retried as transport faults.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/s3_http.hpp"
#include "io/s3_store.hpp"
#include "run/local_executor.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::io {
namespace {

using nlohmann::json;
using test::S3ServerKind;
using testing::HasSubstr;

constexpr const char* kBucket = "interop";
const s3::Credentials kKeys{"AKIDINTEROPTEST1", "interop/Secret+Key0", ""};

using test::pattern;

std::string text_of(const std::vector<std::byte>& bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }

// One server of each kind for the whole suite (s3rver takes a second to start).
class S3Interop : public testing::TestWithParam<S3ServerKind> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [kind, server] : servers_) delete server;
    servers_.clear();
  }
  void SetUp() override {
    if (!test::S3TestServer::available(GetParam())) GTEST_SKIP() << test::S3TestServer::why_unavailable(GetParam());
    auto& server = servers_[GetParam()];
    if (!server) server = new test::S3TestServer({.kind = GetParam(), .buckets = {kBucket}, .credentials = {kKeys}});
    server_ = server;
  }
  S3Options options() const {
    auto o = server_->options(kKeys);
    o.multipart_threshold = 8 << 20;
    o.part_size = 5 << 20;
    o.retry = {.max_attempts = 5, .initial_backoff = std::chrono::milliseconds(1),
               .max_backoff = std::chrono::milliseconds(10)};
    return o;
  }
  std::string root() const {
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    return std::string("s3://") + kBucket + "/" + name;
  }
  std::unique_ptr<Store> open() const { return open_s3_store(root(), options()); }

  static inline std::map<S3ServerKind, test::S3TestServer*> servers_;
  test::S3TestServer* server_ = nullptr;
};

TEST_P(S3Interop, StoreOperationsWork) {
  auto store = open();
  // s3rver 4.0.4 escapes '&' twice in listings ("&amp;amp;"), so only the strict server gets it.
  std::string special = GetParam() == S3ServerKind::Strict ? "dir/sub/ü+&=.json" : "dir/sub/ü+=.json";
  std::vector<std::string> keys{"a.txt", "dir/b c.bin", special, "dir/sub/z", "zz/last"};
  for (std::size_t i = 0; i < keys.size(); ++i) store->put(keys[i], pattern(100 + i, static_cast<unsigned>(i)));
  auto big = pattern(11 << 20, 99);  // multipart: 5 + 5 + 1 MiB
  store->put("big.bin", big);

  auto listed = store->list("");
  std::vector<std::string> names;
  for (auto& o : listed) names.push_back(o.key);
  std::vector<std::string> want = keys;
  want.push_back("big.bin");
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
  EXPECT_EQ(store->list("dir/").size(), 3u);
  EXPECT_EQ(store->list("dir/sub/").size(), 2u);
  EXPECT_TRUE(store->list("nothing/").empty());

  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(store->get(keys[i]), pattern(100 + i, static_cast<unsigned>(i))) << keys[i];
    EXPECT_EQ(store->size(keys[i]), 100 + i) << keys[i];
  }
  EXPECT_EQ(store->get("big.bin"), big);
  auto range = store->get_range("big.bin", (5 << 20) - 3, 6);
  EXPECT_TRUE(std::equal(range.begin(), range.end(), big.begin() + (5 << 20) - 3));
  EXPECT_EQ(store->size("missing"), std::nullopt);
  EXPECT_THAT(test::error_of([&] { store->get("missing"); }), HasSubstr(root() + "/missing: 404"));
  store->remove("zz/last");
  EXPECT_FALSE(store->exists("zz/last"));
}

TEST_P(S3Interop, ListsManyKeysAcrossPages) {
  auto store = open();
  // More than one page of 1000 keys on S3. s3rver 4.0.4 answers every truncated
  // ListObjectsV2 with 500 InternalError (the AWS CLI gets the same), so it gets one full
  // page; paging itself is tested here on the strict server (and at 3 keys a page in S3Store*).
  const int keys = GetParam() == S3ServerKind::S3rver ? 1000 : 1003;
  for (int i = 0; i < keys; ++i) store->put(fmt::format("k/{:05}", i), {});
  store->put("k0", {});  // sorts after "k/…": must not be listed under "k/"
  auto listed = store->list("k/");
  ASSERT_EQ(listed.size(), static_cast<std::size_t>(keys));
  EXPECT_EQ(listed.front().key, "k/00000");
  EXPECT_EQ(listed.back().key, fmt::format("k/{:05}", keys - 1));
}

TEST_P(S3Interop, TheAwsCliReadsWhatGranaryWroteAndTheOtherWayRound) {
  if (!test::S3TestServer::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws (Debian awscli) is not installed";
  auto store = open();
  auto data = pattern(3000, 5);
  store->put("out/x y.bin", data);
  store->put("out/meta/zarr.json", pattern(10, 6));
  auto prefix = root().substr(std::string("s3://").size());
  auto aws = server_->aws_cli(kKeys);

  auto ls = test::run_command(aws + "s3 ls --recursive s3://" + prefix + "/out/");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(" 3000 " + prefix.substr(std::string(kBucket).size() + 1) + "/out/x y.bin"));
  EXPECT_THAT(ls.out, HasSubstr("/out/meta/zarr.json"));

  test::TempDir tmp;
  auto cp = test::run_command(aws + "s3 cp 's3://" + prefix + "/out/x y.bin' " + (tmp / "x.bin").string());
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  std::ifstream in(tmp / "x.bin", std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(got, text_of(data));

  std::ofstream(tmp / "from-cli.txt") << "written by the AWS CLI";
  auto up = test::run_command(aws + "s3 cp " + (tmp / "from-cli.txt").string() + " s3://" + prefix + "/cli/from-cli.txt");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(text_of(store->get("cli/from-cli.txt")), "written by the AWS CLI");
  ASSERT_EQ(store->list("cli/").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Servers, S3Interop, testing::Values(S3ServerKind::Strict, S3ServerKind::S3rver),
                         [](const auto& info) { return std::string(test::to_string(info.param)); });

// ---- transport faults and fork safety (strict server: it can inject faults) -------------

class S3Transport : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::S3TestServer::available()) server_ = new test::S3TestServer({.buckets = {kBucket}, .credentials = {kKeys}});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << test::S3TestServer::why_unavailable(S3ServerKind::Strict);
    server_->control("/_control/clear");
  }
  S3Options options(int attempts = 5) const {
    auto o = server_->options(kKeys);
    o.retry = {.max_attempts = attempts, .initial_backoff = std::chrono::milliseconds(1),
               .max_backoff = std::chrono::milliseconds(10)};
    return o;
  }
  std::string root() const {
    return std::string("s3://") + kBucket + "/" + testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  int injected() const { return server_->stats()["injected_failures"].get<int>(); }

  static inline test::S3TestServer* server_ = nullptr;
};

TEST_F(S3Transport, GarbledDroppedTruncatedAndMixedUpAnswersAreRetried) {
  auto store = open_s3_store(root(), options());
  auto data = pattern(5000, 1);
  store->put("obj", data);
  for (auto* k : {"a", "b", "c"}) store->put(std::string("list/") + k, {});
  int before = injected();
  for (const char* mode : {"drop", "garbage", "truncate"}) {
    server_->control(std::string("/_control/fail?count=2&method=GET&match=obj&mode=") + mode);
    EXPECT_EQ(store->get("obj"), data) << mode;
    server_->control(std::string("/_control/fail?count=1&method=GET&match=list-type&mode=") + mode);
    EXPECT_EQ(store->list("list/").size(), 3u) << mode;
    server_->control(std::string("/_control/fail?count=1&method=HEAD&mode=") + mode);
    EXPECT_EQ(store->size("obj"), data.size()) << mode;
  }
  // A 206 for another range than the one asked for is another exchange's answer.
  server_->control("/_control/fail?count=2&method=GET&match=obj&mode=wrong-range");
  auto range = store->get_range("obj", 100, 50);
  EXPECT_TRUE(std::equal(range.begin(), range.end(), data.begin() + 100));
  EXPECT_EQ(injected() - before, 3 * 4 + 2);
  EXPECT_EQ(server_->stats()["pending_faults"], 0);
}

TEST_F(S3Transport, ExhaustedRetriesAreAnUnavailableServiceNotBadInput) {
  auto store = open_s3_store(root(), options(3));
  store->put("obj", pattern(10, 2));
  server_->control("/_control/fail?count=3&method=GET&mode=garbage");
  try {
    store->get("obj");
    ADD_FAILURE() << "no error";
  } catch (const UnavailableError& e) {
    EXPECT_THAT(e.what(), HasSubstr(root() + "/obj: GET "));
    EXPECT_THAT(e.what(), HasSubstr("failed after 3 attempt(s)"));
  }
  server_->control("/_control/fail?count=3&method=GET&status=503&code=SlowDown");
  try {
    store->get("obj");
    ADD_FAILURE() << "no error";
  } catch (const UnavailableError& e) {
    EXPECT_THAT(e.what(), HasSubstr(root() + "/obj: 503 SlowDown"));
  }
  // A wrong key is the caller's problem, not an unavailable service.
  auto wrong = options();
  wrong.credentials = s3::Credentials{kKeys.access_key_id, "not the secret", ""};
  try {
    open_s3_store(root(), wrong)->get("obj");
    ADD_FAILURE() << "no error";
  } catch (const UnavailableError&) {
    ADD_FAILURE() << "a 403 reported as an unavailable service";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("403 SignatureDoesNotMatch"));
  }
}

// On the command line a service that stays unavailable is exit 3 (run again), not 2 (bad input).
TEST_F(S3Transport, AServiceThatStaysUnavailableExitsWith3) {
  server_->control("/_control/fail?count=20&status=503&code=SlowDown&method=GET&match=list-type");
  test::TempDir tmp;
  auto r = test::run_command(server_->env(kKeys) + test::granary_binary() + " atl06 catalog --granules s3://" + kBucket +
                             "/granules/ --out " + (tmp / "catalog.json").string() + " -j 1");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("503 SlowDown"));
  EXPECT_THAT(r.err, HasSubstr("a service was unavailable, not the input"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "catalog.json"));
}

// The parent keeps a live keep-alive connection, then forks workers that all read at once.
// Sharing the inherited socket, they would read each other's answers; each must open its own.
TEST_F(S3Transport, ForkedWorkersNeverShareTheParentsConnection) {
  auto store = open_s3_store(root(), options());
  constexpr int kObjects = 48;
  for (int i = 0; i < kObjects; ++i) store->put(fmt::format("o/{}", i), pattern(2000 + 37 * i, static_cast<unsigned>(i)));
  ASSERT_EQ(store->list("o/").size(), static_cast<std::size_t>(kObjects));  // the parent's connection is now open

  std::vector<json> tasks;
  for (int round = 0; round < 4; ++round)
    for (int i = 0; i < kObjects; ++i) tasks.push_back({{"i", i}});
  const auto* shared = store.get();
  run::PoolOptions pool;
  pool.workers = 4;
  auto outcome = run::run_local(
      tasks,
      [shared](const json& task) {
        int i = task["i"];
        auto want = pattern(2000 + 37 * i, static_cast<unsigned>(i));
        auto got = shared->get(fmt::format("o/{}", i));
        auto part = shared->get_range(fmt::format("o/{}", i), 7, 100);
        bool ok = got == want && std::equal(part.begin(), part.end(), want.begin() + 7);
        return json{{"status", ok ? "SUCCESS" : "FAILED"}, {"error", ok ? "" : "another object's bytes"}};
      },
      pool);
  int failed = 0;
  for (const auto& r : outcome.results)
    if (r["status"] != "SUCCESS") ++failed, ADD_FAILURE() << r.dump();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(outcome.workers, 4);
  EXPECT_EQ(store->get("o/0"), pattern(2000, 0));  // and the parent's own connection still works
}

}  // namespace
}  // namespace granary::io
