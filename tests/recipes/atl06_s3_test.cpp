// The ATL06 cell job on S3, end to end: magg's Lambda event through `granary atl06 cell
// --event -`, granules read from s3:// with the event's s3_credentials (libhdf5 through the
// range-reader driver, never a whole download), the Zarr store written to s3:// with the
// default chain's keys (or the event's output_credentials), against tests/support/s3_server.py.
// The S3 result must be the local result, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "io/file_store.hpp"
#include "io/s3_store.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "render/png.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// NSIDC hands out temporary keys (with a session token) for its bucket; the output bucket
// has keys of its own, which the job finds in the environment.
const io::s3::Credentials kNsidcKeys{"ASIANSIDCTEMPKEY", "nsidc/Temporary+Secret9", "FwoGZXIvYXdz//nsidc+token=="};
const io::s3::Credentials kOutputKeys{"AKIDGRANARYOUT01", "output/Secret+key7", ""};
constexpr const char* kGranuleBucket = "nsidc-cumulus-prod-protected";
constexpr const char* kGranulePrefix = "ATLAS/ATL06/006";
constexpr const char* kOutputBucket = "granary-out";
constexpr std::int64_t kParent = -4113213;

json credentials_json(const io::s3::Credentials& c) {
  return {{"accessKeyId", c.access_key_id}, {"secretAccessKey", c.secret_access_key}, {"sessionToken", c.session_token}};
}

std::string text_of(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Every object of the Zarr store (granary's status records aside) is byte for byte the
// same, and every array decodes to the same values.
void expect_same_zarr(const io::Store& got, const io::Store& want) {
  auto zarr_keys = [](const io::Store& s) {
    std::vector<std::string> keys;
    for (const auto& o : s.list(""))
      if (o.key.rfind(".granary/", 0) != 0) keys.push_back(o.key);
    return keys;
  };
  const auto keys = zarr_keys(want);
  ASSERT_FALSE(keys.empty());
  ASSERT_EQ(zarr_keys(got), keys);
  for (const auto& k : keys) EXPECT_EQ(got.get(k), want.get(k)) << k;
  for (const auto& name : array_names(false))
    EXPECT_EQ(zarr::read_array(got, "12/" + name), zarr::read_array(want, "12/" + name)) << name;
}

class Atl06S3 : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::S3TestServer::available()) return;
    server_ = new test::S3TestServer({.buckets = {kGranuleBucket, kOutputBucket}, .credentials = {kNsidcKeys, kOutputKeys}});
    dir_ = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = *dir_ / "granules";
    o.granules = 2;
    o.segments_per_beam = 3000;
    o.cells = {kParent};
    for (const auto& g : synth::write_synthetic_granules(o)) granules_.push_back({g.path.string(), upload(g.path)});
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete server_;
    dir_ = nullptr;
    server_ = nullptr;
    granules_.clear();
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "/usr/bin/python3 is needed for the S3 test server";
  }

  // Puts a local granule into the granule bucket; returns its s3:// URI.
  static std::string upload(const fs::path& local) {
    auto store = io::open_s3_store(std::string("s3://") + kGranuleBucket + "/" + kGranulePrefix, server_->options(kNsidcKeys));
    store->put(local.filename().string(), files::read_all(local));
    return store->uri() + "/" + local.filename().string();
  }

  // The output store of this test, as the job names it and as a test reads it.
  static std::string store_prefix() {
    return std::string("cells/") + testing::UnitTest::GetInstance()->current_test_info()->name() + ".zarr";
  }
  static std::string store_uri() { return std::string("s3://") + kOutputBucket + "/" + store_prefix(); }
  static std::unique_ptr<io::Store> output_store() { return io::open_s3_store(store_uri(), server_->options(kOutputKeys)); }

  // magg's event for `parent` over `uris`, writing a one-parent store (a granary key).
  static json event(std::int64_t parent, const std::vector<std::string>& uris, const io::s3::Credentials& keys) {
    return {{"parent_morton", parent}, {"parent_order", 6},           {"child_order", 12},
            {"granule_urls", uris},    {"s3_bucket", kOutputBucket},  {"s3_prefix", store_prefix()},
            {"chunk_idx", 0},          {"s3_credentials", credentials_json(keys)}, {"create_store", true}};
  }

  // `granary atl06 cell --event -` with the event on stdin; `env` precedes the command.
  static test::CommandResult run_event(const json& e, const std::string& env) {
    test::TempDir tmp;
    std::ofstream(tmp / "event.json") << e.dump();
    return test::run_command(env + test::granary_binary() + " atl06 cell --event - < " + (tmp / "event.json").string());
  }
  // The environment of a Lambda: the endpoint, and the output bucket's keys.
  static std::string lambda_env() { return server_->env(kOutputKeys); }

  // The same job on the local files, into a local store.
  static json run_local(std::int64_t parent, const std::vector<std::string>& paths, const fs::path& store) {
    return run_cell_job(parse_cell_event(
        {{"parent_morton", parent}, {"granule_urls", paths}, {"store", store.string()}, {"create_store", true}}));
  }

  static void expect_no_secret(const test::CommandResult& r) {
    for (const auto* secret : {&kNsidcKeys.secret_access_key, &kNsidcKeys.session_token, &kOutputKeys.secret_access_key}) {
      EXPECT_EQ(r.out.find(*secret), std::string::npos) << "stdout shows a secret";
      EXPECT_EQ(r.err.find(*secret), std::string::npos) << "stderr shows a secret";
    }
  }

  struct Granule {
    std::string path, uri;
  };
  static inline test::S3TestServer* server_ = nullptr;
  static inline test::TempDir* dir_ = nullptr;
  static inline std::vector<Granule> granules_;
};

TEST_F(Atl06S3, EventReadsGranulesAndWritesTheStoreLikeALocalRun) {
  std::vector<std::string> paths, uris;
  for (const auto& g : granules_) paths.push_back(g.path), uris.push_back(g.uri);
  test::TempDir tmp;
  const json local = run_local(kParent, paths, tmp / "local.zarr");
  ASSERT_EQ(local["status"], "SUCCESS") << local.dump();
  ASSERT_GT(local["total_obs"].get<int>(), 0);

  auto r = run_event(event(kParent, uris, kNsidcKeys), lambda_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto response = json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 200);
  const auto& body = response["body"];
  EXPECT_EQ(body["error"], nullptr);
  EXPECT_EQ(body["zarr_path"], store_uri());
  EXPECT_EQ(body["granule_count"], 2);
  EXPECT_EQ(body["files_processed"], 2);
  EXPECT_EQ(body["total_obs"], local["total_obs"]);
  EXPECT_EQ(body["cells_with_data"], local["cells_with_data"]);
  expect_no_secret(r);

  auto s3 = output_store();
  io::FileStore files(tmp / "local.zarr");
  expect_same_zarr(*s3, files);

  // The job's record (on S3, beside the store): what it read of each granule.
  const auto status = json::parse(text_of(s3->get(status_key(kParent, 12))));
  EXPECT_EQ(status["status"], "SUCCESS");
  for (const auto& o : status["granule_outcomes"]) {
    EXPECT_GT(o["read_requests"].get<std::uint64_t>(), 0u) << o.dump();
    EXPECT_GT(o["bytes_fetched"].get<std::uint64_t>(), 0u) << o.dump();
  }
  EXPECT_GT(status["granule_bytes"].get<std::uint64_t>(), 0u);
}

// A full-size granule (150,000 segments a beam, 19 MB) of which the cell holds ~3 %: the job
// reads the metadata islands and the chunks near the cell, not the granule.
TEST_F(Atl06S3, ReadsASmallShareOfAFullSizeGranule) {
  test::TempDir tmp;
  synth::SynthOptions o;
  o.out_dir = tmp / "full";
  o.granules = 1;
  o.cells = {kParent};
  o.seed = 7;
  const auto made = synth::write_synthetic_granules(o);
  const std::string path = made.at(0).path.string(), uri = upload(made.at(0).path);

  auto r = run_event(event(kParent, {uri}, kNsidcKeys), lambda_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json local = run_local(kParent, {path}, tmp / "local.zarr");
  EXPECT_EQ(json::parse(r.out)["body"]["total_obs"], local["total_obs"]);
  expect_same_zarr(*output_store(), io::FileStore(tmp / "local.zarr"));

  const auto status = json::parse(text_of(output_store()->get(status_key(kParent, 12))));
  const auto size = status["granule_bytes"].get<std::uint64_t>();
  const auto read = status["bytes_fetched"].get<std::uint64_t>();
  EXPECT_EQ(size, made.at(0).bytes);
  EXPECT_LT(read, size / 3) << status.dump(1);
  EXPECT_LT(status["read_requests"].get<std::uint64_t>(), 1000u) << status.dump(1);
  std::cout << "[ full-size granule ] " << read << " of " << size << " bytes read (" << status["read_fraction"]
            << ") in " << status["read_requests"] << " requests; job " << status["duration_s"] << " s\n";
}

TEST_F(Atl06S3, WrongGranuleCredentialsFailNamingTheGranule) {
  const std::string uri = granules_.at(0).uri;
  const io::s3::Credentials wrong{kNsidcKeys.access_key_id, "wrong/Secret+never-printed", kNsidcKeys.session_token};
  auto r = run_event(event(kParent, {uri}, wrong), lambda_env());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto response = json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 500);
  const std::string error = response["body"]["error"];
  EXPECT_NE(error.find(uri + ": 403"), std::string::npos) << error;
  EXPECT_NE(error.find("credentials: explicit"), std::string::npos) << error;
  EXPECT_NE(r.err.find(uri), std::string::npos) << r.err;
  expect_no_secret(r);
  EXPECT_EQ(r.out.find(wrong.secret_access_key), std::string::npos);
  EXPECT_EQ(r.err.find(wrong.secret_access_key), std::string::npos);
  EXPECT_FALSE(output_store()->exists(status_key(kParent, 12)));  // nothing recorded as done
}

// The event's s3_credentials are for the granules only: the store uses the default chain,
// or the event's output_credentials (which may also name the S3 service).
TEST_F(Atl06S3, StoreUsesTheDefaultChainOrOutputCredentials) {
  const std::string no_keys = "AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_SESSION_TOKEN= AWS_PROFILE= "
                              "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                              "AWS_ENDPOINT_URL_S3=" + server_->endpoint() + " AWS_REGION=us-east-1 ";
  json e = event(kParent, {granules_.at(0).uri}, kNsidcKeys);
  auto r = run_event(e, no_keys);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string error = json::parse(r.out)["body"]["error"];
  EXPECT_NE(error.find(store_uri()), std::string::npos) << error;
  EXPECT_NE(error.find("anonymous"), std::string::npos) << error;
  expect_no_secret(r);

  // output_credentials bring the keys and the endpoint: the environment names neither.
  const std::string nowhere = "AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_PROFILE= AWS_SHARED_CREDENTIALS_FILE=/nonexistent "
                              "AWS_CONFIG_FILE=/nonexistent AWS_ENDPOINT_URL_S3= AWS_ENDPOINT_URL= AWS_REGION= ";
  e["granule_urls"] = {granules_.at(0).path};
  e["output_credentials"] = credentials_json(kOutputKeys);
  e["output_credentials"]["endpointUrl"] = server_->endpoint();
  e["output_credentials"]["region"] = server_->region();
  r = run_event(e, nowhere);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["statusCode"], 200);
  EXPECT_TRUE(output_store()->exists(status_key(kParent, 12)));
  expect_no_secret(r);
}

TEST_F(Atl06S3, RealGranuleMatchesTheLocalRun) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const fs::path path = data / "atl06" / "processed_ATL06_20190613065109_11610303_002_01.h5";
  const std::string uri = upload(path);
  auto r = run_event(event(4441321, {uri}, kNsidcKeys), lambda_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto body = json::parse(r.out)["body"];
  EXPECT_EQ(body["total_obs"], 17011);
  EXPECT_EQ(body["cells_with_data"], 138);
  test::TempDir tmp;
  ASSERT_EQ(run_local(4441321, {path.string()}, tmp / "local.zarr")["status"], "SUCCESS");
  expect_same_zarr(*output_store(), io::FileStore(tmp / "local.zarr"));
  expect_no_secret(r);
}

std::string event_error(const json& e) {
  try {
    parse_cell_event(e);
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Atl06S3Event, CredentialsAreCheckedWithoutEchoingThem) {
  const json base = {{"parent_morton", kParent}, {"granule_urls", json::array()}, {"store", "s3://b/p"}};
  auto with = [&](const char* key, json value) {
    json e = base;
    e[key] = std::move(value);
    return e;
  };
  EXPECT_EQ(event_error(with("s3_credentials", "AKID:secret")),
            "event: s3_credentials must be an object {accessKeyId, secretAccessKey, sessionToken}");
  EXPECT_EQ(event_error(with("s3_credentials", {{"accessKeyId", "AKID"}})), "event: s3_credentials.secretAccessKey is missing");
  EXPECT_EQ(event_error(with("output_credentials", {{"accessKeyId", "AKID"}, {"secretAccessKey", 12345}})),
            "event: output_credentials.secretAccessKey must be a string");

  const auto job = parse_cell_event(with("s3_credentials", credentials_json(kNsidcKeys)));
  ASSERT_TRUE(job.granule_s3.credentials);
  EXPECT_EQ(job.granule_s3.credentials->secret_access_key, kNsidcKeys.secret_access_key);
  EXPECT_EQ(job.granule_s3.credentials->session_token, kNsidcKeys.session_token);
  EXPECT_FALSE(job.store_s3.credentials);  // the store keeps the default chain

  json e = with("output_credentials", credentials_json(kOutputKeys));
  e["output_credentials"]["endpointUrl"] = "http://127.0.0.1:9000";
  e["output_credentials"]["region"] = "eu-west-1";
  const auto out = parse_cell_event(e);
  EXPECT_FALSE(out.granule_s3.credentials);
  ASSERT_TRUE(out.store_s3.credentials);
  EXPECT_EQ(out.store_s3.credentials->access_key_id, kOutputKeys.access_key_id);
  EXPECT_EQ(out.store_s3.credentials->session_token, "");
  EXPECT_EQ(out.store_s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(out.store_s3.region, "eu-west-1");
}

TEST_F(Atl06S3, InfoAndQuicklookReadTheStoreOnS3) {
  std::vector<std::string> uris;
  for (const auto& g : granules_) uris.push_back(g.uri);
  ASSERT_EQ(run_event(event(kParent, uris, kNsidcKeys), lambda_env()).exit_code, 0);
  const std::string png = (*dir_ / "s3_cells.png").string();
  auto r = test::run_command(lambda_env() + test::granary_binary() + " quicklook " + store_uri() + " --coastlines none --out " + png);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto image = render::read_png(png);
  EXPECT_GE(std::max(image.width(), image.height()), 800);
  r = test::run_command(lambda_env() + test::granary_binary() + " info --json " + store_uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(json::parse(r.out).at("atl06").at("groups").at(0).at("cells_with_data").get<std::int64_t>(), 0);
}

}  // namespace
}  // namespace granary::atl06
