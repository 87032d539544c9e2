#pragma once
// A Lambda run's part of `granary report P --cloudwatch LOG_GROUP`: the function's log lines
// (run/lambda_log_lines.hpp) gathered per invocation, joined to the plan's jobs, and what a
// person wants from them: which invocations timed out or ran out of memory and which jobs
// they took along (those jobs' results get that reason), cold starts, the billed GB-seconds
// and the run's cost, and how to size memory and the timeout.
//
// Jobs and invocations meet by the request id: a result written by the function or the
// orchestrator carries "lambda": {"request_id"}; granary's lambda_invocation line names the
// plan, unit and job ids of the request (the one record left when the function was killed
// before it wrote anything). Invocations of other runs in the same log group are counted
// apart and not charged to this run.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/lambda_log_lines.hpp"
#include "run/plan_report.hpp"

namespace granary::run::lambda {

// Lambda's on-demand prices (USD, us-east-1, first tier, 2026): per GB-second of billed
// duration (x86_64, arm64) and per request.
inline constexpr double kX86GbSecondPrice = 0.0000166667;
inline constexpr double kArm64GbSecondPrice = 0.0000133334;
inline constexpr double kRequestPrice = 0.20 / 1e6;

struct Prices {
  double gb_second = kX86GbSecondPrice;
  double request = kRequestPrice;
  std::string arch = "x86_64";
};

// What the log says of one request.
struct InvocationRecord {
  std::string request_id;
  std::int64_t last_seen_ms = 0;  // the latest of its lines' timestamps
  std::optional<PlatformReport> report;
  std::optional<double> timed_out_after_s;  // "Task timed out after X seconds"
  std::optional<RuntimeExitLine> runtime_exit;
  std::optional<GranaryLine> started;   // lambda_invocation
  std::optional<GranaryLine> finished;  // processing_complete

  bool timed_out() const;
  bool out_of_memory() const;
  bool failed() const;  // any way of ending badly (timeout and out of memory included)
  // "Lambda: timed out after 900.00 s (the function's timeout)", "Lambda: out of memory (max
  // used 2048 of 2048 MB)", or "" when it ended neither way.
  std::string end_reason() const;
};

// Gathers log messages by request id; a message of none of the known kinds is ignored.
class InvocationLog {
 public:
  void add(std::int64_t timestamp_ms, std::string_view message);
  const std::map<std::string, InvocationRecord>& invocations() const { return invocations_; }
  std::size_t lines_used() const { return lines_used_; }

 private:
  InvocationRecord& at(const std::string& request_id, std::int64_t timestamp_ms);
  std::map<std::string, InvocationRecord> invocations_;
  std::size_t lines_used_ = 0;
};

// The FilterLogEvents pattern that selects the lines above (Lambda's and granary's), so
// that a function's other output is not read.
std::string log_filter_pattern();

// The job ids of unit `index` of the plan's retry plan `retry_name` ("retry-1"), for
// granary lines that name a retry's unit without its jobs; empty when there is no such unit.
using RetryUnitJobs = std::function<std::vector<std::string>(const std::string& retry_name, std::size_t index)>;

// Joins the log to the plan's jobs. A MISSING job, or a FAILED one whose result the function
// did not write itself (the orchestrator's "function_error" result), whose (latest)
// invocation timed out or ran out of memory gets that reason as its result's "error" (the
// earlier message kept as lambda.reported_error); a job the function failed on its own keeps
// its error. Returns the report's "lambda" section; `source` (log group, endpoint, pages,
// events, start time) is copied into it as "log".
nlohmann::json apply_lambda_logs(PlanState& state, const std::string& plan_uri, const InvocationLog& log,
                                 const Prices& prices, const nlohmann::json& source, const RetryUnitJobs& retry_unit_jobs = {});

// The "lambda" section as text for `granary report` (it replaces the core-hour cost line).
std::string lambda_summary_text(const nlohmann::json& section);

}  // namespace granary::run::lambda
