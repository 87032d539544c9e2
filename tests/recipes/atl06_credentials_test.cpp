// ATL06 granules on S3 read with every kind of credentials, through the CLI: NASA
// Earthdata's temporary keys (--granule-credentials earthdata, from a loopback NSIDC
// endpoint) for `atl06 catalog`, `atl06 cell` and `atl06 run`, and the default chain's
// environment, profile, credential_process, container and instance sources. Whatever the
// source, and also when the keys are wrong, no secret may appear in stdout, stderr, the
// run report, the catalog or the outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/s3_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/credential_test_server.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;

const io::s3::Credentials kNsidcKeys{"ASIANSIDCKEY0042", "nsidc-secret-Zq9/x+v", "nsidc-session-token-FwoG//zz=="};
const io::s3::Credentials kWrongKeys{"ASIAWRONGKEY0013", "wrong-secret-Hk3/y+w", "wrong-session-token-IQoJ=="};
const std::string kBearer = "earthdata-bearer-token-eyJ0eXAi";
const std::string kContainerToken = "container-authorization-token-9f8e";
const std::string kNetrcPassword = "netrc-password-Pa55";
constexpr const char* kBucket = "nsidc-cumulus-prod-protected";
constexpr std::int64_t kParent = -4113213;

std::vector<std::string> secrets() {
  return {kNsidcKeys.secret_access_key, kNsidcKeys.session_token, kWrongKeys.secret_access_key,
          kWrongKeys.session_token, kBearer, kContainerToken, kNetrcPassword};
}

// Every file under `dir` (reports, catalogs, stores, status records) as one text.
std::string all_files(const fs::path& dir) {
  std::string text;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "netrc" || entry.path().parent_path().filename() == ".aws" ||
        entry.path().filename() == "print_keys.py" || entry.path().filename() == "token")
      continue;  // the inputs that hold secrets on purpose
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    text += s.str();
  }
  return text;
}

void expect_no_secret(const std::string& what, const std::string& text) {
  for (const auto& secret : secrets()) EXPECT_EQ(text.find(secret), std::string::npos) << what << " shows a secret";
}

class Atl06Credentials : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::S3TestServer::available()) return;
    s3_ = new test::S3TestServer({.buckets = {kBucket}, .credentials = {kNsidcKeys}});
    good_ = new test::CredentialTestServer({.keys = {kNsidcKeys}, .container_token = kContainerToken,
                                            .earthdata_token = kBearer, .urs_login = "user:" + kNetrcPassword});
    wrong_ = new test::CredentialTestServer({.keys = {kWrongKeys}, .earthdata_token = kBearer});
    dir_ = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = *dir_ / "granules";
    o.granules = 2;
    o.segments_per_beam = 2000;
    o.cells = {kParent};
    auto store = io::open_s3_store(std::string("s3://") + kBucket + "/ATL06", s3_->options(kNsidcKeys));
    for (const auto& g : synth::write_synthetic_granules(o)) {
      store->put(g.path.filename().string(), files::read_all(g.path));
      uris_.push_back(store->uri() + "/" + g.path.filename().string());
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete wrong_;
    delete good_;
    delete s3_;
    uris_.clear();
  }
  void SetUp() override {
    if (!s3_) GTEST_SKIP() << "/usr/bin/python3 is needed for the loopback servers";
  }

  // A granary command line with nothing from the caller's AWS setup: the S3 server's
  // endpoint, a fresh HOME, and `extra` assignments, logging everything as JSON.
  std::string granary(const std::string& extra, const std::string& args) const {
    return "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE "
           "-u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u EARTHDATA_TOKEN "
           "AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_S3=" + s3_->endpoint() + " AWS_REGION=" + s3_->region() +
           " HOME=" + work.path().string() + " NETRC=" + (work / "netrc").string() + " " + extra + " " +
           test::granary_binary() + " --log-format json --log-level debug " + args;
  }
  test::CommandResult run(const std::string& extra, const std::string& args) {
    auto r = test::run_command(granary(extra, args));
    expect_no_secret("stdout of " + args, r.out);
    expect_no_secret("stderr of " + args, r.err);
    return r;
  }
  std::string cell_args(const std::string& out) const {
    return "atl06 cell --parent " + std::to_string(kParent) + " --granules " + uris_[0] + " " + uris_[1] + " --out " +
           (work / out).string();
  }
  std::string earthdata(const test::CredentialTestServer& server) const {
    return "EARTHDATA_TOKEN=" + kBearer + " GRANARY_EARTHDATA_S3CREDENTIALS_URL=" + server.earthdata_url();
  }

  test::TempDir work;
  static inline test::S3TestServer* s3_ = nullptr;
  static inline test::CredentialTestServer* good_ = nullptr;
  static inline test::CredentialTestServer* wrong_ = nullptr;
  static inline test::TempDir* dir_ = nullptr;
  static inline std::vector<std::string> uris_;
};

TEST_F(Atl06Credentials, EarthdataKeysReadGranulesInCatalogCellAndRun) {
  const auto before = good_->stats()["fetches"]["earthdata"].get<int>();
  auto r = run(earthdata(*good_), "atl06 catalog --granules s3://" + std::string(kBucket) + "/ATL06 --out " +
                                      (work / "catalog.json").string() + " -j 2 --granule-credentials earthdata");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto catalog = json::parse(files::read_text(work / "catalog.json"));
  EXPECT_EQ(catalog["metadata"]["total_granules"], 2);
  EXPECT_TRUE(catalog["catalog"].contains(std::to_string(kParent)));
  EXPECT_EQ(good_->stats()["fetches"]["earthdata"], before + 1);  // once for the run, handed to the workers

  r = run(earthdata(*good_), cell_args("cell.zarr") + " --granule-credentials earthdata");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["statusCode"], 200);

  // Two cells, so that two forked workers get the keys the parent fetched once.
  std::ofstream(work / "two.json") << json{{"catalog", {{std::to_string(kParent), uris_}, {"-4113214", uris_}}}}.dump();
  const auto fetched = good_->stats()["fetches"]["earthdata"].get<int>();
  r = run(earthdata(*good_), "atl06 run --catalog " + (work / "two.json").string() + " --out " +
                                 (work / "run.zarr").string() + " -j 2 --granule-credentials earthdata --report " +
                                 (work / "report.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto report = json::parse(files::read_text(work / "report.json"));
  EXPECT_EQ(report["workers"], 2);
  EXPECT_EQ(report["context"]["production_results"]["successful"], 2) << report.dump();
  EXPECT_EQ(good_->stats()["fetches"]["earthdata"], fetched + 1);
  EXPECT_THAT(report["command"].get<std::string>(), HasSubstr("--granule-credentials earthdata"));

  // The same with the default chain (no keys here: unsigned) is refused by the bucket.
  r = run(earthdata(*good_), cell_args("anonymous.zarr"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("403"));
  expect_no_secret("the files written", all_files(work.path()));
}

TEST_F(Atl06Credentials, EarthdataLoginFromNetrc) {
  std::ofstream(work / "netrc") << "machine " << good_->login_host() << " login user password " << kNetrcPassword << "\n";
  auto r = run("GRANARY_EARTHDATA_LOGIN_HOST=" + good_->login_host(),
               cell_args("netrc.zarr") + " --granule-credentials earthdata --s3-credentials-url " + good_->earthdata_url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(good_->stats()["basic_auth_to_data_host"], 0);
  expect_no_secret("the files written", all_files(work.path()));
}

TEST_F(Atl06Credentials, WrongKeysAndWrongTokensFailWithoutShowingSecrets) {
  // Keys the bucket does not accept: every cell fails with S3's 403, the run report says so.
  auto r = run(earthdata(*wrong_), "atl06 catalog --granules " + uris_[0] + " " + uris_[1] + " --out " +
                                       (work / "catalog.json").string() + " -j 2 --granule-credentials earthdata");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("403"));
  std::ofstream(work / "good.json") << json{{"catalog", {{std::to_string(kParent), uris_}}}}.dump();
  r = run(earthdata(*wrong_), "atl06 run --catalog " + (work / "good.json").string() + " --out " +
                                  (work / "run.zarr").string() + " -j 2 --granule-credentials earthdata --report " +
                                  (work / "report.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(files::read_text(work / "report.json"), HasSubstr("403"));
  r = run(earthdata(*wrong_), cell_args("wrong.zarr") + " --granule-credentials earthdata");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("403"));

  // A refused bearer token stops the command before any work, naming the source.
  r = run("EARTHDATA_TOKEN=not-" + kBearer + " GRANARY_EARTHDATA_S3CREDENTIALS_URL=" + good_->earthdata_url(),
          cell_args("refused.zarr") + " --granule-credentials earthdata");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the Earthdata token (EARTHDATA_TOKEN) was refused"));
  EXPECT_EQ(r.err.find("not-" + kBearer), std::string::npos);

  // Wrong keys in the environment (the default chain).
  r = run("AWS_ACCESS_KEY_ID=" + kWrongKeys.access_key_id + " AWS_SECRET_ACCESS_KEY=" + kWrongKeys.secret_access_key +
              " AWS_SESSION_TOKEN=" + kWrongKeys.session_token,
          cell_args("env-wrong.zarr"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("environment, access key …0013"));
  expect_no_secret("the files written", all_files(work.path()));
}

TEST_F(Atl06Credentials, EveryChainSourceReadsGranulesWithoutShowingSecrets) {
  fs::create_directories(work / ".aws");
  std::ofstream(work / "token") << kContainerToken;
  std::ofstream(work / "print_keys.py") << "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': '"
                                        << kNsidcKeys.access_key_id << "', 'SecretAccessKey': '"
                                        << kNsidcKeys.secret_access_key << "', 'SessionToken': '"
                                        << kNsidcKeys.session_token << "', 'Expiration': '2999-01-01T00:00:00Z'}))\n";
  const std::map<std::string, std::string> sources = {
      {"environment", "AWS_ACCESS_KEY_ID=" + kNsidcKeys.access_key_id + " AWS_SECRET_ACCESS_KEY=" +
                          kNsidcKeys.secret_access_key + " AWS_SESSION_TOKEN=" + kNsidcKeys.session_token},
      {"profile", "AWS_PROFILE=static"},
      {"credential_process", "AWS_PROFILE=process"},
      {"container", "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + good_->container_uri() +
                        " AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + (work / "token").string()},
      {"instance", "AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=" + good_->imds_endpoint()},
  };
  std::ofstream(work / ".aws" / "credentials") << "[static]\naws_access_key_id = " << kNsidcKeys.access_key_id
                                               << "\naws_secret_access_key = " << kNsidcKeys.secret_access_key
                                               << "\naws_session_token = " << kNsidcKeys.session_token << "\n";
  std::ofstream(work / ".aws" / "config") << "[profile process]\ncredential_process = /usr/bin/python3 "
                                          << (work / "print_keys.py").string() << "\n";
  for (const auto& [name, env] : sources) {
    auto r = run(env, cell_args(name + ".zarr"));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("…0042")) << name;  // the debug log names the key by its last 4 characters
  }
  expect_no_secret("the files written", all_files(work.path()));
}

}  // namespace
}  // namespace granary::atl06
