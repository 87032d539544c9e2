// The engine-facing commands of a plan (run/plan.hpp):
//   granary work P [--index I] [-j N]   run unit I (index from the engine's variable by default)
//   granary retry P [--units N]         a plan of the failed and missing jobs: P/retry-<n>
//   granary status P                    progress while it runs
// `granary plan ecco|atl06` (cli/ecco_run_cmd.cpp, cli/atl06_run_cmd.cpp) make plans and
// `granary report P` (cli/report_cmd.cpp) reports them.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/parallelism_option.hpp"
#include "cli/plan_writing.hpp"
#include "cli/recipes.hpp"
#include "io/store.hpp"
#include "run/job_runner.hpp"
#include "run/plan.hpp"
#include "run/plan_report.hpp"
#include "run/report.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;

struct WorkOptions {
  std::string plan;
  std::optional<std::size_t> index;
  int workers = 0;
};

void run_work(const WorkOptions& o) {
  auto dir = io::open_store(o.plan);
  const auto header = run::read_plan(*dir);
  std::size_t index = 0;
  if (o.index) {
    index = *o.index;
  } else if (auto e = run::engine_index_from_environment()) {
    index = e->index;
    spdlog::info("work: unit {} (from {})", index, e->variable);
  } else {
    fail("work: no --index, and none of SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX is set");
  }
  if (index >= header.units) fail("work: unit {} is not in {} ({} unit(s): 0..{})", index, o.plan, header.units, header.units - 1);
  const auto jobs = run::read_unit(*dir, index);
  // Results of this unit's jobs from an earlier run of it: done ones are not run again.
  const auto earlier = run::read_results_of_jobs(*dir, jobs, run::recorded_results(*dir));
  auto recipe = make_recipe(header.recipe);
  recipe->prepare(header.parameters);
  run::JobRunOptions options;
  options.workers = o.workers;
  options.plan_dir = dir.get();
  options.attempt = header.attempt;
  options.unit = index;
  options.progress_label = fmt::format("unit {}", index);
  const auto outcome = run::run_jobs(*recipe, jobs, options, earlier);
  std::size_t ok = 0;
  for (const auto& r : outcome.results) ok += run::is_done(r);
  spdlog::info("work: unit {} of {}: {} of {} job(s) done ({} done before), {} not", index, o.plan, ok, jobs.size(), outcome.skipped_done,
               jobs.size() - ok);
  exit_code = run_exit_code(outcome.pool.interrupted, ok != jobs.size(), run::count_unavailable(outcome.results));
}

struct RetryOptions {
  std::string plan;
  std::optional<std::size_t> units, jobs_per_unit;
};

void run_retry(const RetryOptions& o) {
  auto dir = io::open_store(o.plan);
  const auto state = run::read_plan_state(*dir);
  std::vector<run::PlannedJob> again;
  for (std::size_t i = 0; i < state.jobs.size(); ++i)
    if (!run::is_done(state.results[i])) again.push_back(state.jobs[i]);
  if (again.empty()) {
    fmt::print("{}: every job is done; nothing to retry\n", o.plan);
    exit_code = 0;
    return;
  }
  // As many jobs per unit as the plan had, unless told otherwise.
  const std::size_t per_unit = std::max<std::size_t>(1, state.header.units ? (state.header.jobs + state.header.units - 1) / state.header.units : 1);
  const std::size_t units = run::unit_count(again.size(), o.units, o.units || o.jobs_per_unit ? o.jobs_per_unit : per_unit);
  run::PlanHeader header = state.header;
  header.attempt = static_cast<int>(state.retries.size()) + 2;
  header.command = fmt::format("granary retry {}", o.plan);
  header.created = run::iso_utc(std::chrono::system_clock::now());
  const std::string name = fmt::format("retry-{}", state.retries.size() + 1);
  auto sub = io::open_store(dir->uri() + "/" + name);
  const auto split = run::split_into_units(again, units);
  run::write_plan(*sub, header, split);
  fmt::print("{}/{}: {} job(s) to retry in {} unit(s) (attempt {})\n  run: granary work {}/{} --index 0..{}  (or submit it)\n", o.plan, name,
             again.size(), split.size(), header.attempt, o.plan, name, split.size() - 1);
  exit_code = 0;
}

void run_status(const std::string& plan) {
  auto dir = io::open_store(plan);
  const auto s = run::read_plan_state(*dir);
  std::map<std::string, std::size_t> by_status;
  std::vector<std::size_t> unit_done(s.header.units, 0), unit_jobs(s.header.units, 0);
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    const std::string status = s.results[i].is_null() ? "MISSING" : run::status_of(s.results[i]);
    ++by_status[status];
    ++unit_jobs[s.unit_of[i]];
    unit_done[s.unit_of[i]] += run::is_done(s.results[i]);
  }
  std::size_t complete = 0, started = 0;
  for (std::size_t u = 0; u < s.header.units; ++u) {
    complete += unit_done[u] == unit_jobs[u];
    started += unit_done[u] > 0;
  }
  std::vector<std::string> parts;
  for (const auto& [status, n] : by_status) parts.push_back(fmt::format("{} {}", n, status));
  fmt::print("plan {} ({}{}): {} job(s) in {} unit(s); attempt(s): {}\n", plan, s.header.recipe,
             s.header.log_name.empty() ? "" : ", " + s.header.log_name, s.jobs.size(), s.header.units, 1 + s.retries.size());
  fmt::print("jobs: {}\n", fmt::join(parts, ", "));
  fmt::print("units: {} complete, {} partly done, {} without a finished job\n", complete, started - std::min(started, complete),
             s.header.units - started);
  exit_code = 0;
}

}  // namespace

void write_and_announce_plan(const std::string& plan_uri, run::PlanHeader header, const std::vector<run::PlannedJob>& jobs,
                             std::optional<std::size_t> units, std::optional<std::size_t> jobs_per_unit, const std::string& what,
                             const std::string& output) {
  header.created = run::iso_utc(std::chrono::system_clock::now());
  const auto split = run::split_into_units(jobs, run::unit_count(jobs.size(), units, jobs_per_unit));
  auto dir = io::open_store(plan_uri);
  run::write_plan(*dir, std::move(header), split);
  fmt::print("plan {}: {} {} in {} unit(s) -> {}\n"
             "  run a unit:  granary work {} --index I   (I = 0..{}; or the engine's array index)\n"
             "  on Slurm:    granary submit slurm {}\n"
             "  on Lambda:   granary submit lambda {} --function NAME\n",
             plan_uri, jobs.size(), what, split.size(), output, plan_uri, split.size() - 1, plan_uri, plan_uri);
}

void add_plan_commands(CLI::App& root) {
  auto* plan = root.add_subcommand("plan", "Write a plan: a run's jobs in units of work that any engine runs with `granary work`");
  plan->require_subcommand(1);
  add_plan_ecco_command(*plan);
  add_plan_atl06_command(*plan);

  auto w = std::make_shared<WorkOptions>();
  auto* work = root.add_subcommand("work", "Run one unit of a plan here (what every engine's array task runs)");
  work->add_option("plan", w->plan, "Plan directory (path or s3://bucket/prefix)")->required();
  work->add_option("--index", w->index,
                   "Unit to run (default: SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX)");
  add_parallelism_option(*work, "-j,--workers", w->workers, "Worker processes for the unit's jobs (default: all cores)");
  work->callback([w] { run_work(*w); });

  auto r = std::make_shared<RetryOptions>();
  auto* retry = root.add_subcommand("retry", "Write a plan of the failed and missing jobs of a plan (PLAN/retry-N)");
  retry->add_option("plan", r->plan, "Plan directory")->required();
  retry->add_option("--units", r->units, "Units of the retry plan (default: as many jobs per unit as the plan)");
  retry->add_option("--jobs-per-unit", r->jobs_per_unit, "Jobs per unit of the retry plan");
  retry->callback([r] { run_retry(*r); });

  auto status_plan = std::make_shared<std::string>();
  auto* status = root.add_subcommand("status", "How far a plan has got: jobs by status, units complete");
  status->add_option("plan", *status_plan, "Plan directory")->required();
  status->callback([status_plan] { run_status(*status_plan); });
}

}  // namespace granary::cli
