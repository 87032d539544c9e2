#include "run/job_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "run/progress.hpp"
#include "run/report.hpp"

namespace granary::run {

using nlohmann::json;

JobRunOutcome run_jobs(const Recipe& recipe, const std::vector<PlannedJob>& jobs, const JobRunOptions& options,
                       const std::map<std::string, json>& done) {
  JobRunOutcome out;
  out.results.resize(jobs.size());
  std::vector<std::size_t> todo;
  std::vector<json> payloads;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (auto it = done.find(jobs[i].id); it != done.end() && is_done(it->second)) {
      out.results[i] = it->second;
      ++out.skipped_done;
      continue;
    }
    todo.push_back(i);
    payloads.push_back(jobs[i].payload);
  }
  if (payloads.empty()) return out;

  const int workers = std::min<int>(default_workers(options.workers), static_cast<int>(payloads.size()));
  // Each worker's TBB pool gets its share of the cores, so N workers do not oversubscribe them.
  const JobContext context{std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, workers))};
  Progress progress(payloads.size(), options.progress_label.empty() ? recipe.name() : options.progress_label);
  PoolOptions pool;
  pool.workers = workers;
  if (options.handout.is_object() && !options.handout.empty()) {
    pool.prepare = [&options](const json& payload) {
      json p = payload;
      for (const auto& [key, value] : options.handout.items()) p[key] = value;
      return p;
    };
  } else {
    pool.prepare = [&recipe](const json& payload) { return recipe.prepare_payload(payload); };
  }
  pool.deadline = options.deadline;
  pool.deadline_reason = options.deadline_reason;
  pool.on_result = [&](std::size_t k, const json& r) {
    const PlannedJob& job = jobs[todo[k]];
    json result = r;
    if (result.is_object()) {
      result["job"] = job.id;
      result["label"] = job.label;
      result["unit"] = options.unit;
      result["attempt"] = options.attempt;
      result["finished"] = iso_utc(std::chrono::system_clock::now());
      if (options.result_fields.is_object())
        for (const auto& [key, value] : options.result_fields.items()) result[key] = value;
    }
    if (options.plan_dir) {
      try {
        write_result(*options.plan_dir, job.id, result);
      } catch (const std::exception& e) {
        // The job ran; its record did not land, so it is not done: the next run of the unit
        // runs it again, and this one says so (a full disk: exit 3).
        progress.log(spdlog::level::err, fmt::format("{}: result not recorded: {}", job.label, e.what()));
        if (result.is_object() && status_of(result) != "FAILED") {
          result["status"] = "FAILED";
          result["error"] = fmt::format("the job ran but its result was not recorded: {}", e.what());
        }
        mark_if_unavailable(result, e);
      }
    }
    if (status_of(result) == "FAILED") {
      const auto error = result.is_object() && result.contains("error") && result["error"].is_string() ? result["error"].get<std::string>()
                                                                                                      : std::string("failed");
      progress.log(spdlog::level::err, options.failure_message ? options.failure_message(job, result) : job.label + ": " + error);
    }
    progress.add(result);
    out.results[todo[k]] = std::move(result);
  };
  // Test hook: GRANARY_TEST_TASK_DELAY_SECONDS holds every job back that long before it runs,
  // so a test can kill a worker in the middle of a unit.
  const char* delay = std::getenv("GRANARY_TEST_TASK_DELAY_SECONDS");
  const double delay_seconds = delay ? std::atof(delay) : 0.0;
  out.pool = run_local(
      payloads,
      [&recipe, context, delay_seconds](const json& p) {
        if (delay_seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(delay_seconds));
        return recipe.run(p, context);
      },
      pool);
  progress.finish();
  // Results the pool made itself (cancelled, crashed workers) arrived through on_result too,
  // except those of tasks never started after an interrupt: record them in order.
  for (std::size_t k = 0; k < todo.size(); ++k)
    if (out.results[todo[k]].is_null()) out.results[todo[k]] = out.pool.results[k];
  return out;
}

}  // namespace granary::run
