#pragma once
// What a recipe is to the engines: one small interface (shared/STYLE.md section 4). run/
// still knows only JSON; the recipes are listed explicitly in cli/recipes.cpp, the one layer
// that sees both recipes/ and run/.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::run {

// A recipe's own words for re-running what failed (ECCO: the jobs.txt lines of the failed
// timesteps), shown under the rerun command in reports.
struct RetryHint {
  std::string heading;
  std::vector<std::string> lines;
};

// What a job may use of the worker it runs in.
struct JobContext {
  int threads = 0;  // its share of the cores (0: all), so N workers do not oversubscribe them
};

class Recipe {
 public:
  virtual ~Recipe() = default;
  virtual std::string name() const = 0;  // a plan's "recipe"
  // Once per process, before workers fork: what every job shares (grid, factors), from the
  // plan's parameters. Throws granary::Error for parameters it cannot use. "handed_out" in
  // the parameters lists payload fields an engine event brings fresh (magg's s3_credentials
  // from the Lambda orchestrator): the recipe must not fetch them itself.
  virtual void prepare(const nlohmann::json& parameters) = 0;
  // Runs one payload in a worker. A failed job is a result {"status": "FAILED", "error"};
  // throws only for a payload it cannot read (the executor makes that a FAILED result too).
  virtual nlohmann::json run(const nlohmann::json& payload, const JobContext& job) const = 0;
  // In the parent, just before a payload goes to a worker (e.g. fresh credentials added);
  // what it adds stays out of results.
  virtual nlohmann::json prepare_payload(const nlohmann::json& payload) const { return payload; }
  // Fields the process that hands out jobs adds to each engine event (Lambda's plan-unit
  // event: run/lambda_event.hpp), fresh at each call: e.g. magg's "s3_credentials", fetched
  // once by prepare() and refreshed before they expire. Never written into a plan or a log.
  virtual nlohmann::json handout() const { return nlohmann::json::object(); }
  virtual RetryHint retry_hint(const std::vector<nlohmann::json>& /*failed_payloads*/) const { return {}; }
  // Fields of the run report's "context" for this run.
  virtual nlohmann::json context() const { return nlohmann::json::object(); }
};

}  // namespace granary::run
