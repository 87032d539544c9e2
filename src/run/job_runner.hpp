#pragma once
// Runs planned jobs of one recipe on this machine's cores, in the local process pool, as
// every engine's unit of work does (`granary work`) and the one-machine commands (`ecco
// run`, `atl06 run`) do: the recipe prepares once before the workers fork, each job's
// result is recorded as it arrives (results/<id>.json of a plan, when there is one), and a
// job whose result already says it is done is not run again.
#include <chrono>
#include <cstddef>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/store.hpp"
#include "run/local_executor.hpp"
#include "run/plan.hpp"
#include "run/recipe.hpp"

namespace granary::run {

struct JobRunOptions {
  int workers = 0;                  // 0: every core (capped by the job count)
  std::string progress_label;       // the progress bar's label
  io::Store* plan_dir = nullptr;    // results go to its results/ as they arrive
  int attempt = 1;                  // recorded in each result
  std::size_t unit = 0;             // recorded in each result
  // The line logged (above the progress bar) for each failed result; default: label and error.
  std::function<std::string(const PlannedJob& job, const nlohmann::json& result)> failure_message;
  // Fields an engine event handed out (magg's s3_credentials): set into every payload in place
  // of Recipe::prepare_payload, which would fetch keys this process was given.
  nlohmann::json handout = nlohmann::json::object();
  // A Lambda invocation's end (PoolOptions::deadline): jobs still running are stopped.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string deadline_reason = "the deadline passed";
  // Fields added to every result (a Lambda's request id).
  nlohmann::json result_fields = nlohmann::json::object();
};

struct JobRunOutcome {
  std::vector<nlohmann::json> results;  // one per job, in job order (done ones: the earlier result)
  std::size_t skipped_done = 0;         // jobs whose result said done already
  PoolOutcome pool;
};

// `done` holds earlier results by job id (of a plan); jobs with is_done() results are skipped.
JobRunOutcome run_jobs(const Recipe& recipe, const std::vector<PlannedJob>& jobs, const JobRunOptions& options,
                       const std::map<std::string, nlohmann::json>& done = {});

}  // namespace granary::run
