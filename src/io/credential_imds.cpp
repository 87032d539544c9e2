// EC2 instance metadata credentials, IMDSv2 only: a session token from PUT /latest/api/token,
// then the role name and the role's keys with that token. (IMDSv1, without a token, is
// off on new instances and not worth a second code path.)
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "io/credential_sources.hpp"
#include "io/http_client.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::io::s3 {
namespace {

constexpr const char* kRolePath = "/latest/meta-data/iam/security-credentials/";

// No metadata service here (or no role on the instance): no credentials, not an error.
class Unavailable : public Error {
 public:
  using Error::Error;
};

HttpOptions probe_options() {
  HttpOptions o;
  o.connect_timeout_seconds = 1;  // a laptop has no 169.254.169.254: give up fast
  o.timeout_seconds = 2;
  o.retry.max_attempts = 2;
  o.retry.initial_backoff = std::chrono::milliseconds(100);
  o.follow_redirects = false;
  o.warn_on_retry = false;
  return o;
}

ExpiringCredentials fetch(const std::string& source, const std::string& endpoint) {
  HttpClient http(probe_options());  // a handle for this fetch only
  HttpResponse token;
  try {
    token = http.request("PUT", endpoint + "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}});
  } catch (const Error& e) {
    throw Unavailable(fmt::format("{}: no metadata service ({})", source, e.what()));
  }
  if (token.status == 404 || token.status == 405)
    throw Unavailable(fmt::format("{}: HTTP {} for a session token: not an IMDSv2 metadata service", source, token.status));
  if (token.status != 200 || token.body.empty())
    fail("{}: HTTP {} for a session token (PUT /latest/api/token)", source, token.status);
  const HttpHeaders with_token{{"X-aws-ec2-metadata-token", token.body}};
  auto roles = http.get(endpoint + kRolePath, with_token);
  if (roles.status == 404) throw Unavailable(fmt::format("{}: the instance has no IAM role", source));
  if (roles.status == 401) fail("{}: HTTP 401: the metadata service refused its own session token", source);
  if (roles.status != 200) fail("{}: HTTP {} listing the instance's role", source, roles.status);
  std::string role = roles.body.substr(0, roles.body.find('\n'));
  role.erase(std::remove_if(role.begin(), role.end(), [](unsigned char c) { return std::isspace(c); }), role.end());
  if (role.empty()) throw Unavailable(fmt::format("{}: the instance has no IAM role", source));
  auto keys = http.get(endpoint + kRolePath + role, with_token);
  if (keys.status != 200) fail("{}: HTTP {} for the keys of role {}", source, keys.status, role);
  nlohmann::json j;
  require_json_depth(keys.body, source);
  try {
    j = nlohmann::json::parse(keys.body);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the keys of role {} are not JSON ({})", source, role, json_error_detail(e));
  }
  if (auto code = json_text(j, "Code"); !code.empty() && code != "Success")
    fail("{}: role {}: the metadata service answered Code \"{}\"", source, role, code);
  return credentials_from_json(j, {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}, source);
}

// Anonymous until the first fetch finds a metadata service; after that a refreshing provider.
class ImdsProvider final : public CredentialProvider {
 public:
  explicit ImdsProvider(std::string endpoint)
      : source_("instance metadata (IMDSv2 at " + endpoint + ")"),
        keys_(source_, [source = source_, endpoint] { return fetch(source, endpoint); }) {}

  std::optional<Credentials> current() override {
    {
      std::lock_guard lock(mutex_);
      if (absent_) return std::nullopt;
    }
    try {
      return keys_.current();
    } catch (const Unavailable& e) {
      std::lock_guard lock(mutex_);
      if (keys_.fetches() > 0) throw;  // it was there before: a real failure
      spdlog::debug("{}; requests go unsigned", e.what());
      absent_ = true;
      return std::nullopt;
    }
  }
  std::string source() const override { return is_absent() ? kAnonymous : source_; }
  std::string describe() const override { return is_absent() ? kAnonymous : keys_.describe(); }

 private:
  static constexpr const char* kAnonymous =
      "anonymous (no credentials: none explicit, none in the environment, none in ~/.aws, no container or "
      "instance credentials)";
  bool is_absent() const {
    std::lock_guard lock(mutex_);
    return absent_;
  }
  std::string source_;
  RefreshingProvider keys_;
  mutable std::mutex mutex_;
  bool absent_ = false;
};

bool is_true(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string v = *value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true" || v == "1" || v == "yes";
}

}  // namespace

std::shared_ptr<CredentialProvider> imds_provider(const EnvLookup& env) {
  if (is_true(env("AWS_EC2_METADATA_DISABLED"))) return nullptr;
  std::string endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return shared_provider("imds " + endpoint, [&] { return std::make_shared<ImdsProvider>(endpoint); });
}

}  // namespace granary::io::s3
