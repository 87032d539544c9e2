#include "io/s3_http.hpp"

#include "io/s3_xml.hpp"
#include "io/fork_generation.hpp"

#include <curl/curl.h>
#include <unistd.h>
#include <openssl/evp.h>


#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

namespace granary::io::s3 {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail("libcurl: global initialisation failed");
    fork_generation();  // registers the fork handler before any handle exists
  });
}

// One easy handle per thread: connections (and TLS sessions) are reused across requests
// without sharing a handle between threads or processes.
class ThreadHandle {
 public:
  ~ThreadHandle() {
    // Only this process's own handle is cleaned up; an inherited one is left alone.
    if (handle_ && generation_ == fork_generation()) curl_easy_cleanup(handle_);
  }
  CURL* fresh() {
    auto now = fork_generation();
    if (!handle_ || generation_ != now) {
      handle_ = curl_easy_init();  // an inherited handle is abandoned on purpose, see the header
      generation_ = now;
      if (!handle_) fail("libcurl: cannot create a handle");
    }
    curl_easy_reset(handle_);
    return handle_;
  }

 private:
  CURL* handle_ = nullptr;
  unsigned generation_ = 0;
};

CURL* thread_handle() {
  init_curl_once();
  thread_local ThreadHandle handle;
  return handle.fresh();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::vector<std::byte>*>(user);
  auto* bytes = reinterpret_cast<const std::byte*>(data);
  body->insert(body->end(), bytes, bytes + size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after "100 Continue"): start over
    response->headers.clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  auto value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  response->headers[name] = first == std::string_view::npos ? "" : std::string(value.substr(first, last - first + 1));
  if (name == "content-length" && !response->headers[name].empty()) {
    try {
      response->body.reserve(std::stoull(response->headers[name]));
    } catch (const std::exception&) {
    }
  }
  return size * count;
}

// How long a transfer may stall (under 1 KiB/s) before it is abandoned and retried:
// GRANARY_S3_STALL_SECONDS, else 60 (a slow link's worst moments pass in less).
long stall_seconds() {
  static const long seconds = [] {
    const auto text = process_env("GRANARY_S3_STALL_SECONDS");
    if (!text || text->empty()) return 60L;
    char* end = nullptr;
    const long v = std::strtol(text->c_str(), &end, 10);
    if (*end != '\0' || v < 1) fail("GRANARY_S3_STALL_SECONDS: '{}' is not a whole number of seconds >= 1", *text);
    return v;
  }();
  return seconds;
}

const std::string& ca_bundle() {
  static const std::string path = process_env("AWS_CA_BUNDLE").value_or("");
  return path;
}

std::string reason_phrase(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden (access denied or bad credentials)";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP error";
  }
}

// S3 reports some failures after "200 OK" has gone out; the body's root is then <Error>.
bool body_is_error(const HttpResponse& response) { return parse_error(response.text()).has_value(); }

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string_view HttpResponse::text() const {
  return {reinterpret_cast<const char*>(body.data()), body.size()};
}

HttpResponse send_once(const HttpRequest& request, const Signer* signer) {
  CURL* curl = thread_handle();
  HttpResponse response;
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    auto* grown = curl_slist_append(headers.get(), line.c_str());
    if (!grown) fail("libcurl: out of memory adding a header");
    headers.release();
    headers.reset(grown);
  };
  for (auto& line : request.headers) add_header(line);
  if (signer) {
    add_header("x-amz-content-sha256: " + sha256_hex(request.body));
    if (!signer->credentials.session_token.empty())
      add_header("x-amz-security-token: " + signer->credentials.session_token);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, ("aws:amz:" + signer->region + ":" + signer->service).c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, signer->credentials.access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, signer->credentials.secret_access_key.c_str());
  }
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // keys may hold "." and ".." segments
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  if (const long quiet = request.quiet_seconds < 0 ? stall_seconds() : request.quiet_seconds; quiet > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);  // a stalled transfer fails (and retries)
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, quiet);
  } else {  // a silent answer may take minutes: probe the connection meanwhile
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPIDLE, 60L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPINTVL, 30L);
  }
  if (request.timeout_seconds > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (!ca_bundle().empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle().c_str());

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    // POSTFIELDS sends the caller's buffer as is (no copy) and resends it on a retry.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? "" : reinterpret_cast<const char*>(request.body.data()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    throw TransportError(fmt::format("{}{}{}", curl_easy_strerror(code), *error_text ? ": " : "", error_text),
                         retryable_curl_code(code, error_text));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (request.error_may_follow_ok && response.status == 200 && body_is_error(response))
    response.status = 500;  // so the failure is classified and reported like any other
  return response;
}

bool is_retryable(const HttpResponse& response) {
  return retryable_status(response.status) || retryable_error_code(error_code(response));
}

HttpResponse send_with_retries(const HttpRequest& request, const Signer* signer, const RetryPolicy& policy,
                               const std::string& what, const ResponseCheck& check) {
  HttpResponse response;
  run_with_retries(policy, {what, request.method + " " + request.url, true}, [&](int) {
    response = send_once(request, signer);
    if (!is_retryable(response)) {
      if (auto unusable = check ? check(response) : std::nullopt) throw TransportError(*unusable, true);
      return AttemptOutcome{};
    }
    return AttemptOutcome{true, describe_error(response), response.header("retry-after")};
  });
  return response;
}

std::string error_code(const HttpResponse& response) {
  auto error = parse_error(response.text());
  return error ? error->code : "";
}

std::string describe_error(const HttpResponse& response) {
  auto error = parse_error(response.text());
  std::string out = !error || error->code.empty()
                        ? fmt::format("{} {}", response.status, reason_phrase(response.status))
                        : fmt::format("{} {}: {}", response.status, error->code,
                                      error->message.empty() ? "(no message)" : error->message);
  // S3 answers a HEAD without a body, so without its error code: say what a 403 usually is.
  if (!error && response.status == 403 && response.text().empty())
    out += ": no S3 error code (the answer has no body, as for every HEAD request); likely a wrong secret key "
           "(SignatureDoesNotMatch), an access key S3 does not know (InvalidAccessKeyId), or no permission for "
           "this key (AccessDenied)";
  auto region = response.header("x-amz-bucket-region");
  if (region.empty() && error) region = error->region;
  if (!region.empty()) out += fmt::format(" (the bucket is in region {}: set AWS_REGION={})", region, region);
  return out;
}

std::string sha256_hex(std::span<const std::byte> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    fail("OpenSSL: SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = uri_encode(name, false);
    value = uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (auto& [name, value] : params) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

}  // namespace granary::io::s3
