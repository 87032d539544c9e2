// NASA Earthdata's temporary S3 keys (for one DAAC's bucket, e.g. NSIDC's in us-west-2).
// The endpoint takes an Earthdata bearer token, or else redirects to the Earthdata Login
// (URS) OAuth host, which wants the user's login (basic auth, from ~/.netrc) and redirects
// back with a session cookie. We follow the redirects ourselves, with libcurl's cookie
// engine, so that the password goes to the login host only and the token to the endpoint's
// host only (libcurl 7.88's netrc support sends the login on to the host redirected back to).
#include <curl/curl.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "io/credential_sources.hpp"
#include "io/http_client.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::io::s3 {
namespace {

constexpr int kMaxRedirects = 10;

struct Login {
  std::string user, password;
};

// The login for `host` in a netrc file (machine/login/password tokens; a "default" entry
// applies to any host; macdef bodies are skipped).
std::optional<Login> netrc_login(const std::string& path, const std::string& host) {
  std::ifstream in(path);
  std::optional<Login> found, fallback;
  std::optional<Login>* entry = nullptr;
  std::string word;
  while (in >> word) {
    if (word == "machine") {
      std::string name;
      in >> name;
      entry = name == host && !found ? &found : nullptr;
      if (entry) entry->emplace();
    } else if (word == "default") {
      entry = !fallback ? &fallback : nullptr;
      if (entry) entry->emplace();
    } else if ((word == "login" || word == "password" || word == "account") && in >> std::ws) {
      std::string value;
      in >> value;
      if (entry && word == "login") (*entry)->user = value;
      if (entry && word == "password") (*entry)->password = value;
    } else if (word == "macdef") {
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line) && !line.empty()) {
      }
      entry = nullptr;
    }
  }
  if (found) return found;
  return fallback;
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The host of a URL, and the URL without its query (which may hold an OAuth code) for messages.
struct UrlParts {
  std::string host, shown;
};
UrlParts parts_of(const std::string& url) {
  UrlParts p;
  CURLU* u = curl_url();
  char *host = nullptr, *scheme = nullptr, *path = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
    p.host = host;
    p.shown = std::string(scheme) + "://" + host + path;
  } else {
    p.shown = url.substr(0, url.find('?'));
  }
  curl_free(host);
  curl_free(scheme);
  curl_free(path);
  curl_url_cleanup(u);
  return p;
}

ExpiringCredentials fetch(const std::string& source, const EarthdataOptions& o) {
  const bool with_token = !o.token.empty();
  std::optional<Login> login;
  if (!with_token) {
    if (!o.netrc_file.empty()) login = netrc_login(o.netrc_file, o.login_host);
    if (!login || login->user.empty())
      fail("{}: no Earthdata login: set EARTHDATA_TOKEN, or add \"machine {} login USER password PASSWORD\" to {}",
           source, o.login_host, o.netrc_file.empty() ? std::string("~/.netrc") : o.netrc_file);
  }
  HttpOptions options;
  options.connect_timeout_seconds = 10;
  options.timeout_seconds = 60;
  options.retry.max_attempts = 4;
  options.follow_redirects = false;
  options.cookies = true;
  HttpClient http(options);  // a handle (and cookie store) for this fetch only
  const std::string endpoint_host = parts_of(o.url).host;
  std::string url = o.url;
  HttpResponse response;
  for (int hop = 0;; ++hop) {
    const auto where = parts_of(url);
    HttpHeaders headers;
    if (with_token && where.host == endpoint_host) headers.emplace_back("Authorization", "Bearer " + o.token);
    if (login && where.host == o.login_host)
      headers.emplace_back("Authorization", "Basic " + base64(login->user + ":" + login->password));
    try {
      response = http.get(url, headers);
    } catch (const Error& e) {
      std::string message = e.what();
      if (message.rfind(url, 0) == 0) message = where.shown + message.substr(url.size());
      fail("{}: {}", source, message);
    }
    if (response.status < 300 || response.status >= 400 || response.redirect_url.empty()) break;
    if (hop == kMaxRedirects) fail("{}: more than {} redirects", source, kMaxRedirects);
    url = response.redirect_url;
  }
  const std::string how = with_token ? "the Earthdata token (EARTHDATA_TOKEN)"
                                     : fmt::format("the Earthdata login for {} in {}", o.login_host, o.netrc_file);
  if (response.status == 401 || response.status == 403)
    fail("{}: HTTP {}: {} was refused", source, response.status, how);
  if (response.status != 200) fail("{}: HTTP {} (with {})", source, response.status, how);
  nlohmann::json j;
  require_json_depth(response.body, source);
  try {
    j = nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::exception& e) {
    // An HTML page here is usually Earthdata Login asking for a login it did not get.
    fail("{}: the answer is not JSON ({}): is {} right, and has the account authorised "
         "the DAAC's application?",
         source, json_error_detail(e), how);
  }
  return credentials_from_json(j, {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}, source);
}

}  // namespace

EarthdataOptions earthdata_options(const EnvLookup& env, const std::string& url_override) {
  EarthdataOptions o;
  if (!url_override.empty()) o.url = url_override;
  else if (auto url = env("GRANARY_EARTHDATA_S3CREDENTIALS_URL")) o.url = *url;
  o.token = env("EARTHDATA_TOKEN").value_or("");
  if (auto netrc = env("NETRC")) o.netrc_file = *netrc;
  else if (auto home = env("HOME")) o.netrc_file = (std::filesystem::path(*home) / ".netrc").string();
  if (auto host = env("GRANARY_EARTHDATA_LOGIN_HOST")) o.login_host = *host;
  return o;
}

std::shared_ptr<CredentialProvider> earthdata_provider(const EarthdataOptions& options) {
  const std::string source = fmt::format("NASA Earthdata S3 credentials ({})", options.url);
  return std::make_shared<RefreshingProvider>(
      source, [=] { return fetch(source, options); }, kEarthdataRefreshBefore);
}

}  // namespace granary::io::s3
