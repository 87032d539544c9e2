#pragma once
// Reading a log group through CloudWatch Logs' FilterLogEvents (AWS JSON 1.1: POST / with
// X-Amz-Target: Logs_20140328.FilterLogEvents, SigV4 for service "logs"), page by page:
// each page's events are handed over and dropped before the next page is asked for, so a
// log group of millions of lines needs the memory of one page (at most 1 MB / 10,000 events).
//
// Retries: io::aws::ServiceClient retries transport faults, 429 and 5xx; CloudWatch Logs
// also answers throttling as 400 ThrottlingException (and ServiceUnavailableException), which
// are retried here with the client's backoff. ResourceNotFoundException names the log group.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "io/aws_service.hpp"

namespace granary::run::cloudwatch {

inline constexpr const char* kFilterLogEventsTarget = "Logs_20140328.FilterLogEvents";

struct LogEvent {
  std::int64_t timestamp_ms = 0;  // when the line was logged (ms since the epoch)
  std::string message;
  std::string log_stream;
};

struct FilterRequest {
  std::string log_group;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;
  std::string filter_pattern;  // "" for every event
  int limit = 0;               // events per page; 0: the service's default (10,000)
};

struct FilterStats {
  std::size_t pages = 0;   // FilterLogEvents answers
  std::size_t events = 0;
  std::size_t throttled = 0;  // throttling answers retried
};

// Calls `on_event` for every event of the log group that matches, in the service's order.
// Throws granary::Error for a missing log group or a refused request (bad keys, no
// permission), naming the service and the log group; io::aws::ServiceUnavailable when the
// service stays throttled or unavailable after retries.
FilterStats filter_log_events(const io::aws::ServiceClient& client, const FilterRequest& request,
                              const std::function<void(const LogEvent&)>& on_event);

}  // namespace granary::run::cloudwatch
