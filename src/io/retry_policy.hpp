#pragma once
// The one retry policy of every HTTP service granary talks to (S3, CMR, credential
// endpoints, Earthdata): what is worth another attempt, how long to wait, and the loop that
// does it. The clients (io/http_client, io/s3_http) make single attempts and say what each
// came to; this file alone decides whether and when to try again.
//
// Retried: 429, 500, 502, 503 and 504; S3's SlowDown, RequestTimeout and InternalError codes
// (whatever the status); transport faults (connection refused or reset, timeouts, TLS
// failures, garbled or truncated answers, or an answer a client's check rejects). Not
// retried: every other status (a 501 will not start working), URL or setup mistakes.
// Waits: exponential backoff with full jitter, or the server's Retry-After (within
// max_backoff) when it says one.
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "util/unavailable_error.hpp"

namespace granary::io {

struct RetryPolicy {
  int max_attempts = 6;  // requests in all, the first included
  std::chrono::milliseconds initial_backoff{200};  // the cap of the first wait; doubled per failure
  std::chrono::milliseconds max_backoff{10'000};
};

// No usable HTTP response arrived: connection refused or reset, timeout, TLS failure, a
// garbled or truncated answer (HTTP/0.9, short body), or one that is not the answer to the
// request. Once retries are used up it is an UnavailableError: never bad input.
class TransportError : public UnavailableError {
 public:
  TransportError(const std::string& what, bool retryable) : UnavailableError(what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

bool retryable_status(long status);
// S3's <Code> values that mean "try again" whatever the status says.
bool retryable_error_code(std::string_view code);
// A libcurl result (CURLcode) worth another attempt; `detail` is curl's error text, which
// tells a garbled answer (HTTP/0.9) from a URL with an unsupported scheme.
bool retryable_curl_code(int code, std::string_view detail = {});

// Retry-After in seconds ("120", "0.5"); nullopt for anything else (HTTP dates included:
// the backoff then applies).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

// The wait before attempt failures+1: uniform in [0, min(initial << failures, max)].
std::chrono::milliseconds jittered_backoff(const RetryPolicy& policy, int failures, std::mt19937_64& rng);
// As above, from a per-thread generator seeded from the OS and reseeded in a forked child,
// so that workers do not all retry at the same moments.
std::chrono::milliseconds jittered_backoff(const RetryPolicy& policy, int failures);
// The server's Retry-After when it gave one (capped at max_backoff), else the backoff.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failures, std::string_view retry_after);

// What one attempt came to when it got a response.
struct AttemptOutcome {
  bool retry = false;       // a retryable answer (status or code)
  std::string problem;      // why, for the log ("503 Service Unavailable")
  std::string retry_after;  // the answer's Retry-After header, if any
};

struct RetryLog {
  std::string what;    // names the resource in messages ("s3://b/k", a URL)
  std::string action;  // what failed ("GET https://...", "request")
  bool warn = true;    // false: retries are logged at debug (probes such as IMDS)
};

// Calls `attempt(n)` for n = 1, 2, ... until an outcome is not retryable or the attempts are
// used up, sleeping between attempts; returns the number of attempts made. A retryable
// outcome on the last attempt is left to the caller (it has the response to report). An
// attempt throws TransportError for no usable response: a retryable one is tried again,
// otherwise (or on the last attempt) TransportError "<what>: <action> failed after N
// attempt(s): ..." is thrown. `sleep` is for tests.
int run_with_retries(const RetryPolicy& policy, const RetryLog& log, const std::function<AttemptOutcome(int)>& attempt,
                     const std::function<void(std::chrono::milliseconds)>& sleep = {});

}  // namespace granary::io
