#pragma once
// A small HTTP client (libcurl) for web APIs such as NASA CMR and credential endpoints:
// timeouts, and retries under io/retry_policy (the same rules as S3's: transport faults,
// 429/500/502/503/504, full-jitter backoff or the server's Retry-After). Other statuses come
// back to the caller, who knows what a 400 or 404 means for its API. A client owns one curl handle: make one per fetch in code that may
// run in a forked worker.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/retry_policy.hpp"

namespace granary::io {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;
  int attempts = 0;  // requests made, retries included
  std::string redirect_url;  // a 3xx's Location, absolute (when redirects are not followed)
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpOptions {
  long connect_timeout_seconds = 30;
  long timeout_seconds = 300;  // whole request
  // Web APIs are slower to recover than S3: a longer first wait and cap than RetryPolicy's.
  RetryPolicy retry{.max_attempts = 6, .initial_backoff = std::chrono::seconds(1), .max_backoff = std::chrono::seconds(60)};
  std::string user_agent = "granary";
  bool follow_redirects = true;
  bool warn_on_retry = true;  // false: retries are logged at debug (probes such as IMDS)
  // Keep cookies across the redirects of one request and between the requests of this
  // client (in memory only), as OAuth-style login redirects need.
  bool cookies = false;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `url`. Returns the response of the first attempt that is neither a transport fault
  // nor retryable (io::retryable_status), or the last retryable one once the attempts are
  // used up. Throws io::TransportError (an UnavailableError) "<url>: request failed after N
  // attempt(s): ..." when the last attempt failed to connect or transfer.
  HttpResponse get(const std::string& url, const HttpHeaders& headers = {});
  // Any method (GET, PUT, POST, ...) with an optional body; otherwise as get().
  HttpResponse request(const std::string& method, const std::string& url, const HttpHeaders& headers = {},
                       const std::string& body = {});

 private:
  // One attempt: fills `response`, or throws TransportError when none arrived.
  void perform(void* curl, const std::string& method, const std::string& url, void* header_list,
               const std::string& body, HttpResponse& response);

  HttpOptions options_;
  void* curl_;  // CURL*, reused so connections are kept alive between pages
  int owner_;   // the process that made curl_ (a forked child makes its own)
};

// Percent-encodes a query-string component (RFC 3986 unreserved characters stay).
std::string url_encode(const std::string& text);

}  // namespace granary::io
