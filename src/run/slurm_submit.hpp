#pragma once
// Slurm job arrays for a plan (issue 11, capability 2): the sbatch script that runs each unit
// of a plan as one array task (`granary work P`, the index from SLURM_ARRAY_TASK_ID), and the
// sbatch call that submits it. Slurm needs a file system the nodes share, so the script and
// the logs are local paths; the plan itself may be local or s3://.
#include <filesystem>
#include <string>

#include "run/plan.hpp"
#include "util/subprocess.hpp"

namespace granary::run {

// P's plan header (run/plan: read_plan), checked for submission: fails naming P/plan.json
// when it is missing or malformed, or when the plan has no unit to run.
PlanHeader read_submittable_plan(const std::string& plan_uri);

struct SlurmOptions {
  int parallel = 0;         // at most this many array tasks at once; 0: no limit (no %K)
  std::string partition;    // empty: the cluster's default partition
  std::string time;         // --time, e.g. "02:00:00"; empty: the partition's default
  std::string mem;          // --mem per task, e.g. "8G"; empty: the partition's default
  std::string account;
  int cpus_per_task = 1;    // cores per array task; `granary work -j` uses exactly these
};

// Checks the options (parallel >= 0, cpus_per_task >= 1, no newlines in the values);
// fails naming the bad option.
void check_slurm_options(const SlurmOptions& options);

// `exec '<granary>' work '<P>' -j "${SLURM_CPUS_PER_TASK:-1}"`, shell-quoted.
std::string work_command(const std::string& granary_binary, const std::string& plan_uri);

// The sbatch script: #SBATCH lines (job name granary-<recipe>[-<log_name>], the array
// 0-(N-1)[%K], stdout/stderr to logs_dir/slurm-%A_%a.{out,err}, the resource options), then
// `set -euo pipefail` and `command` (one shell line).
std::string slurm_script(const PlanHeader& plan, const SlurmOptions& options,
                         const std::filesystem::path& logs_dir, const std::string& command);

// Single-quotes `text` for a POSIX shell (util/subprocess).
using granary::shell_quote;

// Runs `sbatch --parsable script` and returns the job id. No sbatch on PATH, or sbatch
// rejecting the script, throws granary::Error (bad input: 2) with sbatch's message; sbatch
// unable to reach the controller throws UnavailableError (3: try again).
std::string sbatch_submit(const std::filesystem::path& script);

}  // namespace granary::run
