#include "run/lambda_submit.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "run/lambda_event.hpp"
#include "run/lambda_invoke.hpp"
#include "run/progress.hpp"
#include "run/report.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::run::lambda {
namespace {

using nlohmann::json;

// Calls fn(0..count-1) from exactly `threads` threads (never one per item). The first
// exception stops the handing out and is rethrown once every thread has returned.
void in_threads(std::size_t threads, std::size_t count, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr first;
  std::mutex mutex;
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < count;) {
        try {
          fn(i);
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!first) first = std::current_exception();
          next = count;
          return;
        }
      }
    });
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

std::string text_of(const json& result, const char* key) {
  return result.is_object() && result.contains(key) && result[key].is_string() ? result[key].get<std::string>() : std::string();
}

}  // namespace

json failed_result(const PlannedJob& job, std::size_t unit, int attempt, const std::string& error, const json& lambda_record) {
  return {{"status", "FAILED"},
          {"error", error},
          {"job", job.id},
          {"label", job.label},
          {"unit", unit},
          {"attempt", attempt},
          {"finished", iso_utc(std::chrono::system_clock::now())},
          {"lambda", lambda_record}};
}

UnitsToInvoke units_to_invoke(const io::Store& dir, const PlanHeader& header, std::size_t threads) {
  const auto recorded = recorded_results(dir);
  std::vector<PendingUnit> all(header.units);
  in_threads(std::clamp<std::size_t>(threads, 1, 32), header.units, [&](std::size_t i) {
    all[i].index = i;
    all[i].jobs = read_unit(dir, i);
    for (const auto& [id, result] : read_results_of_jobs(dir, all[i].jobs, recorded)) all[i].done += is_done(result);
  });
  UnitsToInvoke out;
  for (auto& unit : all) {
    if (unit.done == unit.jobs.size()) {
      ++out.units_done;
      continue;
    }
    out.jobs += unit.jobs.size();
    out.units.push_back(std::move(unit));
  }
  return out;
}

SubmitOutcome submit_units(io::Store& dir, const PlanHeader& header, const std::vector<PendingUnit>& units,
                           const Recipe* recipe, const SubmitOptions& options) {
  SubmitOutcome out;
  out.units = units.size();
  if (units.empty()) return out;
  out.threads = std::min(std::max<std::size_t>(options.max_concurrency, 1), units.size());

  std::atomic<std::size_t> throttles{0}, server_errors{0}, connection_errors{0};
  auto service = options.service;
  service.on_retryable = [&](long status, const std::string&) {
    if (status == 429) {
      ++throttles;
    } else if (status == 0) {
      ++connection_errors;
    } else {
      ++server_errors;
    }
  };
  const io::aws::ServiceClient client(service);

  std::size_t total_jobs = 0;
  for (const auto& u : units) total_jobs += u.jobs.size();
  Progress progress(total_jobs, "lambda " + options.function, options.progress ? Progress::Style::Auto : Progress::Style::Off);
  std::mutex mutex;  // guards `out` and `progress`
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> started{0}, in_flight{0}, max_in_flight{0};

  // Records `result` for `job` unless a done one is there already (the function may have
  // finished the job although its answer was lost); returns the job's result now.
  auto record_failure = [&](const PlannedJob& job, std::size_t unit, const std::string& error, const json& lambda_record) {
    try {
      if (auto now = read_results_of(dir, job.id); is_done(now)) return now;
    } catch (const std::exception&) {
      // no result yet (or unreadable): write ours
    }
    auto result = failed_result(job, unit, header.attempt, error, lambda_record);
    try {
      write_result(dir, job.id, result);
    } catch (const std::exception& e) {  // the job stays without a result: MISSING, retried all the same
      std::lock_guard lock(mutex);
      progress.log(spdlog::level::err, fmt::format("{}: result not recorded: {}", job.label, e.what()));
    }
    return result;
  };

  auto run_unit = [&](std::size_t k) {
    if (stop) return;
    ++started;
    const PendingUnit& unit = units[k];
    InvokeOutcome invocation;
    try {
      const json event = unit_event(options.plan_uri, unit.index, recipe ? recipe->handout() : json::object());
      const auto now = ++in_flight;
      for (auto seen = max_in_flight.load(); now > seen && !max_in_flight.compare_exchange_weak(seen, now);) {
      }
      struct Leave {
        std::atomic<std::size_t>& n;
        ~Leave() { --n; }
      } leave{in_flight};
      invocation = invoke(client, options.function, options.qualifier, event);
    } catch (const UnavailableError& e) {  // e.g. a credentials endpoint that stayed down
      invocation.kind = InvokeOutcome::Kind::Unavailable;
      invocation.error = e.what();
    } catch (const std::exception& e) {  // a 4xx (io::aws::ServiceError), keys that cannot be had
      std::lock_guard lock(mutex);
      if (out.fatal.empty()) out.fatal = e.what();
      stop = true;
      return;
    }

    if (invocation.kind == InvokeOutcome::Kind::Answered && invocation.response->index != unit.index) {
      invocation.kind = InvokeOutcome::Kind::FunctionError;
      invocation.error = fmt::format("Lambda request {}: the function answered for unit {}, not unit {}", invocation.request_id,
                                     invocation.response->index, unit.index);
    }
    json lambda_record = {{"request_id", invocation.request_id}, {"function", options.function}};
    if (!invocation.function_error.empty()) lambda_record["function_error"] = invocation.function_error;
    std::map<std::string, const PlannedJob*> by_id;
    for (const auto& job : unit.jobs) by_id[job.id] = &job;
    std::vector<json> results;  // the unit's jobs' results after this invocation
    std::string unit_error;

    if (invocation.kind == InvokeOutcome::Kind::Answered) {
      std::set<std::string> answered;
      for (auto result : invocation.response->results) {
        const std::string id = result["id"].get<std::string>();
        if (!by_id.count(id) || !answered.insert(id).second) continue;  // not this unit's job: never written
        if (!result.contains("lambda") || !result["lambda"].is_object()) result["lambda"] = lambda_record;
        if (!result.contains("job")) result["job"] = id;
        try {
          write_result(dir, id, result);
        } catch (const std::exception& e) {
          // The function's own copy may be there; the report reads whichever landed.
          std::lock_guard lock(mutex);
          progress.log(spdlog::level::err, fmt::format("{}: result not recorded: {}", by_id[id]->label, e.what()));
        }
        results.push_back(std::move(result));
      }
      for (const auto& job : unit.jobs)
        if (!answered.count(job.id))
          results.push_back(record_failure(
              job, unit.index,
              fmt::format("Lambda request {}: the function's answer for unit {} has no result for this job", invocation.request_id,
                          unit.index),
              lambda_record));
    } else {
      unit_error = invocation.error;
      for (const auto& job : unit.jobs) results.push_back(record_failure(job, unit.index, unit_error, lambda_record));
    }

    std::lock_guard lock(mutex);
    switch (invocation.kind) {
      case InvokeOutcome::Kind::Answered: ++out.answered; break;
      case InvokeOutcome::Kind::FunctionError: ++out.function_errors; break;
      case InvokeOutcome::Kind::Unavailable:
        ++out.unavailable;
        if (out.unavailable_reason.empty()) out.unavailable_reason = invocation.error;
        stop = true;  // the service stayed unavailable: the rest waits for the next run
        break;
    }
    if (!unit_error.empty()) progress.log(spdlog::level::err, fmt::format("unit {}: {}", unit.index, unit_error));
    for (const auto& r : results) {
      const bool done = is_done(r);
      ++(done ? out.jobs_done : out.jobs_failed);
      if (!done && unit_error.empty() && !text_of(r, "error").empty())
        progress.log(spdlog::level::err, fmt::format("{}: {}", text_of(r, "label").empty() ? text_of(r, "id") : text_of(r, "label"),
                                                    text_of(r, "error")));
      progress.add(r);
    }
  };

  in_threads(out.threads, units.size(), run_unit);
  progress.finish();
  out.not_started = units.size() - started;
  out.throttles = throttles;
  out.server_errors = server_errors;
  out.connection_errors = connection_errors;
  const std::size_t retryable = throttles + server_errors + connection_errors;
  out.retries = retryable - std::min(retryable, out.unavailable);
  out.max_in_flight = max_in_flight;
  return out;
}

}  // namespace granary::run::lambda
