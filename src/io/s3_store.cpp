#include "io/s3_store.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <exception>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "io/s3_xml.hpp"
#include "io/credential_provider.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::io {
namespace {

using s3::HttpRequest;
using s3::HttpResponse;

constexpr std::uint64_t kMinPartSize = 5ull << 20;  // S3 rejects smaller parts (but the last)
constexpr std::uint64_t kMaxParts = 10'000;

std::uint64_t parse_size(const std::string& text, const std::string& what, const char* field) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    fail("{}: S3 answered with a bad {} '{}'", what, field, text);
  return value;
}

class S3Store final : public Store {
 public:
  S3Store(const std::string& uri, const S3Options& options);
  std::string uri() const override { return uri_; }
  std::vector<ObjectInfo> list(const std::string& prefix) const override;
  std::optional<std::uint64_t> size(const std::string& key) const override;
  std::vector<std::byte> get(const std::string& key) const override;
  std::vector<std::byte> get_range(const std::string& key, std::uint64_t offset,
                                   std::uint64_t length) const override;
  void put(const std::string& key, std::span<const std::byte> bytes) override;
  void remove(const std::string& key) override;
  std::optional<std::string> local_path(const std::string&) const override { return std::nullopt; }

 private:
  std::string uri_of(const std::string& key) const { return fmt::format("s3://{}/{}{}", bucket_, prefix_, key); }
  std::string url_of(const std::string& key) const { return bucket_url_ + s3::uri_encode(prefix_ + key, true); }
  HttpResponse send(const std::string& what, const HttpRequest& request, const s3::ResponseCheck& check = {}) const;
  [[noreturn]] void fail_response(const std::string& what, const HttpResponse& response) const;

  void put_multipart(const std::string& key, std::span<const std::byte> bytes);
  std::string create_upload(const std::string& key) const;
  std::vector<std::string> upload_parts(const std::string& key, const std::string& upload_id,
                                        std::span<const std::byte> bytes) const;
  std::string upload_part(const std::string& key, const std::string& upload_id, std::size_t number,
                          std::span<const std::byte> part) const;
  void complete_upload(const std::string& key, const std::string& upload_id,
                       const std::vector<std::string>& etags) const;
  void abort_upload(const std::string& key, const std::string& upload_id) const noexcept;

  S3Options options_;
  std::string bucket_;
  std::string prefix_;  // "" or "dir/sub/"
  std::string uri_;
  std::string bucket_url_;  // ends in '/'; an encoded key follows
  // Bucket-level requests (ListObjectsV2) as the AWS SDKs and CLI send them: path style
  // "{endpoint}/{bucket}?…" without a trailing slash, virtual-hosted "https://{host}/?…".
  // Servers that normalise the path before checking SigV4 reject "/{bucket}/?…".
  std::string bucket_level_url_;
  std::string region_;
  // Asked before every request: temporary keys are refreshed while the store lives.
  std::shared_ptr<s3::CredentialProvider> credentials_;
};

S3Store::S3Store(const std::string& uri, const S3Options& options) : options_(options) {
  auto rest = uri.substr(uri.find("://") + 3);
  auto slash = rest.find('/');
  bucket_ = rest.substr(0, slash);
  prefix_ = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (bucket_.empty()) fail("{}: no bucket name (expected s3://bucket/prefix)", uri);
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  uri_ = "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_);
  if (!prefix_.empty()) prefix_ += '/';

  if (options_.part_size < kMinPartSize)
    fail("{}: multipart part size {} is below S3's minimum of 5 MiB", uri_, options_.part_size);
  if (options_.retry.max_attempts < 1) fail("{}: retry.max_attempts must be at least 1", uri_);
  region_ = options_.region.empty() ? s3::resolve_region() : options_.region;
  auto endpoint = options_.endpoint.empty() ? s3::resolve_endpoint() : options_.endpoint;
  bucket_url_ = s3_bucket_url(bucket_, endpoint, region_);
  bool path_style = !endpoint.empty() || bucket_.find('.') != std::string::npos;
  bucket_level_url_ = path_style ? bucket_url_.substr(0, bucket_url_.size() - 1) : bucket_url_;
  credentials_ = options_.anonymous ? std::make_shared<s3::StaticProvider>(
                                          s3::ResolvedCredentials{std::nullopt, "anonymous (by request)"})
                                    : s3::credential_chain(options_.credentials);
  spdlog::debug("{}: S3 at {} (region {}); credentials: {}", uri_, bucket_url_, region_, credentials_->describe());
}

HttpResponse S3Store::send(const std::string& what, const HttpRequest& request,
                           const s3::ResponseCheck& check) const {
  auto keys = credentials_->current();
  if (!keys) return s3::send_with_retries(request, nullptr, options_.retry, what, check);
  const s3::Signer signer{region_, std::move(*keys)};
  return s3::send_with_retries(request, &signer, options_.retry, what, check);
}

void S3Store::fail_response(const std::string& what, const HttpResponse& response) const {
  auto message = s3::describe_error(response);
  auto code = s3::error_code(response);
  if (response.status == 401 || response.status == 403 || code == "ExpiredToken")  // ExpiredToken is a 400
    message += fmt::format(" (credentials: {})", credentials_->describe());
  // Still throttled or failing after every retry: the service is unavailable, the input is fine.
  if (s3::is_retryable(response))
    throw UnavailableError(fmt::format("{}: {} (after {} attempts)", what, message, options_.retry.max_attempts));
  fail("{}: {}", what, message);
}

// A check that parses a 200's XML into `out`: a document that is not what it must be is a
// transport fault (retried), never an empty or partial result.
template <class T, class Parse>
s3::ResponseCheck parse_into(T& out, Parse parse) {
  return [&out, parse](const HttpResponse& r) -> std::optional<std::string> {
    if (r.status != 200) return std::nullopt;
    try {
      out = parse(r.text());
      return std::nullopt;
    } catch (const s3::MalformedResponse& e) {
      return e.what();
    }
  };
}

struct ContentRange {
  std::uint64_t first = 0, last = 0, total = 0;
};

// "bytes 0-99/1000" (S3 always gives the total).
std::optional<ContentRange> parse_content_range(std::string_view text) {
  ContentRange r;
  if (text.substr(0, 6) != "bytes ") return std::nullopt;
  const char* p = text.data() + 6;
  const char* end = text.data() + text.size();
  auto number = [&](std::uint64_t& value, char stop) {
    auto [next, error] = std::from_chars(p, end, value);
    if (error != std::errc() || next == end || *next != stop) return false;
    p = next + 1;
    return true;
  };
  if (!number(r.first, '-') || !number(r.last, '/')) return std::nullopt;
  auto [next, error] = std::from_chars(p, end, r.total);
  if (error != std::errc() || next != end || r.last < r.first || r.last >= r.total) return std::nullopt;
  return r;
}

// A status line and headers that arrived whole can still belong to a garbled exchange; these
// checks catch what would otherwise pass for data.
std::optional<std::string> check_content_length(const HttpResponse& response) {
  auto declared = response.header("content-length");
  if (response.status / 100 != 2 || declared.empty()) return std::nullopt;
  if (declared != std::to_string(response.body.size()))
    return fmt::format("the body has {} bytes but Content-Length said {}", response.body.size(), declared);
  return std::nullopt;
}

std::vector<ObjectInfo> S3Store::list(const std::string& prefix) const {
  auto what = uri_of(prefix);
  std::vector<ObjectInfo> out;
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> query{{"list-type", "2"}, {"prefix", prefix_ + prefix}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    s3::ListPage page;
    auto response = send(what, {.method = "GET", .url = bucket_level_url_ + "?" + s3::canonical_query(query)},
                         parse_into(page, s3::parse_list_page));
    if (response.status != 200) fail_response(what, response);
    for (auto& object : page.objects) {
      if (object.key.compare(0, prefix_.size(), prefix_) != 0)
        fail("{}: ListObjectsV2 answered key '{}' outside the prefix", what, object.key);
      // "dir/" objects are folder markers made by consoles, not data.
      if (object.key.empty() || object.key.back() == '/') continue;
      out.push_back({object.key.substr(prefix_.size()), object.size});
    }
    token = page.truncated ? page.next_token : "";
  } while (!token.empty());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
  return out;
}

std::optional<std::uint64_t> S3Store::size(const std::string& key) const {
  auto what = uri_of(key);
  auto response = send(what, {.method = "HEAD", .url = url_of(key)}, [](const HttpResponse& r) -> std::optional<std::string> {
    if (r.status == 200 && r.header("content-length").empty()) return "a HEAD answer without Content-Length";
    return std::nullopt;
  });
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) fail_response(what, response);
  return parse_size(response.header("content-length"), what, "Content-Length");
}

std::vector<std::byte> S3Store::get(const std::string& key) const {
  auto what = uri_of(key);
  auto response = send(what, {.method = "GET", .url = url_of(key)}, check_content_length);
  if (response.status != 200) fail_response(what, response);
  return std::move(response.body);
}

std::vector<std::byte> S3Store::get_range(const std::string& key, std::uint64_t offset,
                                          std::uint64_t length) const {
  if (length == 0) return {};
  auto what = uri_of(key);
  auto end = offset + length;
  // A 206 must be the range asked for (cut short only where the object ends): anything else
  // is another exchange's answer.
  auto check = [&](const HttpResponse& r) -> std::optional<std::string> {
    if (auto bad = check_content_length(r)) return bad;
    if (r.status != 206) return std::nullopt;
    auto range = r.header("content-range");
    auto parsed = parse_content_range(range);
    bool matches = parsed && parsed->first == offset &&
                   (parsed->last == end - 1 || (parsed->last < end - 1 && parsed->last + 1 == parsed->total)) &&
                   r.body.size() == parsed->last - parsed->first + 1;
    if (!matches) return fmt::format("asked for bytes {}-{} but the answer is Content-Range '{}'", offset, end - 1, range);
    return std::nullopt;
  };
  auto response = send(what,
                       {.method = "GET",
                        .url = url_of(key),
                        .headers = {fmt::format("Range: bytes={}-{}", offset, end - 1)}},
                       check);
  if (response.status == 416) {
    auto error = s3::parse_error(response.text());
    auto actual = error ? error->actual_object_size : "";
    fail("{}: truncated: wanted bytes [{}, {}) but the object {}", what, offset, end,
         !actual.empty() ? "ends at " + actual : std::string("is shorter"));
  }
  if (response.status != 200 && response.status != 206) fail_response(what, response);
  auto& body = response.body;
  if (response.status == 200) {  // the server ignored Range and sent the whole object
    if (body.size() < end)
      fail("{}: truncated: wanted bytes [{}, {}) but the object ends at {}", what, offset, end, body.size());
    return {body.begin() + static_cast<std::ptrdiff_t>(offset), body.begin() + static_cast<std::ptrdiff_t>(end)};
  }
  if (body.size() != length)
    fail("{}: truncated: wanted bytes [{}, {}) but the object ends at {}", what, offset, end, offset + body.size());
  return std::move(body);
}

void S3Store::put(const std::string& key, std::span<const std::byte> bytes) {
  auto what = uri_of(key);
  if (!credentials_->current())
    fail("{}: writing to S3 needs credentials but none were found ({}); pass them explicitly, set "
         "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile in ~/.aws",
         what, credentials_->source());
  if (bytes.size() >= options_.multipart_threshold) return put_multipart(key, bytes);
  auto response = send(what, {.method = "PUT",
                              .url = url_of(key),
                              .headers = {"Content-Type: application/octet-stream"},
                              .body = bytes});
  if (response.status != 200) fail_response(what, response);
}

void S3Store::remove(const std::string& key) {
  auto what = uri_of(key);
  auto response = send(what, {.method = "DELETE", .url = url_of(key)});
  if (response.status != 204 && response.status != 200 && response.status != 404) fail_response(what, response);
}

void S3Store::put_multipart(const std::string& key, std::span<const std::byte> bytes) {
  auto upload_id = create_upload(key);
  try {
    complete_upload(key, upload_id, upload_parts(key, upload_id, bytes));
  } catch (...) {
    abort_upload(key, upload_id);
    throw;
  }
}

std::string S3Store::create_upload(const std::string& key) const {
  auto what = uri_of(key);
  std::string upload_id;
  auto response = send(what,
                       {.method = "POST",
                        .url = url_of(key) + "?" + s3::canonical_query({{"uploads", ""}}),
                        .headers = {"Content-Type: application/octet-stream"}},
                       parse_into(upload_id, s3::parse_upload_id));
  if (response.status != 200) fail_response(what, response);
  return upload_id;
}

// Parts go up from a few threads at once (each thread has its own connection); the first
// failure stops the others from starting new parts.
std::vector<std::string> S3Store::upload_parts(const std::string& key, const std::string& upload_id,
                                               std::span<const std::byte> bytes) const {
  auto part_size = std::max<std::uint64_t>(options_.part_size, (bytes.size() + kMaxParts - 1) / kMaxParts);
  auto count = std::max<std::size_t>(1, (bytes.size() + part_size - 1) / part_size);
  std::vector<std::string> etags(count);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&] {
    for (std::size_t i; !stop && (i = next++) < count;) {
      try {
        auto offset = i * part_size;
        etags[i] = upload_part(key, upload_id, i + 1, bytes.subspan(offset, std::min(part_size, bytes.size() - offset)));
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        stop = true;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    auto threads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(options_.upload_threads, 1)), 1, count);
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
  }  // joins the helpers
  if (first_error) std::rethrow_exception(first_error);
  return etags;
}

std::string S3Store::upload_part(const std::string& key, const std::string& upload_id, std::size_t number,
                                 std::span<const std::byte> part) const {
  auto what = fmt::format("{} (part {})", uri_of(key), number);
  auto query = s3::canonical_query({{"partNumber", std::to_string(number)}, {"uploadId", upload_id}});
  auto response = send(what, {.method = "PUT",
                              .url = url_of(key) + "?" + query,
                              .headers = {"Content-Type: application/octet-stream"},
                              .body = part});
  if (response.status != 200) fail_response(what, response);
  auto etag = response.header("etag");
  if (etag.empty()) fail("{}: UploadPart answered without an ETag", what);
  return etag;
}

void S3Store::complete_upload(const std::string& key, const std::string& upload_id,
                              const std::vector<std::string>& etags) const {
  auto what = uri_of(key);
  auto xml = s3::complete_upload_request(etags);
  auto response = send(what, {.method = "POST",
                              .url = url_of(key) + "?" + s3::canonical_query({{"uploadId", upload_id}}),
                              .headers = {"Content-Type: application/xml"},
                              .body = std::as_bytes(std::span(xml)),
                              .error_may_follow_ok = true});
  if (response.status != 200) fail_response(what, response);
}

void S3Store::abort_upload(const std::string& key, const std::string& upload_id) const noexcept {
  auto what = uri_of(key);
  try {
    auto response = send(what, {.method = "DELETE",
                                .url = url_of(key) + "?" + s3::canonical_query({{"uploadId", upload_id}})});
    if (response.status == 204 || response.status == 200 || response.status == 404) return;
    spdlog::warn("{}: could not abort multipart upload {}: {}; its parts stay stored (and billed) until a "
                 "bucket lifecycle rule removes them", what, upload_id, s3::describe_error(response));
  } catch (const std::exception& e) {
    spdlog::warn("{}: could not abort multipart upload {}: {}", what, upload_id, e.what());
  }
}

}  // namespace

std::string s3_bucket_url(const std::string& bucket, std::string endpoint, const std::string& region) {
  if (!endpoint.empty()) {
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
    return endpoint + "/" + s3::uri_encode(bucket, false) + "/";
  }
  if (bucket.find('.') != std::string::npos) return fmt::format("https://s3.{}.amazonaws.com/{}/", region, bucket);
  return fmt::format("https://{}.s3.{}.amazonaws.com/", bucket, region);
}

std::unique_ptr<Store> open_s3_store(const std::string& uri, const S3Options& options) {
  if (!is_s3_uri(uri)) fail("{}: not an s3:// URI", uri);
  return std::make_unique<S3Store>(uri, options);
}

}  // namespace granary::io
