// The credential sources and the chain, against loopback stand-ins for the container
// endpoint, IMDSv2, NSIDC + Earthdata Login (tests/support/credential_server.py) and the
// strict S3 server. No test reaches a 169.254.x address.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "io/credential_provider.hpp"
#include "io/credential_sources.hpp"
#include "io/credentials.hpp"
#include "io/s3_store.hpp"
#include "support/credential_test_server.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"

namespace granary::io {
namespace {

using s3::Credentials;
using testing::HasSubstr;
using testing::Not;

const Credentials kFirst{"ASIAFIRSTKEY0001", "first-secret-value", "first-session-token"};
const Credentials kSecond{"ASIASECONDKEY002", "second-secret-value", "second-session-token"};

// A lifetime just above the 5-minute refresh margin: the keys are fresh for about 1.5 s.
constexpr double kShortLifetime = 300 + 2.5;
void wait_past_refresh_margin() { std::this_thread::sleep_for(std::chrono::milliseconds(3200)); }

class Credentials_ : public testing::Test {
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

std::unique_ptr<test::CredentialTestServer> start(double lifetime = 3600) {
  return std::make_unique<test::CredentialTestServer>(
      test::CredentialServerOptions{.keys = {kFirst, kSecond}, .lifetime_seconds = lifetime});
}

// --- container credentials (AWS Batch, ECS, Fargate) --------------------------------------

TEST_F(Credentials_, ContainerCredentialsSendTheTokenAndRefreshBeforeExpiry) {
  auto server = start(kShortLifetime);
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server->container_uri();
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-token";
  auto provider = s3::credential_chain(std::nullopt, env());
  EXPECT_EQ(provider->source(), "container credentials (" + server->container_uri() + ")");
  EXPECT_EQ(provider->current()->secret_access_key, kFirst.secret_access_key);
  EXPECT_EQ(provider->current()->session_token, kFirst.session_token);  // cached
  EXPECT_EQ(server->stats()["fetches"]["container"], 1);
  EXPECT_THAT(provider->describe(), HasSubstr("access key …0001 with a session token"));
  wait_past_refresh_margin();
  EXPECT_EQ(provider->current()->access_key_id, kSecond.access_key_id);
  EXPECT_EQ(server->stats()["fetches"]["container"], 2);
}

TEST_F(Credentials_, ContainerTokenFileIsReadAndAWrongTokenIsNamed) {
  auto server = start();
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server->container_uri();
  std::ofstream(home.path() / "token") << "container-token\n";
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = (home.path() / "token").string();
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-a-file-is-given";
  EXPECT_EQ(s3::credential_chain(std::nullopt, env())->current()->access_key_id, kFirst.access_key_id);

  vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong-container-token";
  auto message = test::error_of([&] { s3::credential_chain(std::nullopt, env())->current(); });
  EXPECT_THAT(message, HasSubstr("container credentials (" + server->container_uri() +
                                 "): HTTP 401: the authorization token was refused"));
  EXPECT_THAT(message, Not(HasSubstr("wrong-container-token")));
}

TEST_F(Credentials_, ContainerFullUriMustBeHttpsOrLoopback) {
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://credentials.example.org/creds";
  EXPECT_THAT(test::error_of([&] { s3::credential_chain(std::nullopt, env()); }),
              HasSubstr("must be https, or http to a loopback address or the container agent"));
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "https://credentials.example.org/creds";
  EXPECT_NO_THROW(s3::credential_chain(std::nullopt, env()));  // nothing is fetched yet
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://localhost:9/creds";
  EXPECT_NO_THROW(s3::credential_chain(std::nullopt, env()));
}

// --- EC2 instance metadata (IMDSv2) --------------------------------------------------------

TEST_F(Credentials_, InstanceMetadataUsesASessionTokenAndRefreshes) {
  auto server = start(kShortLifetime);
  vars.erase("AWS_EC2_METADATA_DISABLED");
  vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server->imds_endpoint();
  auto provider = s3::credential_chain(std::nullopt, env());
  EXPECT_EQ(*provider->current(), kFirst);
  EXPECT_EQ(provider->source(), "instance metadata (IMDSv2 at " + server->imds_endpoint() + ")");
  auto stats = server->stats();
  EXPECT_EQ(stats["imds_tokens"], 1);
  EXPECT_EQ(stats["refused"], 0);  // every metadata GET carried the session token
  wait_past_refresh_margin();
  EXPECT_EQ(*provider->current(), kSecond);
  EXPECT_EQ(server->stats()["fetches"]["imds"], 2);

  // Without the session token the server refuses (as IMDSv2 does).
  HttpClient http;
  EXPECT_EQ(http.get(server->imds_endpoint() + "/latest/meta-data/iam/security-credentials/").status, 401);
}

TEST_F(Credentials_, NoInstanceMetadataMeansAnonymousQuickly) {
  vars.erase("AWS_EC2_METADATA_DISABLED");
  vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9";  // nothing listens (discard port)
  const auto t0 = std::chrono::steady_clock::now();
  auto provider = s3::credential_chain(std::nullopt, env());
  EXPECT_FALSE(provider->current());
  EXPECT_FALSE(provider->current());  // asked once only
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_THAT(provider->describe(), HasSubstr("anonymous"));

  vars["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_THAT(s3::credential_chain(std::nullopt, env())->source(), HasSubstr("instance metadata disabled"));
}

// --- credential_process ----------------------------------------------------------------------

// A credential_process that prints `first` on its first run and `second` afterwards, with
// an Expiration `lifetime` seconds ahead.
std::string write_process_script(const std::filesystem::path& dir, double lifetime, int exit_code = 0) {
  auto script = dir / "print keys.py";  // a space: the command line must quote it
  std::ofstream(script) << "import datetime, json, os, sys\n"
                        << "count = os.path.join(os.path.dirname(sys.argv[0]), 'runs')\n"
                        << "n = int(open(count).read()) if os.path.exists(count) else 0\n"
                        << "open(count, 'w').write(str(n + 1))\n"
                        << "if " << exit_code << ":\n"
                        << "    sys.stderr.write('the SSO session has expired; run aws sso login\\n')\n"
                        << "    sys.exit(" << exit_code << ")\n"
                        << "keys = [sys.argv[1:4], sys.argv[4:7]][min(n, 1)]\n"
                        << "t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=" << lifetime
                        << ")\n"
                        << "print(json.dumps({'Version': 1, 'AccessKeyId': keys[0], 'SecretAccessKey': keys[1],\n"
                        << "                  'SessionToken': keys[2], 'Expiration': t.strftime('%Y-%m-%dT%H:%M:%SZ')}))\n";
  std::string command = "/usr/bin/python3 '" + script.string() + "'";
  for (const auto& k : {kFirst, kSecond})
    command += " " + k.access_key_id + " \"" + k.secret_access_key + "\" " + k.session_token;
  return command;
}

TEST_F(Credentials_, CredentialProcessRunsTheCommandAndRefreshes) {
  write("config", "[profile sso]\nregion = us-west-2\ncredential_process = " +
                      write_process_script(home.path(), kShortLifetime) + "\n");
  vars["AWS_PROFILE"] = "sso";
  auto provider = s3::credential_chain(std::nullopt, env());
  EXPECT_THAT(provider->source(), HasSubstr("credential_process of "));
  EXPECT_THAT(provider->source(), HasSubstr("[profile sso]"));
  EXPECT_EQ(*provider->current(), kFirst);
  EXPECT_EQ(*provider->current(), kFirst);
  wait_past_refresh_margin();
  EXPECT_EQ(*provider->current(), kSecond);
}

TEST_F(Credentials_, CredentialProcessFailureNamesProfileStatusAndStderr) {
  write("config", "[profile broken]\ncredential_process = " + write_process_script(home.path(), 3600, 3) + "\n");
  vars["AWS_PROFILE"] = "broken";
  auto message = test::error_of([&] { s3::credential_chain(std::nullopt, env())->current(); });
  EXPECT_THAT(message, HasSubstr("[profile broken]"));
  EXPECT_THAT(message, HasSubstr("exited with status 3: the SSO session has expired; run aws sso login"));
  EXPECT_THAT(message, Not(HasSubstr(kFirst.secret_access_key)));  // the command's arguments stay out

  write("config", "[profile nojson]\ncredential_process = /bin/echo " + kFirst.secret_access_key + "\n");
  vars["AWS_PROFILE"] = "nojson";
  message = test::error_of([&] { s3::credential_chain(std::nullopt, env())->current(); });
  EXPECT_THAT(message, HasSubstr("printed something other than JSON"));
  EXPECT_THAT(message, Not(HasSubstr(kFirst.secret_access_key)));
}

TEST(CredentialProcess, SplitsLikeAPosixShell) {
  EXPECT_EQ(s3::split_command(R"(aws-sso  'a b' "c \"d\" $e" f\ g '')"),
            (std::vector<std::string>{"aws-sso", "a b", "c \"d\" $e", "f g", ""}));
  EXPECT_THAT(test::error_of([] { s3::split_command("tool 'open"); }), HasSubstr("unterminated single quote"));
}

// --- NASA Earthdata ----------------------------------------------------------------------------

TEST_F(Credentials_, EarthdataWithABearerToken) {
  auto server = start(kShortLifetime);
  vars["EARTHDATA_TOKEN"] = "earthdata-token";
  auto options = s3::earthdata_options(env(), server->earthdata_url());
  auto provider = s3::earthdata_provider(options);
  EXPECT_EQ(*provider->current(), kFirst);
  EXPECT_EQ(server->stats()["bearer_to_login_host"], 0);
  // NSIDC's keys last an hour; granary refreshes them 15 minutes ahead (they are handed to
  // workers), so these 5-minute keys are refetched at every use.
  EXPECT_EQ(*provider->current(), kSecond);

  vars["EARTHDATA_TOKEN"] = "not-the-earthdata-token";
  auto message = test::error_of([&] { s3::earthdata_provider(s3::earthdata_options(env(), server->earthdata_url()))->current(); });
  EXPECT_THAT(message, HasSubstr("NASA Earthdata S3 credentials (" + server->earthdata_url() +
                                 "): HTTP 401: the Earthdata token (EARTHDATA_TOKEN) was refused"));
  EXPECT_THAT(message, Not(HasSubstr("not-the-earthdata-token")));
}

TEST_F(Credentials_, EarthdataWithANetrcLoginFollowsTheOAuthRedirects) {
  auto server = start();
  std::ofstream(home.path() / ".netrc") << "machine " << server->login_host() << "\n  login user\n  password password\n";
  vars["GRANARY_EARTHDATA_LOGIN_HOST"] = server->login_host();
  vars["GRANARY_EARTHDATA_S3CREDENTIALS_URL"] = server->earthdata_url();
  auto options = s3::earthdata_options(env());
  EXPECT_EQ(options.url, server->earthdata_url());
  EXPECT_EQ(options.netrc_file, (home.path() / ".netrc").string());
  EXPECT_EQ(*s3::earthdata_provider(options)->current(), kFirst);
  auto stats = server->stats();
  EXPECT_EQ(stats["logins"], 1);
  EXPECT_EQ(stats["basic_auth_to_data_host"], 0);  // the password went to the login host only

  std::ofstream(home.path() / ".netrc") << "machine " << server->login_host() << " login user password wrong\n";
  auto message = test::error_of([&] { s3::earthdata_provider(options)->current(); });
  EXPECT_THAT(message, HasSubstr("HTTP 401: the Earthdata login for 127.0.0.1 in " + options.netrc_file + " was refused"));
  EXPECT_THAT(message, Not(HasSubstr("wrong")));

  std::ofstream(home.path() / ".netrc") << "machine elsewhere.example.org login user password password\n";
  EXPECT_THAT(test::error_of([&] { s3::earthdata_provider(options)->current(); }),
              HasSubstr("no Earthdata login: set EARTHDATA_TOKEN, or add \"machine 127.0.0.1 login USER password "
                        "PASSWORD\" to " + options.netrc_file));
}

TEST(CredentialExpiration, ParsesTheFormatsTheSourcesUse) {
  using namespace std::chrono;
  const auto t = s3::Clock::from_time_t(1704110400);  // 2024-01-01 12:00:00 UTC
  EXPECT_EQ(s3::parse_expiration("2024-01-01T12:00:00Z", "x"), t);
  EXPECT_EQ(s3::parse_expiration("2024-01-01T12:00:00.123Z", "x"), t);
  EXPECT_EQ(s3::parse_expiration("2024-01-01 12:00:00+00:00", "x"), t);
  EXPECT_EQ(s3::parse_expiration("2024-01-01T14:30:00+02:30", "x"), t);
  EXPECT_THAT(test::error_of([] { s3::parse_expiration("2024-01-01T12:00:00", "src"); }),
              HasSubstr("src: expiration \"2024-01-01T12:00:00\" has no time zone"));
  EXPECT_THAT(test::error_of([] { s3::parse_expiration("tomorrow", "src"); }), HasSubstr("is not an ISO 8601 time"));
}

// --- the chain ------------------------------------------------------------------------------

TEST_F(Credentials_, ChainOrder) {
  auto server = start();
  // Every source configured at once; peeled off one by one.
  vars["AWS_ACCESS_KEY_ID"] = "ENVIRONMENTKEY01";
  vars["AWS_SECRET_ACCESS_KEY"] = "environment-secret";
  write("credentials", "[default]\naws_access_key_id = PROFILESTATIC01\naws_secret_access_key = s\n");
  write("config", "[default]\ncredential_process = " + write_process_script(home.path(), 3600) + "\n");
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server->container_uri();
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-token";
  vars.erase("AWS_EC2_METADATA_DISABLED");
  vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server->imds_endpoint();
  auto source = [&] { return s3::credential_chain(std::nullopt, env())->source(); };

  EXPECT_EQ(s3::credential_chain(Credentials{"EXPLICITKEY01", "x", ""}, env())->source(), "explicit");
  vars["AWS_NO_SIGN_REQUEST"] = "true";
  EXPECT_EQ(source(), "anonymous (AWS_NO_SIGN_REQUEST)");
  vars.erase("AWS_NO_SIGN_REQUEST");
  EXPECT_EQ(source(), "environment");
  vars.erase("AWS_ACCESS_KEY_ID");
  vars.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_THAT(source(), HasSubstr(".aws/credentials [default]"));
  write("credentials", "");
  EXPECT_THAT(source(), HasSubstr("credential_process of"));
  write("config", "[default]\nregion = us-west-2\n");
  EXPECT_THAT(source(), HasSubstr("container credentials"));
  vars.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  EXPECT_THAT(source(), HasSubstr("instance metadata (IMDSv2 at"));
  vars["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_THAT(source(), HasSubstr("anonymous (no credentials"));
  EXPECT_EQ(server->stats()["fetches"]["container"], 0);  // choosing a source fetches nothing
}

// --- S3 requests signed with refreshed keys --------------------------------------------------

// Sets (or, for "", unsets) environment variables for one scope.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::string>& values) {
    for (auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      if (value.empty()) unsetenv(name.c_str());
      else setenv(name.c_str(), value.c_str(), 1);
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

TEST_F(Credentials_, S3RequestsAreSignedWithRefreshedKeys) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << "/usr/bin/python3 not available";
  // The S3 server accepts only the two sets of temporary keys (session tokens included).
  test::S3TestServer s3server({.buckets = {"bucket"}, .credentials = {kFirst, kSecond}});
  auto creds = start(kShortLifetime);
  ScopedEnv scope({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", creds->container_uri()},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token"},
                   {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", ""},
                   {"AWS_ACCESS_KEY_ID", ""},
                   {"AWS_SECRET_ACCESS_KEY", ""},
                   {"AWS_SESSION_TOKEN", ""},
                   {"AWS_PROFILE", ""},
                   {"AWS_NO_SIGN_REQUEST", ""},
                   {"HOME", home.path().string()}});
  S3Options options;
  options.endpoint = s3server.endpoint();
  options.region = s3server.region();
  auto store = open_s3_store("s3://bucket/run", options);
  const std::vector<std::byte> bytes(100, std::byte{7});
  store->put("a", bytes);
  EXPECT_EQ(store->get("a"), bytes);
  EXPECT_EQ(creds->stats()["fetches"]["container"], 1);
  wait_past_refresh_margin();  // the same store, as in a run longer than the keys' lifetime
  store->put("b", bytes);
  EXPECT_EQ(store->get("b"), bytes);
  EXPECT_EQ(creds->stats()["fetches"]["container"], 2);
  EXPECT_EQ(s3server.stats()["anonymous_requests"], 0);
}

}  // namespace
}  // namespace granary::io
