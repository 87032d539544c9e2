// Container credentials, as AWS Batch, ECS, Fargate and EKS pod identity hand them out.
#include <curl/curl.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/credential_sources.hpp"
#include "io/http_client.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::io::s3 {
namespace {

constexpr const char* kEcsHost = "http://169.254.170.2";

// The hosts an http:// FULL_URI may name (the AWS SDKs' list): loopback and the
// ECS/EKS container agents. Anything else must be https.
bool allowed_http_host(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" || host == "::1" ||
      host == "[::1]" || host == "fd00:ec2::23" || host == "[fd00:ec2::23]")
    return true;
  return host.rfind("127.", 0) == 0;
}

void check_full_uri(const std::string& uri) {
  CURLU* url = curl_url();
  char* scheme = nullptr;
  char* host = nullptr;
  const bool parsed = curl_url_set(url, CURLUPART_URL, uri.c_str(), 0) == CURLUE_OK &&
                      curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                      curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK;
  const std::string s = scheme ? scheme : "", h = host ? host : "";
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(url);
  if (!parsed) fail("AWS_CONTAINER_CREDENTIALS_FULL_URI \"{}\" is not a URL", uri);
  if (s == "https") return;
  if (s == "http" && allowed_http_host(h)) return;
  fail("AWS_CONTAINER_CREDENTIALS_FULL_URI \"{}\": must be https, or http to a loopback address or the "
       "container agent (169.254.170.2, 169.254.170.23), as the AWS SDKs require",
       uri);
}

std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {}: cannot read it", path);
  std::stringstream text;
  text << in.rdbuf();
  auto token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

ExpiringCredentials fetch(const std::string& source, const std::string& url, const std::string& token,
                          const std::string& token_file) {
  HttpHeaders headers;
  // The token file is read for every fetch: the agent rotates it.
  const std::string authorization = !token_file.empty() ? read_token_file(token_file) : token;
  if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
  HttpOptions options;
  options.connect_timeout_seconds = 2;
  options.timeout_seconds = 5;
  options.retry.max_attempts = 3;
  options.retry.initial_backoff = std::chrono::milliseconds(200);
  options.follow_redirects = false;
  HttpClient http(options);  // a handle for this fetch only
  HttpResponse response;
  try {
    response = http.get(url, headers);
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  }
  if (response.status == 401 || response.status == 403)
    fail("{}: HTTP {}: the authorization token was refused (AWS_CONTAINER_AUTHORIZATION_TOKEN{})", source,
         response.status, token_file.empty() ? "" : "_FILE");
  if (response.status != 200) fail("{}: HTTP {}", source, response.status);
  nlohmann::json j;
  require_json_depth(response.body, source);
  try {
    j = nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the answer is not JSON ({})", source, json_error_detail(e));
  }
  return credentials_from_json(j, {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}, source);
}

}  // namespace

std::shared_ptr<CredentialProvider> container_provider(const EnvLookup& env) {
  std::string url;
  if (auto relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); relative && !relative->empty()) {
    url = kEcsHost + (relative->front() == '/' ? *relative : "/" + *relative);
  } else if (auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    check_full_uri(*full);
    url = *full;
  } else {
    return nullptr;
  }
  const auto token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  const auto token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
  const std::string source = fmt::format("container credentials ({})", url);
  return shared_provider("container " + url + "\n" + token_file + "\n" + token, [&] {
    return std::make_shared<RefreshingProvider>(source, [=] { return fetch(source, url, token, token_file); });
  });
}

}  // namespace granary::io::s3
