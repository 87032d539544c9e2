#pragma once
// A plan: the jobs of a run, grouped into units of work, in a directory any engine can read
// (a local path or s3://bucket/prefix):
//   plan.json          the header: recipe, parameters, job and unit counts, the command
//   units/<i>.json     {"unit": i, "jobs": [{"id", "label", "payload"}, ...]}
//   results/<id>.json  one result per job, written atomically by whoever ran it
//   logs/              what engines capture (Slurm's stdout and stderr per array task)
//   retry-<n>/         plans of the jobs a retry runs again (the same ids)
// plan.json is written last: a directory without it is no plan (a planner stopped midway).
// run/ knows only JSON here: payloads are whatever the recipe makes of a job.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/store.hpp"

namespace granary::run {

inline constexpr const char* kPlanFormat = "granary-plan/1";
// Jobs in one plan at most (plan.json's "jobs"; its "units" are at most as many).
inline constexpr std::size_t kMaxPlanJobs = 10'000'000;

struct PlannedJob {
  std::string id;     // unique in the plan, file-name safe (the result's name)
  std::string label;  // what a person calls the job (reports group tasks by it)
  nlohmann::json payload;
};

struct PlanHeader {
  std::string recipe;
  nlohmann::json parameters = nlohmann::json::object();  // what every job shares (Recipe::prepare)
  std::size_t jobs = 0, units = 0;
  std::string command;   // the command that made the plan
  std::string created;   // UTC ISO 8601
  std::string log_name;  // a tag for the run (--log-name)
  int attempt = 1;       // 2, 3, ... for a retry's plan
  nlohmann::json to_json() const;
  static PlanHeader from_json(const nlohmann::json& j, const std::string& source);
};

// Jobs split into `units` contiguous blocks of near-equal size (never an empty unit: fewer
// units when there are fewer jobs).
std::vector<std::vector<PlannedJob>> split_into_units(std::vector<PlannedJob> jobs, std::size_t units);
// The unit count for --units N or --jobs-per-unit K (one of them, or neither: one job per unit).
std::size_t unit_count(std::size_t jobs, std::optional<std::size_t> units, std::optional<std::size_t> jobs_per_unit);

// Writes the units, then plan.json; header.jobs and header.units are set from `units`.
// Refuses a directory that already holds a plan (plans are never overwritten).
void write_plan(io::Store& dir, PlanHeader header, const std::vector<std::vector<PlannedJob>>& units);
// Throws granary::Error naming the plan when plan.json is missing or malformed.
PlanHeader read_plan(const io::Store& dir);
std::vector<PlannedJob> read_unit(const io::Store& dir, std::size_t index);
std::vector<PlannedJob> read_all_jobs(const io::Store& dir, const PlanHeader& header);

std::string result_key(const std::string& job_id);
void write_result(io::Store& dir, const std::string& job_id, const nlohmann::json& result);
// Every result in results/ by job id (unreadable ones become FAILED results saying so).
std::map<std::string, nlohmann::json> read_results(const io::Store& dir);
// One job's result (an unreadable one becomes a FAILED result saying so).
nlohmann::json read_results_of(const io::Store& dir, const std::string& job_id);
// The keys under results/ that exist: one listing (on S3 a LIST, not a HEAD per job).
std::set<std::string> recorded_results(const io::Store& dir);
// The results of `jobs` among `recorded` (only those are read), by job id.
std::map<std::string, nlohmann::json> read_results_of_jobs(const io::Store& dir, const std::vector<PlannedJob>& jobs,
                                                          const std::set<std::string>& recorded);

// A job is done when its result says SUCCESS or SKIP: running it again would change nothing.
bool is_done(const nlohmann::json& result);

// "retry-1", "retry-2", ...: the retry plans under a plan, in order.
std::vector<std::string> retry_plan_names(const io::Store& dir);

// The array index of this process: SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX or
// JOB_COMPLETION_INDEX (Kubernetes indexed Jobs), the first that is set; nullopt if none.
// A malformed value is an error naming the variable.
struct EngineIndex {
  std::size_t index = 0;
  std::string variable;
};
std::optional<EngineIndex> engine_index_from_environment();

}  // namespace granary::run
