#pragma once
// The wire contract of granary's Lambda function, shared by the runtime (`granary lambda`),
// the orchestrator (`granary submit lambda`) and the CloudWatch reader (`granary report
// --cloudwatch`). docs/lambda.md describes it for users.
//
// Events the function answers:
//   plan unit   {"plan": URI, "index": I, ...handout}: runs unit I of the plan, writes each
//               job's result to <plan>/results/<id>.json (as `granary work` does) and answers
//               a UnitResponse. `handout` fields (magg's "s3_credentials") are given to every
//               job's payload: the orchestrator fetched them once and refreshes them.
//   magg        {"parent_morton", "parent_order", "child_order", "granule_urls", ...}:
//               answered with magg's return object, unchanged.
//   ecco        {"ecco": parameters, "tasks": [task, ...]} or {"ecco": parameters, "task": task}:
//               ECCO product tasks with the plan parameters of `plan ecco` (config_yaml, ...);
//               answered with {"status", "results": [...]}.
// Every result a Lambda writes to a plan or returns for ECCO tasks carries "lambda":
// {"request_id", "function", "memory_mb"}, so CloudWatch's REPORT lines (which name the
// request id) join to jobs. magg's return object stays magg's.
//
// Log lines (stdout, so CloudWatch Logs keeps them), one JSON object per line:
//   {"event_type": "lambda_invocation", "request_id", "kind": "plan_unit"|"magg"|"ecco",
//    "key", "plan"?, "index"?, "remaining_ms"}
//   {"event_type": "processing_complete", "request_id", "kind", "key", "plan"?, "index"?,
//    "status", "duration_s", "error"?}
// `key` names the work: "<plan>#<index>", magg's parent_morton, or the ECCO task labels.
// Events are never logged: magg's carry credentials.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::run::lambda {

inline constexpr const char* kInvocationEvent = "lambda_invocation";
inline constexpr const char* kCompleteEvent = "processing_complete";

// {"plan": uri, "index": index} plus the handout fields.
nlohmann::json unit_event(const std::string& plan_uri, std::size_t index,
                          const nlohmann::json& handout = nlohmann::json::object());
// The unit of a plan-unit event, or nullopt when the event is of another kind. Throws
// granary::Error for a malformed one (a "plan" that is not a string, a negative index).
struct UnitEvent {
  std::string plan;
  std::size_t index = 0;
  nlohmann::json handout = nlohmann::json::object();  // every other field
};
std::optional<UnitEvent> parse_unit_event(const nlohmann::json& event);

// What the function answers for a plan unit.
struct UnitResponse {
  std::string plan;
  std::size_t index = 0;
  std::string status;  // SUCCESS when every job is done (SUCCESS or SKIP), else FAILED
  double duration_s = 0;
  std::vector<nlohmann::json> results;  // each with "id" (the job's) and the job's result
  nlohmann::json to_json() const;
  // Throws granary::Error naming what is missing.
  static UnitResponse from_json(const nlohmann::json& j);
};

}  // namespace granary::run::lambda
