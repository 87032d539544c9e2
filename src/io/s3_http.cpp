#include "io/s3_http.hpp"

#include <curl/curl.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

namespace granary::io::s3 {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail("libcurl: global initialisation failed");
  });
}

// One easy handle per thread: connections (and TLS sessions) are reused across requests
// without sharing a handle between threads. A forked child must not use the connections it
// inherited (the parent and its other children use the same sockets): it abandons the
// handle, without cleanup (which would talk on them), and makes its own.
class ThreadHandle {
 public:
  ThreadHandle() : handle_(curl_easy_init()), pid_(::getpid()) {
    if (!handle_) fail("libcurl: cannot create a handle");
  }
  ~ThreadHandle() {
    if (::getpid() == pid_) curl_easy_cleanup(handle_);
  }
  CURL* fresh() {
    if (::getpid() != pid_) {
      handle_ = curl_easy_init();
      pid_ = ::getpid();
      if (!handle_) fail("libcurl: cannot create a handle");
    }
    curl_easy_reset(handle_);
    return handle_;
  }

 private:
  CURL* handle_;
  pid_t pid_;
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

bool curl_code_is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
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

std::string error_code(const HttpResponse& response) {
  return xml_text(response.text(), "Code").value_or("");
}

// S3 reports some failures after "200 OK" has gone out; the body's root is then <Error>.
bool body_is_error(const HttpResponse& response) {
  auto text = response.text();
  auto start = text.find('<');
  if (start != std::string_view::npos && text.compare(start, 5, "<?xml") == 0) start = text.find('<', start + 1);
  return start != std::string_view::npos && text.compare(start, 7, "<Error>") == 0;
}

std::chrono::milliseconds backoff(const RetryPolicy& policy, int failures) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto cap = policy.initial_backoff.count() << std::min(failures, 20);
  cap = std::min<long long>(cap, policy.max_backoff.count());
  std::uniform_int_distribution<long long> pick(0, std::max<long long>(cap, 0));
  return std::chrono::milliseconds(pick(rng));
}

// "#38" or "#x26" -> 0x26; nullopt for anything else.
std::optional<unsigned long> code_point(std::string_view entity) {
  if (entity.size() < 2 || entity[0] != '#') return std::nullopt;
  bool hex = entity[1] == 'x' || entity[1] == 'X';
  auto digits = entity.substr(hex ? 2 : 1);
  unsigned long value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value > 0x10FFFF)
    return std::nullopt;
  return value;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string decode_entities(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    auto semi = raw[i] == '&' ? raw.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos) {
      out += raw[i];
      continue;
    }
    auto entity = raw.substr(i + 1, semi - i - 1);
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (auto cp = code_point(entity)) append_utf8(out, *cp);
    else out += raw.substr(i, semi - i + 1);  // unknown entity: keep it verbatim
    i = semi;
  }
  return out;
}

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
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, ("aws:amz:" + signer->region + ":s3").c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, signer->credentials.access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, signer->credentials.secret_access_key.c_str());
  }
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // keys may hold "." and ".." segments
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);  // a stalled transfer fails (and retries)
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
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
                         curl_code_is_transient(code));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (request.error_may_follow_ok && response.status == 200 && body_is_error(response))
    response.status = 500;  // so the failure is classified and reported like any other
  return response;
}

bool is_retryable(const HttpResponse& response) {
  switch (response.status) {
    case 429: case 500: case 502: case 503: case 504:
      return true;
    default: {
      auto code = error_code(response);
      return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError";
    }
  }
}

HttpResponse send_with_retries(const HttpRequest& request, const Signer* signer, const RetryPolicy& policy,
                               const std::string& what) {
  for (int attempt = 1;; ++attempt) {
    std::string problem;
    try {
      auto response = send_once(request, signer);
      if (!is_retryable(response) || attempt >= policy.max_attempts) return response;
      problem = describe_error(response);
    } catch (const TransportError& e) {
      if (!e.retryable() || attempt >= policy.max_attempts)
        fail("{}: {} {} failed after {} attempt(s): {}", what, request.method, request.url, attempt, e.what());
      problem = e.what();
    }
    auto pause = backoff(policy, attempt - 1);
    spdlog::warn("{}: {} (attempt {} of {}); retrying in {} ms", what, problem, attempt, policy.max_attempts,
                 pause.count());
    std::this_thread::sleep_for(pause);
  }
}

std::string describe_error(const HttpResponse& response) {
  auto text = response.text();
  auto code = error_code(response);
  std::string out = code.empty() ? fmt::format("{} {}", response.status, reason_phrase(response.status))
                                 : fmt::format("{} {}: {}", response.status, code,
                                               xml_text(text, "Message").value_or("(no message)"));
  auto region = response.header("x-amz-bucket-region");
  if (region.empty()) region = xml_text(text, "Region").value_or("");
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

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag);
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size()) break;
    char next = xml[after];
    if (next != '>' && next != '/' && !std::isspace(static_cast<unsigned char>(next))) {
      pos = after;  // a longer name that merely starts with `tag`, e.g. <KeyCount> for <Key>
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <Tag/>
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  auto found = xml_elements(xml, tag);
  if (found.empty()) return std::nullopt;
  return decode_entities(found.front());
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace granary::io::s3
