#include "run/cloudwatch_logs.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/retry_policy.hpp"
#include "util/error.hpp"

namespace granary::run::cloudwatch {
namespace {

using nlohmann::json;

// CloudWatch Logs' 400s that mean "try again later" (its API reference lists them under
// FilterLogEvents' errors; the SDKs retry them).
bool throttling(const std::string& type) {
  return type == "ThrottlingException" || type == "ServiceUnavailableException" || type == "RequestLimitExceeded" ||
         type == "TooManyRequestsException";
}

// One page, with throttling retried on top of the client's own retries.
json call_page(const io::aws::ServiceClient& client, const json& body, const std::string& log_group, FilterStats& stats) {
  json page;
  std::optional<io::aws::ServiceError> last_throttle;
  const std::string what = fmt::format("CloudWatch Logs {}", client.options().endpoint);
  io::run_with_retries(client.options().retry, {what, "FilterLogEvents " + log_group, true}, [&](int) {
    try {
      page = client.call_json(kFilterLogEventsTarget, body);
      last_throttle.reset();
      return io::AttemptOutcome{};
    } catch (const io::aws::ServiceError& e) {
      if (!throttling(io::aws::error_type(e.response()))) throw;
      ++stats.throttled;
      last_throttle = e;
      return io::AttemptOutcome{true, io::aws::describe_error(e.response()), e.response().header("retry-after")};
    }
  });
  if (last_throttle)
    throw io::aws::ServiceUnavailable(fmt::format("CloudWatch Logs (service logs) at {}: FilterLogEvents of log group {} stayed "
                                                  "throttled after {} attempt(s): {}",
                                                  client.options().endpoint, log_group, client.options().retry.max_attempts,
                                                  io::aws::describe_error(last_throttle->response())));
  return page;
}

}  // namespace

FilterStats filter_log_events(const io::aws::ServiceClient& client, const FilterRequest& request,
                              const std::function<void(const LogEvent&)>& on_event) {
  json body = {{"logGroupName", request.log_group}, {"startTime", request.start_ms}};
  if (request.end_ms) body["endTime"] = *request.end_ms;
  if (!request.filter_pattern.empty()) body["filterPattern"] = request.filter_pattern;
  if (request.limit > 0) body["limit"] = request.limit;
  FilterStats stats;
  for (;;) {
    json page;
    try {
      page = call_page(client, body, request.log_group, stats);
    } catch (const io::aws::ServiceError& e) {
      const auto type = io::aws::error_type(e.response());
      if (type == "ResourceNotFoundException")
        fail("CloudWatch Logs (service logs, region {}) at {}: log group {} does not exist ({}): check --cloudwatch "
             "(/aws/lambda/FUNCTION) and --region",
             client.options().region, client.options().endpoint, request.log_group, io::aws::describe_error(e.response()));
      fail("CloudWatch Logs (service logs, region {}) at {} refused FilterLogEvents of log group {}: {} (check the AWS "
           "credentials and that they may call logs:FilterLogEvents)",
           client.options().region, client.options().endpoint, request.log_group, io::aws::describe_error(e.response()));
    }
    ++stats.pages;
    // A page may be empty while the service still searches: only the missing nextToken ends it.
    for (const auto& e : page.value("events", json::array())) {
      if (!e.is_object()) continue;
      LogEvent event;
      event.timestamp_ms = e.value("timestamp", std::int64_t{0});
      event.message = e.value("message", std::string());
      event.log_stream = e.value("logStreamName", std::string());
      ++stats.events;
      on_event(event);
    }
    const auto token = page.find("nextToken");
    if (token == page.end() || !token->is_string() || token->get<std::string>().empty()) break;
    if (body.contains("nextToken") && body["nextToken"] == *token)
      fail("CloudWatch Logs at {}: FilterLogEvents of log group {} answered the same nextToken twice",
           client.options().endpoint, request.log_group);
    body["nextToken"] = *token;
  }
  return stats;
}

}  // namespace granary::run::cloudwatch
