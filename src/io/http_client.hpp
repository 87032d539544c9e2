#pragma once
// A small HTTP GET client (libcurl) for web APIs such as NASA CMR: timeouts, and retries
// with exponential backoff (honouring Retry-After) on connection errors, 429 and 5xx.
// Other statuses come back to the caller, who knows what a 400 or 404 means for its API.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace granary::io {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;
  int attempts = 0;  // requests made, retries included
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpOptions {
  long connect_timeout_seconds = 30;
  long timeout_seconds = 300;  // whole request
  int max_attempts = 6;
  double first_backoff_seconds = 1.0;  // doubled after each failed attempt
  double max_backoff_seconds = 60.0;
  std::string user_agent = "granary";
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `url`. Returns the response of the first attempt that is neither a connection
  // error nor 429/5xx, or the last 429/5xx once the attempts are used up. Throws
  // granary::Error naming the URL when every attempt failed to connect or transfer.
  HttpResponse get(const std::string& url, const HttpHeaders& headers = {});

 private:
  HttpOptions options_;
  void* curl_;  // CURL*, reused so connections are kept alive between pages
  int owner_;   // the process that made curl_ (a forked child makes its own)
};

// Percent-encodes a query-string component (RFC 3986 unreserved characters stay).
std::string url_encode(const std::string& text);

}  // namespace granary::io
