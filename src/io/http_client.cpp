#include "io/http_client.hpp"

#include <unistd.h>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

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

bool retryable_status(long status) { return status == 429 || status >= 500; }

// Transport errors worth another attempt: everything but a URL or setup mistake.
bool retryable_error(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_PEER_FAILED_VERIFICATION:
      return false;
    default:
      return true;
  }
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
  if (owner_ != ::getpid()) {
    // Made before a fork: its connection belongs to the parent. Abandon it (a cleanup could
    // shut down the parent's TLS session) and use a handle of this process's own.
    curl_ = curl_easy_init();
    owner_ = ::getpid();
    if (!curl_) fail("libcurl: cannot create a handle");
  }
  CURL* curl = static_cast<CURL*>(curl_);
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  double backoff = options_.first_backoff_seconds;
  std::string last_error;
  HttpResponse response;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    response = HttpResponse{};
    response.attempts = attempt;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
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
    double wait = backoff;
    if (code != CURLE_OK) {
      last_error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
      if (!retryable_error(code)) break;
    } else {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
      if (!retryable_status(response.status) || attempt == options_.max_attempts) {
        curl_slist_free_all(list);
        return response;
      }
      last_error = "HTTP " + std::to_string(response.status);
      // A server that says when to come back knows best (within our patience).
      if (auto after = response.header("retry-after"); !after.empty()) {
        char* end = nullptr;
        const double seconds = std::strtod(after.c_str(), &end);
        if (end != after.c_str() && seconds >= 0) wait = std::min(seconds, options_.max_backoff_seconds);
      }
    }
    if (attempt == options_.max_attempts) break;
    spdlog::warn("{}: {} (attempt {}/{}); retrying in {:.2g} s", url, last_error, attempt, options_.max_attempts,
                 wait);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    backoff = std::min(backoff * 2, options_.max_backoff_seconds);
  }
  curl_slist_free_all(list);
  fail("{}: request failed after {} attempt(s): {}", url, response.attempts, last_error);
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
