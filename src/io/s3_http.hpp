#pragma once
// S3's HTTP layer: one libcurl exchange, signed with SigV4 by libcurl itself
// (CURLOPT_AWS_SIGV4), retried on transient failures, with S3's XML errors decoded into
// readable messages. S3-specific on purpose (signing, S3 error codes, S3 XML shapes); the
// generic GET client used for CMR is io/http_client.
//
// libcurl 7.88 signs the path and query exactly as given and signs every header we pass,
// so callers build URLs in SigV4 canonical form (uri_encode, canonical_query) and we send
// x-amz-content-sha256 ourselves: curl then uses it as the payload hash (it would
// otherwise hash only POSTFIELDS, and S3 requires the header anyway).
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/credentials.hpp"
#include "util/error.hpp"

namespace granary::io::s3 {

struct HttpRequest {
  std::string method = "GET";        // GET, HEAD, PUT, POST, DELETE
  std::string url;                   // path and query in SigV4 canonical form
  std::vector<std::string> headers{};  // "Name: value"; all of them are signed
  std::span<const std::byte> body{};
  // CompleteMultipartUpload may answer 200 OK and report a failure in the body.
  bool error_may_follow_ok = false;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::byte> body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const;
  std::string_view text() const;
};

// No HTTP response arrived: connection refused or reset, timeout, TLS failure.
class TransportError : public Error {
 public:
  TransportError(const std::string& what, bool retryable) : Error(what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

struct Signer {
  std::string region;
  Credentials credentials;
};

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
};

// Sends once; signer == nullptr sends an unsigned (anonymous) request.
HttpResponse send_once(const HttpRequest& request, const Signer* signer);

// Sends, retrying connection errors, 429, 500, 502, 503, 504 and S3's SlowDown with
// exponential backoff and full jitter. Returns the last response, whatever its status;
// throws TransportError (naming `what`) when the last attempt got no response.
HttpResponse send_with_retries(const HttpRequest& request, const Signer* signer, const RetryPolicy& policy,
                               const std::string& what);

bool is_retryable(const HttpResponse& response);

// "403 SignatureDoesNotMatch: The request signature we calculated ..." from S3's <Error>
// body, "404 Not Found" for bodiless (HEAD) answers, plus a hint when the bucket lives in
// another region.
std::string describe_error(const HttpResponse& response);

std::string sha256_hex(std::span<const std::byte> bytes);

// SigV4 URI encoding: each byte except A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex);
// '/' is kept when encoding a path.
std::string uri_encode(std::string_view text, bool keep_slash);
// "a=1&b=x%2Fy": pairs encoded and sorted by name, as SigV4 wants them.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

// Just enough XML for S3's fixed response shapes (ListBucketResult, Error,
// InitiateMultipartUploadResult): they never nest an element inside one of the same name
// and never use CDATA, so a scan for <tag>...</tag> is exact for them.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag);  // raw inner XML
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);        // first, decoded
std::string xml_escape(std::string_view text);

}  // namespace granary::io::s3
