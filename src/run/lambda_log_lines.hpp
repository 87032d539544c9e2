#pragma once
// The lines a Lambda function's log group holds that tell how each invocation ended, as
// CloudWatch Logs keeps them (one message per line, or several lines in one message):
//
//   Lambda's platform lines, text format:
//     REPORT RequestId: <id>\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 2048 MB
//       \tMax Memory Used: 150 MB[\tInit Duration: 300.12 ms][\tStatus: timeout]
//       [\tStatus: error\tError Type: Runtime.OutOfMemory][\tXRAY TraceId: ...]
//     <timestamp> <id> Task timed out after 900.00 seconds     (older, before the REPORT)
//     RequestId: <id> Error: Runtime exited with error: signal: killed\nRuntime.ExitError
//     RequestId: <id> Process exited before completing request
//   Lambda's platform lines, JSON format (LogFormat JSON):
//     {"time", "type": "platform.report", "record": {"requestId", "metrics": {"durationMs",
//      "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"?},
//      "status"?: "success"|"error"|"failure"|"timeout", "errorType"?}}
//   granary's own lines (run/lambda_event.hpp): {"event_type": "lambda_invocation" |
//     "processing_complete", "request_id", ...}, bare or wrapped in the JSON format's
//     {"level", "message": ...}.
// Everything else (spdlog's lines, START, END) is none of these.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace granary::run::lambda {

struct PlatformReport {
  std::string request_id;
  double duration_ms = 0;
  double billed_duration_ms = 0;
  double memory_size_mb = 0;
  double max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;  // a cold start
  std::string status;      // "" or "success" when it ended well; "timeout", "error", "failure"
  std::string error_type;  // "Runtime.OutOfMemory", "Runtime.ExitError", ... (newer formats)
};
std::optional<PlatformReport> parse_report_line(std::string_view message);

// "... <id> Task timed out after 900.00 seconds" (or "RequestId: <id> Error: Task timed out ...").
struct TimeoutLine {
  std::string request_id;
  double seconds = 0;
};
std::optional<TimeoutLine> parse_timeout_line(std::string_view message);

// "RequestId: <id> Error: Runtime exited with error: signal: killed" and "RequestId: <id>
// Process exited before completing request": the runtime died mid-invocation (the kernel's
// OOM killer, a crash). out_of_memory: the message also names Runtime.OutOfMemory.
struct RuntimeExitLine {
  std::string request_id;
  std::string detail;  // "Runtime exited with error: signal: killed"
  bool killed = false;  // by a signal
  bool out_of_memory = false;
};
std::optional<RuntimeExitLine> parse_runtime_exit_line(std::string_view message);

// One of granary's JSON lines.
struct GranaryLine {
  std::string event_type;  // kInvocationEvent or kCompleteEvent
  std::string request_id, kind, key, plan;
  std::optional<std::size_t> index;
  std::vector<std::string> jobs;  // the plan's job ids the invocation runs (lambda_invocation)
  std::string status, error;      // processing_complete
  double duration_s = 0;
};
std::optional<GranaryLine> parse_granary_line(std::string_view message);

}  // namespace granary::run::lambda
