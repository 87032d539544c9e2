#pragma once
// The run report: one JSON document per run with what ran, where, how long each phase took,
// what was written (with checksums) and what failed and why; grouped per job and totalled.
// Generic: it reads only the result conventions of the Job contract
//   {"status": SUCCESS|FAILED|SKIP|..., "error", "bytes" | "outputs": [{"bytes", ...}],
//    "durations": {"phase": seconds}, "peak_rss_bytes",
//    "bytes_fetched", "bytes_needed", "read_requests" (the read economy, when a recipe has one)}
// and groups tasks by a caller-given job key.
#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/recipe.hpp"

namespace granary::run {

struct RunRecord {
  std::string command;                               // the command line, for humans
  std::chrono::system_clock::time_point start, end;
  std::vector<nlohmann::json> results;               // one per task, in task order
  std::vector<std::string> job_keys;                 // one per task: the job it belongs to
  // Jobs that produced no tasks because they could not be planned: (key, reason). They are
  // reported and counted as failed jobs.
  std::vector<std::pair<std::string, std::string>> job_errors;
  // Things the user should know about a job that ran (e.g. timesteps skipped): (key, text).
  std::vector<std::pair<std::string, std::string>> job_warnings;
  int workers = 0;
  bool interrupted = false;
  nlohmann::json extra = nlohmann::json::object();   // recipe context (config file, ...), kept as "context"
  // What finishes the run when something failed: the command (default: `command`, as runs
  // resume) and the recipe's own lines (Recipe::retry_hint).
  std::string rerun_command;
  RetryHint retry;
};

// {"granary_version", "command", "host", "pid", "start", "end" (UTC ISO 8601), "wall_seconds",
//  "workers", "interrupted", "context", "rerun" {"command", "heading", "lines"},
//  "totals": {..., "task_seconds": {p50, p95, max} of the tasks' elapsed_seconds},
//  "jobs": [{"key", "tasks", "by_status",
//  "bytes_written", "durations", ["reads"], ["error"], ["warnings"], "results": [...]}, ...]}.
//  "reads" (totals and jobs, when some result reports reads): {"bytes_fetched", "bytes_needed",
//  "read_amplification" (of the sums), "read_requests"}, summed over every result, whatever
//  its status. Jobs keep first-seen order (errors, warnings, then tasks).
// Throws granary::Error when results and job_keys differ in length.
nlohmann::json build_report(const RunRecord& record);

// "{output_dir}/reports/run-YYYYmmddTHHMMSS.json" (UTC), with "-2", "-3"... when taken.
std::filesystem::path default_report_path(const std::filesystem::path& output_dir,
                                          std::chrono::system_clock::time_point start);

// Writes the report atomically (pretty-printed).
void write_report(const std::filesystem::path& path, const nlohmann::json& report);

// The terminal summary of a report is run/report_summary.hpp's human_summary.

// A result's "status" string ("UNKNOWN" when it has none).
std::string status_of(const nlohmann::json& result);

// A job that failed because a service or resource stayed unavailable (UnavailableError: S3
// after retries, a full or read-only output disk) says so in its result ("unavailable": true),
// so that its run exits 3 (run it again once the resource is back; it resumes), not 1.
void mark_if_unavailable(nlohmann::json& result, const std::exception& e);
bool failed_unavailable(const nlohmann::json& result);
// How many of `results` failed_unavailable.
std::size_t count_unavailable(const std::vector<nlohmann::json>& results);
// "1.50 MB" (powers of 1000).
std::string human_bytes(double bytes);

// "2024-05-01T12:00:00Z".
std::string iso_utc(std::chrono::system_clock::time_point t);

}  // namespace granary::run
