#include "io/retry_policy.hpp"

#include <unistd.h>

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include <spdlog/spdlog.h>

#include "io/fork_generation.hpp"

namespace granary::io {

bool retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool retryable_error_code(std::string_view code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError";
}

bool retryable_curl_code(int code, std::string_view detail) {
  switch (static_cast<CURLcode>(code)) {
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
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_SEND_FAIL_REWIND:
      return true;
    case CURLE_UNSUPPORTED_PROTOCOL:
      // "Received HTTP/0.9 when not allowed" is a garbled answer; "Protocol "x" not
      // supported" is a URL mistake that no retry mends.
      return detail.empty() || detail.find("HTTP/0.9") != std::string_view::npos;
    default:
      return false;
  }
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  double seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || !std::isfinite(seconds) ||
      seconds < 0)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::min(seconds, 1e9) * 1000.0));
}

std::chrono::milliseconds jittered_backoff(const RetryPolicy& policy, int failures, std::mt19937_64& rng) {
  long long cap = policy.initial_backoff.count() << std::clamp(failures, 0, 20);
  cap = std::clamp<long long>(cap, 0, std::max<long long>(policy.max_backoff.count(), 0));
  std::uniform_int_distribution<long long> pick(0, cap);
  return std::chrono::milliseconds(pick(rng));
}

std::chrono::milliseconds jittered_backoff(const RetryPolicy& policy, int failures) {
  thread_local std::mt19937_64 rng;
  thread_local std::optional<unsigned> seeded_in;
  const auto now = fork_generation();
  if (seeded_in != now) {
    std::random_device device;
    std::seed_seq seed{device(), device(), static_cast<unsigned>(::getpid()), now};
    rng.seed(seed);
    seeded_in = now;
  }
  return jittered_backoff(policy, failures, rng);
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failures, std::string_view retry_after) {
  // A server that says when to come back knows best (within our patience).
  if (auto said = parse_retry_after(retry_after)) return std::min(*said, policy.max_backoff);
  return jittered_backoff(policy, failures);
}

int run_with_retries(const RetryPolicy& policy, const RetryLog& log, const std::function<AttemptOutcome(int)>& attempt,
                     const std::function<void(std::chrono::milliseconds)>& sleep) {
  const int budget = std::max(policy.max_attempts, 1);
  for (int n = 1;; ++n) {
    AttemptOutcome outcome;
    try {
      outcome = attempt(n);
      if (!outcome.retry || n >= budget) return n;
    } catch (const TransportError& e) {
      if (!e.retryable() || n >= budget)
        throw TransportError(fmt::format("{}: {} failed after {} attempt(s): {}", log.what, log.action, n, e.what()),
                             false);
      outcome.problem = e.what();
    }
    const auto pause = retry_delay(policy, n - 1, outcome.retry_after);
    spdlog::log(log.warn ? spdlog::level::warn : spdlog::level::debug, "{}: {} (attempt {} of {}); retrying in {} ms",
                log.what, outcome.problem, n, budget, pause.count());
    if (sleep) {
      sleep(pause);
    } else {
      std::this_thread::sleep_for(pause);
    }
  }
}

}  // namespace granary::io
