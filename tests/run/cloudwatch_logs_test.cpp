// FilterLogEvents against the loopback CloudWatch Logs endpoint: SigV4 for service "logs",
// every page followed (empty ones too), startTime and the filter pattern sent, throttling
// (a 400 for CloudWatch Logs) retried, and a missing log group or wrong keys named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "io/credential_provider.hpp"
#include "run/cloudwatch_logs.hpp"
#include "support/cloudwatch_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::run::cloudwatch {
namespace {

using nlohmann::json;
using testing::HasSubstr;

const io::s3::Credentials kKeys{"AKIDCLOUDWATCHTEST", "cloudwatch-secret", ""};
constexpr std::int64_t kT0 = 1'780'000'000'000;

json events(int n) {
  json out = json::array();
  for (int i = 0; i < n; ++i)
    out.push_back({{"timestamp", kT0 + i * 1000},
                   {"message", i % 2 ? fmt::format("REPORT RequestId: r{}\tDuration: 1 ms", i) : fmt::format("noise {}", i)}});
  return out;
}

io::aws::ServiceClient client(const test::CloudWatchTestServer& server, const io::s3::Credentials& keys) {
  io::aws::ServiceOptions o;
  o.service = "logs";
  o.region = server.region();
  o.endpoint = server.endpoint();
  o.credentials = std::make_shared<io::s3::StaticProvider>(io::s3::ResolvedCredentials{keys, "test"});
  o.retry = {.max_attempts = 4, .initial_backoff = std::chrono::milliseconds(5), .max_backoff = std::chrono::milliseconds(20)};
  return io::aws::ServiceClient(o);
}

class CloudWatchLogs : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::CloudWatchTestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the CloudWatch test server";
  }
};

TEST_F(CloudWatchLogs, EveryPageIsReadFromTheStartTime) {
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events(20)}, {"/aws/lambda/other", events(4)}};
  options.credentials = {kKeys};
  options.empty_first_page = true;  // the service answers empty pages while it searches
  test::CloudWatchTestServer server(options);
  std::vector<std::int64_t> seen;
  const auto stats = filter_log_events(client(server, kKeys), {.log_group = "/aws/lambda/fn", .start_ms = kT0 + 4000},
                                       [&](const LogEvent& e) {
                                         seen.push_back(e.timestamp_ms);
                                         EXPECT_FALSE(e.log_stream.empty());
                                       });
  ASSERT_EQ(seen.size(), 16u);  // events 4..19
  EXPECT_EQ(seen.front(), kT0 + 4000);
  EXPECT_EQ(seen.back(), kT0 + 19000);
  EXPECT_EQ(stats.events, 16u);
  EXPECT_EQ(stats.pages, 1u + 6u);  // the empty one, then 6 pages of at most 3
  const auto s = server.stats();
  EXPECT_EQ(s["pages"], 7);
  EXPECT_EQ(s["refused"], 0);
  ASSERT_EQ(s["requests_seen"].size(), 1u);
  EXPECT_EQ(s["requests_seen"][0]["startTime"], kT0 + 4000);
  EXPECT_EQ(s["requests_seen"][0]["logGroupName"], "/aws/lambda/fn");
}

TEST_F(CloudWatchLogs, FilterPatternAndThrottlingRetried) {
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events(20)}};
  options.credentials = {kKeys};
  options.throttle_calls = {2, 3};  // the second page is throttled twice (400 ThrottlingException)
  test::CloudWatchTestServer server(options);
  std::vector<std::string> messages;
  const auto stats = filter_log_events(client(server, kKeys),
                                       {.log_group = "/aws/lambda/fn", .start_ms = kT0, .filter_pattern = "?REPORT ?\"Task timed out\""},
                                       [&](const LogEvent& e) { messages.push_back(e.message); });
  ASSERT_EQ(messages.size(), 10u);  // the odd ones
  for (const auto& m : messages) EXPECT_THAT(m, HasSubstr("REPORT"));
  EXPECT_EQ(stats.throttled, 2u);
  EXPECT_EQ(stats.pages, 4u);
  EXPECT_EQ(server.stats()["throttled"], 2);
}

TEST_F(CloudWatchLogs, ThrottledForeverIsUnavailable) {
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events(2)}};
  options.credentials = {kKeys};
  options.throttle_calls = {1, 2, 3, 4};
  test::CloudWatchTestServer server(options);
  try {
    filter_log_events(client(server, kKeys), {.log_group = "/aws/lambda/fn"}, [](const LogEvent&) {});
    FAIL() << "no error";
  } catch (const io::aws::ServiceUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("ThrottlingException"));
    EXPECT_THAT(e.what(), HasSubstr("/aws/lambda/fn"));
  }
}

TEST_F(CloudWatchLogs, MissingLogGroupAndWrongKeysAreNamed) {
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events(2)}};
  options.credentials = {kKeys};
  test::CloudWatchTestServer server(options);
  auto message = test::error_of(
      [&] { filter_log_events(client(server, kKeys), {.log_group = "/aws/lambda/nope"}, [](const LogEvent&) {}); });
  EXPECT_THAT(message, HasSubstr("log group /aws/lambda/nope does not exist"));
  EXPECT_THAT(message, HasSubstr("ResourceNotFoundException"));
  message = test::error_of([&] {
    filter_log_events(client(server, {kKeys.access_key_id, "wrong-secret", ""}), {.log_group = "/aws/lambda/fn"},
                      [](const LogEvent&) {});
  });
  EXPECT_THAT(message, HasSubstr("CloudWatch Logs (service logs"));
  EXPECT_THAT(message, HasSubstr("InvalidSignatureException"));
  EXPECT_THAT(message, testing::Not(HasSubstr("wrong-secret")));
  EXPECT_EQ(server.stats()["refused"], 1);
}

}  // namespace
}  // namespace granary::run::cloudwatch
