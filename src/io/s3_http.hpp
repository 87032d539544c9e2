#pragma once
// S3's HTTP layer: one libcurl exchange, signed with SigV4 by libcurl itself
// (CURLOPT_AWS_SIGV4), retried under io/retry_policy, with S3's XML errors decoded into
// readable messages. S3-specific on purpose (signing, S3 error codes, S3 XML shapes); the
// generic GET client used for CMR is io/http_client.
//
// libcurl 7.88 signs the path and query exactly as given and signs every header we pass,
// so callers build URLs in SigV4 canonical form (uri_encode, canonical_query) and we send
// x-amz-content-sha256 ourselves: curl then uses it as the payload hash (it would
// otherwise hash only POSTFIELDS, and S3 requires the header anyway).
//
// Fork safety: each thread keeps one curl handle so connections and TLS sessions are
// reused, but a forked child must never touch what its parent created (the socket is
// shared: both would read each other's responses). A handle from an older
// io::fork_generation is abandoned (never cleaned up, which could send a TLS close_notify
// on the parent's connection) and a fresh one is made.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/credentials.hpp"
#include "io/retry_policy.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::io::s3 {

struct HttpRequest {
  std::string method = "GET";        // GET, HEAD, PUT, POST, DELETE
  std::string url;                   // path and query in SigV4 canonical form
  std::vector<std::string> headers{};  // "Name: value"; all of them are signed
  std::span<const std::byte> body{};
  // CompleteMultipartUpload may answer 200 OK and report a failure in the body.
  bool error_may_follow_ok = false;
  // A transfer that moves under 1 KiB/s for this long fails (and is retried); 0 waits as
  // long as it takes (a synchronous Lambda invocation says nothing for up to 15 minutes);
  // -1: GRANARY_S3_STALL_SECONDS, else 60.
  long quiet_seconds = -1;
  // The whole exchange fails (and is retried) after this long; 0: no limit. With
  // quiet_seconds 0, TCP keepalive probes also run, so an idle connection that a NAT or
  // load balancer drops silently is noticed instead of waited on forever.
  long timeout_seconds = 0;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::byte> body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const;
  std::string_view text() const;
};

// The retry policy and transport faults are io's own (io/retry_policy), shared with
// io/http_client.
using io::RetryPolicy;
using io::TransportError;

struct Signer {
  std::string region;
  Credentials credentials;
  std::string service = "s3";  // the SigV4 scope's service: s3, lambda, logs
};

// Sends once; signer == nullptr sends an unsigned (anonymous) request.
HttpResponse send_once(const HttpRequest& request, const Signer* signer);

// Says why a response that arrived is not a usable answer to the request (a 206 for
// another range, a listing that is not XML), or nullopt when it is. Such a response is a
// transport fault: retried, never reported as bad data.
using ResponseCheck = std::function<std::optional<std::string>(const HttpResponse&)>;

// Sends under io::run_with_retries: transport faults (including responses `check` rejects)
// and what io::retryable_status / io::retryable_error_code call for are retried. Returns the last
// response, whatever its status; throws TransportError (naming `what`) when the last
// attempt got no usable response.
HttpResponse send_with_retries(const HttpRequest& request, const Signer* signer, const RetryPolicy& policy,
                               const std::string& what, const ResponseCheck& check = {});

bool is_retryable(const HttpResponse& response);

// "403 SignatureDoesNotMatch: The request signature we calculated ..." from S3's <Error>
// body, "404 Not Found" for bodiless (HEAD) answers, plus a hint when the bucket lives in
// another region.
std::string describe_error(const HttpResponse& response);
// S3's error code (<Code>) of an error response, or "".
std::string error_code(const HttpResponse& response);

std::string sha256_hex(std::span<const std::byte> bytes);

// SigV4 URI encoding: each byte except A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex);
// '/' is kept when encoding a path.
std::string uri_encode(std::string_view text, bool keep_slash);
// "a=1&b=x%2Fy": pairs encoded and sorted by name, as SigV4 wants them.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

}  // namespace granary::io::s3
