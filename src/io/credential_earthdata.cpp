// NASA Earthdata's temporary S3 keys (for one DAAC's bucket, e.g. NSIDC's in us-west-2).
// The endpoint takes an Earthdata bearer token, or else redirects to the Earthdata Login
// (URS) OAuth host, which wants the user's login (basic auth, from ~/.netrc) and redirects
// back with a session cookie: curl follows the redirects with its cookie engine and sends
// the netrc login only to the host the netrc names (`curl -n -L -c - -b -` in NASA's docs).
// A bearer token, a custom header, is not sent on to another host either.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/credential_sources.hpp"
#include "io/http_client.hpp"
#include "util/error.hpp"

namespace granary::io::s3 {
namespace {

// Whether a netrc file has a "machine HOST" entry (the login itself is curl's business).
bool netrc_has_machine(const std::string& path, const std::string& host) {
  std::ifstream in(path);
  std::string word;
  while (in >> word)
    if (word == "machine" && in >> word && word == host) return true;
  return false;
}

ExpiringCredentials fetch(const std::string& source, const EarthdataOptions& o) {
  HttpOptions options;
  options.connect_timeout_seconds = 10;
  options.timeout_seconds = 60;
  options.max_attempts = 4;
  options.cookies = true;
  HttpHeaders headers;
  const bool with_token = !o.token.empty();
  if (with_token) {
    headers.emplace_back("Authorization", "Bearer " + o.token);
  } else {
    if (o.netrc_file.empty() || !netrc_has_machine(o.netrc_file, o.login_host))
      fail("{}: no Earthdata login: set EARTHDATA_TOKEN, or add \"machine {} login USER password PASSWORD\" to {}",
           source, o.login_host, o.netrc_file.empty() ? std::string("~/.netrc") : o.netrc_file);
    options.netrc_file = o.netrc_file;
  }
  HttpClient http(options);  // a handle (and cookie store) for this fetch only
  HttpResponse response;
  try {
    response = http.get(o.url, headers);
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  }
  const std::string how = with_token ? "the Earthdata token (EARTHDATA_TOKEN)"
                                     : fmt::format("the Earthdata login for {} in {}", o.login_host, o.netrc_file);
  if (response.status == 401 || response.status == 403)
    fail("{}: HTTP {}: {} was refused", source, response.status, how);
  if (response.status != 200) fail("{}: HTTP {} (with {})", source, response.status, how);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::parse_error& e) {
    // An HTML page here is usually Earthdata Login asking for a login it did not get.
    fail("{}: the answer is not JSON (syntax error at byte {}): is {} right, and has the account authorised "
         "the DAAC's application?",
         source, e.byte, how);
  }
  auto text = [&](const char* name) {
    return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
  };
  ExpiringCredentials out{{text("accessKeyId"), text("secretAccessKey"), text("sessionToken")}, std::nullopt};
  if (auto expiration = text("expiration"); !expiration.empty()) out.expiration = parse_expiration(expiration, source);
  return out;
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
