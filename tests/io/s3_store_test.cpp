// The s3:// driver against tests/support/s3_server.py, a strict S3 subset on loopback that
// checks every SigV4 signature and payload hash, pages ListObjectsV2 three keys at a time
// and can be told to fail requests.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/s3_http.hpp"
#include "io/s3_store.hpp"
#include "io/s3_xml.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::io {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr const char* kBucket = "granary-test";
constexpr const char* kRegion = "us-west-2";
const s3::Credentials kKeys{"AKIDGRANARYTEST1", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const s3::Credentials kSessionKeys{"ASIAGRANARYTOKEN", "session/Secret+1", "FwoGZXIvYXdz//token+with/slash=="};

std::vector<std::byte> bytes_of(const std::string& text) {
  auto view = std::as_bytes(std::span(text));
  return {view.begin(), view.end()};
}

using test::pattern;

using test::error_of;

class S3StoreTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::S3TestServer::available())
      server_ = new test::S3TestServer({.buckets = {kBucket}, .credentials = {kKeys, kSessionKeys}, .region = kRegion,
                                        .page_size = 3, .public_read = true});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "/usr/bin/python3 is needed for the S3 test server";
    server_->control("/_control/clear");
  }

  S3Options options(const s3::Credentials& keys = kKeys) const {
    S3Options o;
    o.endpoint = server_->endpoint();
    o.region = kRegion;
    o.credentials = keys;
    o.multipart_threshold = 8 << 20;
    o.part_size = 5 << 20;
    o.retry = {.max_attempts = 4, .initial_backoff = std::chrono::milliseconds(1),
               .max_backoff = std::chrono::milliseconds(5)};
    return o;
  }
  // Each test works under its own prefix, named after it.
  std::string root() const {
    return std::string("s3://") + kBucket + "/" + testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  std::unique_ptr<Store> open(const S3Options& o) const { return open_s3_store(root(), o); }
  std::unique_ptr<Store> open() const { return open(options()); }

  static inline test::S3TestServer* server_ = nullptr;
};

TEST_F(S3StoreTest, RoundTripsSmallObjects) {
  auto store = open();
  auto data = bytes_of("hello, granary");
  store->put("dir/a.txt", data);
  EXPECT_EQ(store->get("dir/a.txt"), data);
  EXPECT_EQ(store->size("dir/a.txt"), data.size());
  EXPECT_TRUE(store->exists("dir/a.txt"));
  EXPECT_EQ(store->uri(), root());
  EXPECT_EQ(store->local_path("dir/a.txt"), std::nullopt);

  store->put("empty", {});
  EXPECT_EQ(store->size("empty"), 0u);
  EXPECT_TRUE(store->get("empty").empty());

  store->remove("dir/a.txt");
  EXPECT_FALSE(store->exists("dir/a.txt"));
  store->remove("dir/a.txt");  // removing a missing key is not an error
}

TEST_F(S3StoreTest, RoundTripsMultipartUploadsInParallelParts) {
  auto store = open();
  auto before = server_->stats();
  auto data = pattern(12 << 20, 1);  // parts of 5, 5 and 2 MiB
  store->put("big.bin", data);
  auto after = server_->stats();
  EXPECT_EQ(after["completed_uploads"], before["completed_uploads"].get<int>() + 1);
  EXPECT_EQ(after["signed_requests"], before["signed_requests"].get<int>() + 5);  // create, 3 parts, complete
  EXPECT_EQ(after["open_uploads"], 0);
  EXPECT_EQ(store->size("big.bin"), data.size());
  EXPECT_EQ(store->get("big.bin"), data);
  auto across = store->get_range("big.bin", (5 << 20) - 10, 20);  // spans parts 1 and 2
  EXPECT_TRUE(std::equal(across.begin(), across.end(), data.begin() + (5 << 20) - 10));
}

TEST_F(S3StoreTest, ReadsRangesAndNamesTheKeyWhenShort) {
  auto store = open();
  auto data = pattern(100, 2);
  store->put("r.bin", data);
  EXPECT_EQ(store->get_range("r.bin", 10, 20), std::vector<std::byte>(data.begin() + 10, data.begin() + 30));
  EXPECT_EQ(store->get_range("r.bin", 90, 10), std::vector<std::byte>(data.begin() + 90, data.end()));
  EXPECT_TRUE(store->get_range("r.bin", 50, 0).empty());

  auto short_read = error_of([&] { store->get_range("r.bin", 95, 10); });
  EXPECT_THAT(short_read, HasSubstr(root() + "/r.bin: truncated: wanted bytes [95, 105) but the object ends at 100"));
  auto past_end = error_of([&] { store->get_range("r.bin", 200, 5); });
  EXPECT_THAT(past_end, HasSubstr(root() + "/r.bin: truncated: wanted bytes [200, 205) but the object ends at 100"));
}

TEST_F(S3StoreTest, ListsAcrossPagesUnderThePrefix) {
  auto store = open();
  std::vector<std::string> keys{"list/a", "list/b", "list/c", "list/d", "list/e", "list/f", "list/sub/x",
                                "listing", "other/y"};
  for (std::size_t i = 0; i < keys.size(); ++i) store->put(keys[i], pattern(i + 1, 3));

  auto before = server_->stats();
  auto all = store->list("");
  auto after = server_->stats();
  EXPECT_EQ(after["signed_requests"], before["signed_requests"].get<int>() + 3);  // 9 keys, 3 per page
  ASSERT_EQ(all.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(all[i].key, keys[i]);
    EXPECT_EQ(all[i].size, i + 1);
  }

  auto under = store->list("list/");
  ASSERT_EQ(under.size(), 7u);
  EXPECT_EQ(under.back().key, "list/sub/x");
  EXPECT_EQ(store->list("list/sub/").size(), 1u);
  EXPECT_TRUE(store->list("nothing/").empty());

  auto deeper = open_s3_store(root() + "/list/", options());
  EXPECT_EQ(deeper->uri(), root() + "/list");
  auto relative = deeper->list("");
  ASSERT_EQ(relative.size(), 7u);
  EXPECT_EQ(relative.front().key, "a");
  EXPECT_EQ(relative.back().key, "sub/x");
  EXPECT_EQ(deeper->get("sub/x"), pattern(7, 3));
}

TEST_F(S3StoreTest, MissingKeysAreErrorsThatNameTheKey) {
  auto store = open();
  EXPECT_EQ(store->size("nope"), std::nullopt);
  EXPECT_FALSE(store->exists("nope"));
  auto message = error_of([&] { store->get("nope"); });
  EXPECT_THAT(message, HasSubstr(root() + "/nope: 404 NoSuchKey: The specified key does not exist."));

  auto other_bucket = open_s3_store("s3://no-such-bucket/x", options());
  EXPECT_THAT(error_of([&] { other_bucket->get("k"); }), HasSubstr("s3://no-such-bucket/x/k: 404 NoSuchBucket"));
}

TEST_F(S3StoreTest, BadCredentialsGiveAClear403WithoutRetriesOrSecrets) {
  auto wrong_secret = kKeys;
  wrong_secret.secret_access_key = "not-the-secret";
  auto store = open(options(wrong_secret));
  auto before = server_->stats();
  auto message = error_of([&] { store->get("k"); });
  EXPECT_EQ(server_->stats()["requests"], before["requests"].get<int>() + 1);  // auth errors are not retried
  EXPECT_THAT(message, HasSubstr(root() + "/k: 403 SignatureDoesNotMatch: The request signature we calculated"));
  EXPECT_THAT(message, HasSubstr("credentials: explicit, access key …EST1"));
  EXPECT_THAT(message, Not(HasSubstr("not-the-secret")));
  // A HEAD's 403 has no body, so no code: the message says what it likely is.
  auto head_error = error_of([&] { store->size("k"); });
  EXPECT_THAT(head_error, HasSubstr(root() + "/k: 403 Forbidden"));
  EXPECT_THAT(head_error, HasSubstr("likely a wrong secret key (SignatureDoesNotMatch)"));
  EXPECT_THAT(head_error, HasSubstr("credentials: explicit, access key …EST1"));

  auto wrong_key = kKeys;
  wrong_key.access_key_id = "AKIDUNKNOWN0";
  auto put_error = error_of([&] { open(options(wrong_key))->put("k", bytes_of("x")); });
  EXPECT_THAT(put_error, HasSubstr(root() + "/k: 403 InvalidAccessKeyId: The AWS Access Key Id you provided"));

  auto wrong_region = options();
  wrong_region.region = "eu-north-1";
  EXPECT_THAT(error_of([&] { open(wrong_region)->get("k"); }),
              HasSubstr("(the bucket is in region us-west-2: set AWS_REGION=us-west-2)"));
}

TEST_F(S3StoreTest, RetriesThrottlingAndServerErrors) {
  auto store = open();
  server_->control("/_control/fail?count=3&status=503&code=SlowDown&method=PUT");
  store->put("retry.txt", bytes_of("after three 503s"));
  server_->control("/_control/fail?count=2&status=500&code=InternalError&method=GET");
  EXPECT_EQ(store->get("retry.txt"), bytes_of("after three 503s"));
  server_->control("/_control/fail?count=1&status=429&code=TooManyRequests&method=HEAD");
  EXPECT_EQ(store->size("retry.txt"), 16u);
  EXPECT_EQ(server_->stats()["pending_faults"], 0);

  server_->control("/_control/fail?count=4&status=503&code=SlowDown&method=GET");
  EXPECT_THAT(error_of([&] { store->get("retry.txt"); }), HasSubstr(root() + "/retry.txt: 503 SlowDown"));
}

TEST_F(S3StoreTest, RetriesConnectionErrorsThenReportsThem) {
  auto o = options();
  o.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  auto message = error_of([&] { open(o)->get("k"); });
  EXPECT_THAT(message, HasSubstr(root() + "/k: GET http://127.0.0.1:1/granary-test/"));
  EXPECT_THAT(message, HasSubstr("failed after 4 attempt(s): Couldn't connect to server"));
}

TEST_F(S3StoreTest, RetriesACompleteThatFailsAfter200Ok) {
  auto store = open();
  auto before = server_->stats();
  // S3 may send "200 OK" and only then an <Error> body for CompleteMultipartUpload.
  server_->control("/_control/fail?count=1&status=200&code=InternalError&method=POST&match=uploadId%3D");
  auto data = pattern(9 << 20, 7);
  store->put("late-error.bin", data);
  auto after = server_->stats();
  EXPECT_EQ(after["injected_failures"], before["injected_failures"].get<int>() + 1);
  EXPECT_EQ(after["completed_uploads"], before["completed_uploads"].get<int>() + 1);
  EXPECT_EQ(store->get("late-error.bin"), data);
}

TEST_F(S3StoreTest, FailedMultipartUploadLeavesNoPartialObject) {
  auto store = open();
  store->put("atomic.bin", bytes_of("previous version"));
  auto before = server_->stats();
  server_->control("/_control/fail?count=1000&status=500&code=InternalError&method=PUT&match=partNumber%3D2%26");
  auto message = error_of([&] { store->put("atomic.bin", pattern(12 << 20, 4)); });
  auto fresh = error_of([&] { store->put("fresh.bin", pattern(12 << 20, 5)); });
  server_->control("/_control/clear");

  EXPECT_THAT(message, HasSubstr(root() + "/atomic.bin (part 2): 500 InternalError"));
  EXPECT_THAT(fresh, HasSubstr(root() + "/fresh.bin (part 2): 500 InternalError"));
  auto after = server_->stats();
  EXPECT_EQ(after["aborted_uploads"], before["aborted_uploads"].get<int>() + 2);
  EXPECT_EQ(after["open_uploads"], 0);
  EXPECT_EQ(after["completed_uploads"], before["completed_uploads"]);
  EXPECT_EQ(store->get("atomic.bin"), bytes_of("previous version"));
  EXPECT_FALSE(store->exists("fresh.bin"));
  EXPECT_EQ(store->list("fresh").size(), 0u);
}

TEST_F(S3StoreTest, SessionTokensAreSentAndSigned) {
  auto store = open(options(kSessionKeys));
  store->put("token.txt", bytes_of("temporary credentials"));
  EXPECT_EQ(store->get("token.txt"), bytes_of("temporary credentials"));
  store->put("token-big.bin", pattern(9 << 20, 6));  // multipart: every request carries the token
  EXPECT_EQ(store->size("token-big.bin"), 9u << 20);

  auto without_token = kSessionKeys;
  without_token.session_token.clear();
  EXPECT_THAT(error_of([&] { open(options(without_token))->get("token.txt"); }),
              HasSubstr("403 InvalidToken"));
}

TEST_F(S3StoreTest, KeysWithSpacesUnicodeAndReservedCharacters) {
  auto store = open();
  std::vector<std::string> keys{"a b/c  d.txt", "ünï/日本語.bin", "q?x=1&y=2#frag+plus%20.dat", "dots/../and/./dots",
                                "tilde~_-.(parens)[br]'quote'\"dq\"<lt>&amp;"};
  for (auto& key : keys) store->put(key, bytes_of("value of " + key));
  for (auto& key : keys) {
    EXPECT_EQ(store->get(key), bytes_of("value of " + key)) << key;
    EXPECT_EQ(store->get_range(key, 0, 5), bytes_of("value")) << key;
  }
  std::vector<std::string> listed;
  for (auto& info : store->list("")) listed.push_back(info.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(listed, keys);
}

TEST_F(S3StoreTest, AnonymousAccessReadsPublicObjectsButCannotWrite) {
  open()->put("public.txt", bytes_of("open data"));
  auto o = options();
  o.credentials.reset();
  o.anonymous = true;
  auto anonymous = open(o);
  auto before = server_->stats();
  EXPECT_EQ(anonymous->get("public.txt"), bytes_of("open data"));
  EXPECT_EQ(server_->stats()["anonymous_requests"], before["anonymous_requests"].get<int>() + 1);
  EXPECT_THAT(error_of([&] { anonymous->put("x", bytes_of("y")); }),
              HasSubstr(root() + "/x: writing to S3 needs credentials but none were found"));
}

// Sets environment variables for one scope and restores them afterwards.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::string>& values) {
    for (auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (auto& [name, value] : saved_) {
      if (value) setenv(name.c_str(), value->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(S3StoreTest, OpenStoreDispatchesS3UrisUsingTheEnvironment) {
  ScopedEnv env({{"AWS_ENDPOINT_URL_S3", server_->endpoint()},
                 {"AWS_REGION", kRegion},
                 {"AWS_ACCESS_KEY_ID", kKeys.access_key_id},
                 {"AWS_SECRET_ACCESS_KEY", kKeys.secret_access_key},
                 {"AWS_SESSION_TOKEN", ""}});
  auto store = open_store(root());
  EXPECT_EQ(store->uri(), root());
  store->put("via-env.txt", bytes_of("environment"));
  EXPECT_EQ(store->get("via-env.txt"), bytes_of("environment"));
}

// --- pieces that need no server -------------------------------------------------------

TEST(S3StoreAddressing, VirtualHostedForAwsPathStyleOtherwise) {
  EXPECT_EQ(s3_bucket_url("my-bucket", "", "us-west-2"), "https://my-bucket.s3.us-west-2.amazonaws.com/");
  EXPECT_EQ(s3_bucket_url("my.dotted.bucket", "", "eu-west-1"), "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/");
  EXPECT_EQ(s3_bucket_url("b", "http://127.0.0.1:9000/", "us-east-1"), "http://127.0.0.1:9000/b/");
  EXPECT_EQ(s3_bucket_url("b", "minio.example.org", "us-east-1"), "https://minio.example.org/b/");
  EXPECT_THAT(error_of([] { open_s3_store("s3:///prefix"); }), HasSubstr("s3:///prefix: no bucket name"));
}

TEST(S3StoreAddressing, EncodesLikeSigV4) {
  EXPECT_EQ(s3::uri_encode("a b/ü+~_-.*", true), "a%20b/%C3%BC%2B~_-.%2A");
  EXPECT_EQ(s3::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(s3::canonical_query({{"uploadId", "x/y+z="}, {"partNumber", "2"}, {"uploads", ""}}),
            "partNumber=2&uploadId=x%2Fy%2Bz%3D&uploads=");
}

TEST(S3StoreAddressing, ReadsS3XmlShapes) {
  std::string xml = R"(<?xml version="1.0"?><ListBucketResult xmlns="x"><KeyCount>2</KeyCount>)"
                    R"(<Contents><Key>a&amp;b &lt;&#x65E5;&#26412;&gt;</Key><Size>3</Size></Contents>)"
                    R"(<Contents><Key><![CDATA[c<d>]]></Key><Size>4</Size><Owner><Key>not this</Key></Owner></Contents>)"
                    R"(<Prefix/><IsTruncated>true</IsTruncated><NextContinuationToken>t/+=</NextContinuationToken>)"
                    R"(</ListBucketResult>)";
  auto page = s3::parse_list_page(xml);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "a&b <日本>");
  EXPECT_EQ(page.objects[0].size, 3u);
  EXPECT_EQ(page.objects[1].key, "c<d>");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "t/+=");

  auto error = s3::parse_error(R"(<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>a &amp; b</Message></Error>)");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "SlowDown");
  EXPECT_EQ(error->message, "a & b");
  EXPECT_FALSE(s3::parse_error(""));
  EXPECT_FALSE(s3::parse_error("<ListBucketResult/>"));

  auto complete = s3::complete_upload_request({"\"e&t\"", "\"x\""});
  EXPECT_THAT(complete, HasSubstr("<Part><PartNumber>1</PartNumber><ETag>\"e&amp;t\"</ETag></Part>"));
  EXPECT_THAT(complete, HasSubstr("<PartNumber>2</PartNumber>"));
}

// A listing that is cut short or is not a listing at all is a transport fault (retried),
// never an empty or partial result.
TEST(S3StoreAddressing, MalformedListingsAreTransportFaults) {
  for (std::string bad : {std::string("HTTP/1.1 200 OK"), std::string("<ListBucketResult><Contents><Key>a</Key>"),
                          std::string("<Error><Code>x</Code></Error>"),
                          std::string("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
                          std::string("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents>"
                                      "<IsTruncated>false</IsTruncated></ListBucketResult>")})
    EXPECT_THROW(s3::parse_list_page(bad), s3::MalformedResponse) << bad;
}

// --- the credentials chain ------------------------------------------------------------

class S3StoreCredentials : public testing::Test {
 protected:
  s3::EnvLookup env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
  }
  void write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(home.path() / ".aws");
    std::ofstream(home.path() / ".aws" / name) << text;
  }
  test::TempDir home;
  std::map<std::string, std::string> vars{{"HOME", home.path().string()}, {"AWS_EC2_METADATA_DISABLED", "true"}};
};

TEST_F(S3StoreCredentials, ExplicitBeatsEnvironmentBeatsFiles) {
  write("credentials", "[default]\naws_access_key_id = FILEKEY0001\naws_secret_access_key = filesecret\n");
  vars["AWS_ACCESS_KEY_ID"] = "ENVKEY00001";
  vars["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  vars["AWS_SESSION_TOKEN"] = "envtoken";

  auto explicit_ = s3::resolve_credentials(s3::Credentials{"EXPLICITKEY1", "s", ""}, env());
  EXPECT_EQ(explicit_.credentials->access_key_id, "EXPLICITKEY1");
  EXPECT_EQ(explicit_.describe(), "explicit, access key …KEY1");

  auto from_env = s3::resolve_credentials(std::nullopt, env());
  EXPECT_EQ(from_env.source, "environment");
  EXPECT_EQ(from_env.credentials->secret_access_key, "envsecret");
  EXPECT_EQ(from_env.credentials->session_token, "envtoken");
  EXPECT_EQ(from_env.describe(), "environment, access key …0001 with a session token");

  vars.erase("AWS_ACCESS_KEY_ID");
  vars.erase("AWS_SECRET_ACCESS_KEY");
  auto from_file = s3::resolve_credentials(std::nullopt, env());
  EXPECT_EQ(from_file.credentials->access_key_id, "FILEKEY0001");
  EXPECT_EQ(from_file.credentials->session_token, "");
  EXPECT_THAT(from_file.source, HasSubstr(".aws/credentials [default]"));
}

TEST_F(S3StoreCredentials, ProfilesFromCredentialsAndConfigFiles) {
  write("credentials",
        "# comment\n[default]\naws_access_key_id=DEFAULTKEY\naws_secret_access_key=d\n\n"
        "[science]\naws_access_key_id = SCIENCEKEY1 \naws_secret_access_key\t=  sci/secret+=\n"
        "aws_session_token = tok\n");
  write("config",
        "[default]\nregion = eu-central-1\n[profile science]\nregion = us-west-2\ns3 =\n  region = nested-ignored\n"
        "[profile onlyconfig]\naws_access_key_id = CONFIGKEY01\naws_secret_access_key = c\n");
  vars["AWS_PROFILE"] = "science";
  auto science = s3::resolve_credentials(std::nullopt, env());
  EXPECT_EQ(science.credentials->access_key_id, "SCIENCEKEY1");
  EXPECT_EQ(science.credentials->secret_access_key, "sci/secret+=");
  EXPECT_EQ(science.credentials->session_token, "tok");
  EXPECT_EQ(s3::resolve_region(env()), "us-west-2");
  vars["AWS_REGION"] = "ap-south-1";
  EXPECT_EQ(s3::resolve_region(env()), "ap-south-1");
  vars.erase("AWS_REGION");

  vars["AWS_PROFILE"] = "onlyconfig";
  EXPECT_EQ(s3::resolve_credentials(std::nullopt, env()).credentials->access_key_id, "CONFIGKEY01");
  EXPECT_EQ(s3::resolve_region(env()), "us-east-1");

  vars.erase("AWS_PROFILE");
  EXPECT_EQ(s3::resolve_region(env()), "eu-central-1");

  vars["AWS_PROFILE"] = "absent";
  EXPECT_THROW(s3::resolve_credentials(std::nullopt, env()), Error);
}

TEST_F(S3StoreCredentials, FallsBackToAnonymousAndRejectsHalfSetEnvironment) {
  auto nothing = s3::resolve_credentials(std::nullopt, env());
  EXPECT_FALSE(nothing.credentials);
  EXPECT_THAT(nothing.describe(), HasSubstr("anonymous"));
  EXPECT_EQ(s3::resolve_region(env()), "us-east-1");
  EXPECT_EQ(s3::resolve_endpoint(env()), "");

  vars["AWS_ENDPOINT_URL"] = "http://generic";
  EXPECT_EQ(s3::resolve_endpoint(env()), "http://generic");
  vars["AWS_ENDPOINT_URL_S3"] = "http://s3-specific";
  EXPECT_EQ(s3::resolve_endpoint(env()), "http://s3-specific");

  vars["AWS_ACCESS_KEY_ID"] = "ONLYTHEKEY";
  try {
    s3::resolve_credentials(std::nullopt, env());
    ADD_FAILURE() << "a key id without a secret must be an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  }
  vars["AWS_NO_SIGN_REQUEST"] = "YES";
  EXPECT_FALSE(s3::resolve_credentials(std::nullopt, env()).credentials);
}

}  // namespace
}  // namespace granary::io
