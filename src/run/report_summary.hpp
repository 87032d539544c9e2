#pragma once
// What a person wants from a run report: what ran and how it ended, the slowest jobs,
// failures grouped by reason (not one line per file), and the command that picks up what is
// left. Works on any report of run/report.hpp (ECCO and ATL06), read back from JSON.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::run {

// Whether a JSON document is a run report (has the members the summaries read); the one test
// `granary report` and `granary info` share.
bool is_run_report(const nlohmann::json& document);

struct FailureGroup {
  std::string reason;               // the message with file names and numbers generalised
  std::size_t count = 0;
  std::vector<std::string> examples;  // "job: message", the first few as written
};

// Failed tasks, jobs that could not be planned and (ATL06) failed granules, grouped by
// reason, largest group first.
std::vector<FailureGroup> group_failures(const nlohmann::json& report, std::size_t examples_per_group = 2);

// "/data/x/ATL06_2019.h5: truncated at byte 1234" -> "<file>: truncated at byte <n>".
std::string generalise_reason(const std::string& message);

// The job keys and elapsed seconds (sum over the job's tasks) of the `top` slowest jobs.
std::vector<std::pair<std::string, double>> slowest_jobs(const nlohmann::json& report, std::size_t top);

// The rerun that finishes the run: the report's rerun command (runs resume, so usually the
// same command; `granary retry` for a plan), then the recipe's own lines (ECCO: the jobs.txt
// lines of just the failed timesteps). Empty when nothing is left to do.
std::vector<std::string> next_commands(const nlohmann::json& report);

// {totals, slowest_jobs [{job, seconds}], failures [{reason, count, examples}],
// next_commands}: the summary for scripts. totals.reads is the run's read economy (bytes
// fetched and needed, amplification, requests) when its results report one (ATL06); lambda is
// the report's "lambda" section when it has one (report --cloudwatch, run/lambda_report.hpp).
nlohmann::json summary_json(const nlohmann::json& report, std::size_t top = 5);

// What the run cost and how to size the next one, from its results: core-hours (one core per
// running job) at a price, the largest per-job peak memory and a memory per worker process
// with 25% headroom (in 64 MiB steps, at least 256 MiB), the longest job (for time limits),
// and the useful concurrency: ceil(job time summed / longest job), the number of jobs at once
// beyond which the longest job alone sets the wall time (more workers only wait).
// The default price is an on-demand vCPU-hour of AWS Batch on EC2/Fargate in us-west-2
// (USD, 2026); `granary report --price-core-hour` sets another (a site's Slurm charge).
inline constexpr double kDefaultCoreHourPrice = 0.0425;
nlohmann::json sizing(const nlohmann::json& report, double price_per_core_hour = kDefaultCoreHourPrice);

// The whole summary as text for a terminal. A report with a "lambda" section (a Lambda run)
// shows it in place of the core-hour cost and worker sizing lines.
std::string human_summary(const nlohmann::json& report, std::size_t top = 5,
                          double price_per_core_hour = kDefaultCoreHourPrice);

}  // namespace granary::run
