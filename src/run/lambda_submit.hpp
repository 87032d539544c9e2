#pragma once
// The Lambda orchestrator (`granary submit lambda P`): every unit of a plan that is not done
// yet becomes one synchronous invocation of granary's function (run/lambda_invoke.hpp),
// with the event {"plan": P, "index": I, ...recipe handout}. The function runs the unit and
// writes its results; the orchestrator writes each answer's results too, and FAILED results
// for the jobs of a unit whose function failed, so that `granary report P` and `granary
// retry P` work as for every engine.
//
// Bounded on purpose (magg's orchestrator ran out of file descriptors at 1,700 concurrent
// invocations): exactly N threads, each with its own connection (io::aws::ServiceClient
// keeps one curl handle per thread), pull units from a shared counter, so at most N
// requests are in flight and at most N sockets are open, whatever the plan's size.
#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "io/aws_service.hpp"
#include "io/store.hpp"
#include "run/plan.hpp"
#include "run/recipe.hpp"

namespace granary::run::lambda {

inline constexpr std::size_t kDefaultMaxConcurrency = 100;

struct PendingUnit {
  std::size_t index = 0;
  std::vector<PlannedJob> jobs;
  std::size_t done = 0;  // jobs with a done result already (the function skips them)
};

struct UnitsToInvoke {
  std::vector<PendingUnit> units;  // in index order
  std::size_t units_done = 0;      // units whose every job is done: not invoked again
  std::size_t jobs = 0;            // jobs of `units`
};

// The units of the plan in `dir` with a job whose result (in the plan's results/) is not
// done; units and results are read by `threads` threads at once (S3 plans).
UnitsToInvoke units_to_invoke(const io::Store& dir, const PlanHeader& header, std::size_t threads);

struct SubmitOptions {
  std::string plan_uri;  // as the function will read it (s3://..., or an absolute path)
  std::string function;
  std::string qualifier;                          // version or alias; "" for $LATEST
  std::size_t max_concurrency = kDefaultMaxConcurrency;  // threads = min(this, units)
  io::aws::ServiceOptions service;                // run/lambda_invoke: invoke_service_options
  bool progress = true;                           // a bar on a terminal, log lines otherwise
};

struct SubmitOutcome {
  std::size_t units = 0;            // to invoke
  std::size_t answered = 0;         // units the function answered
  std::size_t function_errors = 0;  // units whose function failed (their jobs FAILED)
  std::size_t unavailable = 0;      // units whose every attempt was throttled or failed
  std::size_t not_started = 0;      // units left when the submit stopped
  std::size_t jobs_done = 0, jobs_failed = 0;  // of the invoked units, after this run
  std::size_t throttles = 0, server_errors = 0, connection_errors = 0, retries = 0;
  std::size_t threads = 0, max_in_flight = 0;
  std::string fatal;        // a 4xx (no such function, bad keys) stopped the submit: why
  std::string unavailable_reason;  // the first unit that could not be invoked: why
};

// Invokes `units` of the plan in `dir`. Never throws for what the service answers: the
// outcome says. `recipe` (prepared; may be null) gives each event its handout().
SubmitOutcome submit_units(io::Store& dir, const PlanHeader& header, const std::vector<PendingUnit>& units,
                           const Recipe* recipe, const SubmitOptions& options);

// The FAILED result of `job` (unit `unit`, attempt `attempt`) for `error`, with the
// invocation's "lambda" record: like the results `granary work` writes.
nlohmann::json failed_result(const PlannedJob& job, std::size_t unit, int attempt, const std::string& error,
                             const nlohmann::json& lambda_record);

}  // namespace granary::run::lambda
