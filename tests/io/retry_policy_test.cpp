// The one retry policy of io/: what is retried, the attempt budget, the full-jitter backoff
// and its bounds, Retry-After, and a forked child's own random generator. The loop is driven
// with an injected sleep, so nothing here waits or opens a socket.
#include "io/retry_policy.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <vector>

namespace granary::io {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, RetriesThrottlingAndServerFaultsOnly) {
  for (long status : {429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(retryable_status(status)) << status;
  for (long status : {200L, 206L, 301L, 400L, 401L, 403L, 404L, 409L, 412L, 416L, 501L, 505L})
    EXPECT_FALSE(retryable_status(status)) << status;
  for (const char* code : {"SlowDown", "RequestTimeout", "InternalError"}) EXPECT_TRUE(retryable_error_code(code));
  for (const char* code : {"", "NoSuchKey", "AccessDenied", "SignatureDoesNotMatch", "ExpiredToken", "slowdown"})
    EXPECT_FALSE(retryable_error_code(code)) << code;
}

TEST(RetryPolicy, RetriesTransportFaultsNotMistakes) {
  for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR,
                        CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR,
                        CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING})
    EXPECT_TRUE(retryable_curl_code(code)) << curl_easy_strerror(code);
  for (CURLcode code : {CURLE_URL_MALFORMAT, CURLE_OUT_OF_MEMORY, CURLE_BAD_FUNCTION_ARGUMENT,
                        CURLE_PEER_FAILED_VERIFICATION, CURLE_TOO_MANY_REDIRECTS, CURLE_LOGIN_DENIED})
    EXPECT_FALSE(retryable_curl_code(code)) << curl_easy_strerror(code);
  EXPECT_TRUE(retryable_curl_code(CURLE_UNSUPPORTED_PROTOCOL, "Received HTTP/0.9 when not allowed"));
  EXPECT_FALSE(retryable_curl_code(CURLE_UNSUPPORTED_PROTOCOL, "Protocol \"foo\" not supported or disabled in libcurl"));
}

TEST(RetryPolicy, RetryAfterIsSecondsOnly) {
  EXPECT_EQ(parse_retry_after("0"), milliseconds(0));
  EXPECT_EQ(parse_retry_after(" 120 "), milliseconds(120'000));
  EXPECT_EQ(parse_retry_after("0.25"), milliseconds(250));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after("soon"));
  EXPECT_FALSE(parse_retry_after("12abc"));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));

  const RetryPolicy policy{.max_attempts = 3, .initial_backoff = milliseconds(100), .max_backoff = milliseconds(5000)};
  EXPECT_EQ(retry_delay(policy, 0, "2"), milliseconds(2000));
  EXPECT_EQ(retry_delay(policy, 0, "3600"), milliseconds(5000)) << "capped at max_backoff";
  EXPECT_LE(retry_delay(policy, 0, "later"), milliseconds(100)) << "no usable Retry-After: the backoff";
}

TEST(RetryPolicy, FullJitterStaysUnderTheDoublingCap) {
  const RetryPolicy policy{.max_attempts = 10, .initial_backoff = milliseconds(100), .max_backoff = milliseconds(1000)};
  std::mt19937_64 rng(42);
  const std::array<long long, 6> caps = {100, 200, 400, 800, 1000, 1000};
  for (int failures = 0; failures < static_cast<int>(caps.size()); ++failures) {
    long long low = caps[failures], high = 0;
    for (int i = 0; i < 2000; ++i) {
      const long long wait = jittered_backoff(policy, failures, rng).count();
      ASSERT_GE(wait, 0);
      ASSERT_LE(wait, caps[failures]) << "failures " << failures;
      low = std::min<long long>(low, wait);
      high = std::max<long long>(high, wait);
    }
    // Full jitter: the whole range [0, cap] is used, not a fixed or half-jittered wait.
    EXPECT_LT(low, caps[failures] / 10) << failures;
    EXPECT_GT(high, caps[failures] * 9 / 10) << failures;
  }
  EXPECT_LE(jittered_backoff(policy, 1000, rng), milliseconds(1000)) << "no overflow for a large count";
}

TEST(RetryPolicy, ForkedChildDrawsItsOwnJitter) {
  const RetryPolicy policy{.max_attempts = 2, .initial_backoff = milliseconds(1'000'000'000),
                           .max_backoff = milliseconds(1'000'000'000)};
  (void)jittered_backoff(policy, 0);  // the parent's generator exists before the fork
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::array<long long, 4> drawn{};
    for (auto& d : drawn) d = jittered_backoff(policy, 0).count();
    const bool ok = ::write(pipe_fds[1], drawn.data(), sizeof drawn) == static_cast<ssize_t>(sizeof drawn);
    ::_exit(ok ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::array<long long, 4> theirs{}, ours{};
  ASSERT_EQ(::read(pipe_fds[0], theirs.data(), sizeof theirs), static_cast<ssize_t>(sizeof theirs));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (auto& d : ours) d = jittered_backoff(policy, 0).count();
  EXPECT_NE(theirs, ours) << "a child must not retry at the same moments as its parent";
}

struct Recorder {
  std::vector<milliseconds> sleeps;
  std::function<void(milliseconds)> sleep() {
    return [this](milliseconds d) { sleeps.push_back(d); };
  }
};

const RetryPolicy kFast{.max_attempts = 4, .initial_backoff = milliseconds(8), .max_backoff = milliseconds(50)};

TEST(RetryPolicy, RetryableAnswersUseTheWholeBudgetThenComeBack) {
  Recorder r;
  int calls = 0;
  const int made = run_with_retries(kFast, {"thing", "GET x"}, [&](int n) {
    EXPECT_EQ(n, ++calls);
    return AttemptOutcome{true, "503 Service Unavailable", ""};
  }, r.sleep());
  EXPECT_EQ(made, 4);
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(r.sleeps.size(), 3u) << "no sleep after the last attempt";
  for (std::size_t i = 0; i < r.sleeps.size(); ++i) EXPECT_LE(r.sleeps[i], milliseconds(8LL << i));
}

TEST(RetryPolicy, StopsAtTheFirstUsableAnswer) {
  Recorder r;
  const int made = run_with_retries(kFast, {"thing", "GET x"}, [&](int n) {
    return n < 2 ? AttemptOutcome{true, "429 Too Many Requests", "0.03"} : AttemptOutcome{};
  }, r.sleep());
  EXPECT_EQ(made, 2);
  ASSERT_EQ(r.sleeps.size(), 1u);
  EXPECT_EQ(r.sleeps[0], milliseconds(30)) << "Retry-After honoured";
}

TEST(RetryPolicy, TransportFaultsBecomeUnavailableOnceTheBudgetIsSpent) {
  Recorder r;
  int calls = 0;
  try {
    run_with_retries(kFast, {"s3://b/k", "GET http://127.0.0.1:9/b/k"}, [&](int) -> AttemptOutcome {
      ++calls;
      throw TransportError("Couldn't connect to server", true);
    }, r.sleep());
    FAIL() << "must throw";
  } catch (const UnavailableError& e) {
    EXPECT_STREQ(e.what(), "s3://b/k: GET http://127.0.0.1:9/b/k failed after 4 attempt(s): Couldn't connect to server");
  }
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r.sleeps.size(), 3u);

  calls = 0;
  EXPECT_THROW(run_with_retries(kFast, {"u", "request"}, [&](int) -> AttemptOutcome {
    ++calls;
    throw TransportError("URL using bad/illegal format", false);
  }, r.sleep()), TransportError);
  EXPECT_EQ(calls, 1) << "a mistake is not retried";
}

}  // namespace
}  // namespace granary::io
