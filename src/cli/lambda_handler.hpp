#pragma once
// What granary's Lambda function does with one event (run/lambda_event.hpp has the
// contract): a plan unit, magg's event or ECCO tasks. Shared state (a plan's prepared
// recipe: grid, mapping factors, metadata; an ECCO configuration's) is made once per
// container and kept across invocations. Every job runs in a forked worker, so a job still
// running at the invocation's deadline can be stopped: its output is never renamed into
// place (or its upload never completed), so nothing partial appears.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "run/plan.hpp"
#include "run/recipe.hpp"

namespace granary::cli {

struct InvocationContext {
  std::string request_id;
  std::string function_name;  // AWS_LAMBDA_FUNCTION_NAME
  std::int64_t memory_mb = 0;  // AWS_LAMBDA_FUNCTION_MEMORY_SIZE
  // Jobs are stopped this long before the deadline, so the answer still reaches Lambda.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  int workers = 0;  // job workers (0: every core Lambda gives the function)
};

struct HandlerAnswer {
  bool function_error = false;  // POST .../error instead of .../response
  std::string error_type;       // with function_error
  std::string error_message;
  nlohmann::json response;      // the answer (or, for an error, nothing)
  std::string kind;             // plan_unit | magg | ecco
  std::string key;              // the work's name for the log lines
  std::string status;           // SUCCESS | FAILED
};

class LambdaHandler {
 public:
  // Start-up: prepares a plan's recipe before the first event (GRANARY_LAMBDA_PLAN), so the
  // cold start carries the loading. Throws granary::Error.
  void preload_plan(const std::string& plan_uri);
  // Never throws for a bad event: that is a function error of type Granary.BadEvent.
  HandlerAnswer handle(const nlohmann::json& event, const InvocationContext& context);
  // The work's name of an event for the first log line, before it runs ("" if unknown).
  static std::string describe(const nlohmann::json& event, std::string* kind);

 private:
  struct PreparedPlan {
    run::PlanHeader header;
    std::unique_ptr<run::Recipe> recipe;
  };
  PreparedPlan& plan(const std::string& uri);
  HandlerAnswer run_unit(const nlohmann::json& event, const InvocationContext& context);
  HandlerAnswer run_magg(const nlohmann::json& event, const InvocationContext& context);
  HandlerAnswer run_ecco(const nlohmann::json& event, const InvocationContext& context);

  std::map<std::string, PreparedPlan> plans_;                        // by URI
  std::map<std::string, std::unique_ptr<run::Recipe>> ecco_recipes_;  // by parameters
};

// "stopped: the Lambda invocation's deadline ..." for results.
std::string deadline_reason();

}  // namespace granary::cli
