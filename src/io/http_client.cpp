#include "io/http_client.hpp"

#include <unistd.h>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "util/error.hpp"

namespace granary::io {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail("libcurl: global initialisation failed");
  });
}

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c); };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after a redirect or 100 Continue)
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    response->headers[trim(name)] = trim(line.substr(colon + 1));
  }
  return size * n;
}

}  // namespace

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  global_init();
  curl_ = curl_easy_init();
  owner_ = ::getpid();
  if (!curl_) fail("libcurl: cannot create a handle");
}

HttpClient::~HttpClient() {
  if (owner_ == ::getpid()) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::get(const std::string& url, const HttpHeaders& headers) {
  return request("GET", url, headers);
}

HttpResponse HttpClient::request(const std::string& method, const std::string& url, const HttpHeaders& headers,
                                 const std::string& body) {
  if (owner_ != ::getpid()) {
    // Made before a fork: its connection belongs to the parent. Abandon it (a cleanup could
    // shut down the parent's TLS session) and use a handle of this process's own.
    curl_ = curl_easy_init();
    owner_ = ::getpid();
    if (!curl_) fail("libcurl: cannot create a handle");
  }
  CURL* curl = static_cast<CURL*>(curl_);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list(nullptr, curl_slist_free_all);
  for (const auto& [name, value] : headers) {
    curl_slist* grown = curl_slist_append(list.get(), (name + ": " + value).c_str());
    if (!grown) fail("libcurl: out of memory adding a header");
    (void)list.release();
    list.reset(grown);
  }
  HttpResponse response;
  const int attempts = run_with_retries(
      options_.retry, {url, "request", options_.warn_on_retry}, [&](int attempt) {
        response = HttpResponse{};
        response.attempts = attempt;
        perform(curl, method, url, list.get(), body, response);
        if (!retryable_status(response.status)) return AttemptOutcome{};
        return AttemptOutcome{true, "HTTP " + std::to_string(response.status), response.header("retry-after")};
      });
  response.attempts = attempts;
  return response;
}

void HttpClient::perform(void* handle, const std::string& method, const std::string& url, void* header_list,
                         const std::string& body, HttpResponse& response) {
  CURL* curl = static_cast<CURL*>(handle);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(header_list));
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "PUT" || method == "POST" || !body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
  }
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  // curl_easy_reset keeps the cookie store; "" turns the engine on without reading a file.
  if (options_.cookies) curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, options_.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    throw TransportError(detail, retryable_curl_code(code, detail));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* location = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) response.redirect_url = location;
}

std::string url_encode(const std::string& text) {
  global_init();
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (!escaped) fail("libcurl: cannot percent-encode \"{}\"", text);
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace granary::io
