#include "run/lambda_report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "run/lambda_event.hpp"
#include "run/plan.hpp"
#include "run/report.hpp"

namespace granary::run::lambda {
namespace {

using nlohmann::json;

constexpr double kMaxMemoryMb = 10240;  // Lambda's largest memory size
constexpr double kMaxTimeoutS = 900;    // and longest timeout

bool platform_error(const InvocationRecord& inv) {
  return (inv.report && (inv.report->status == "error" || inv.report->status == "failure")) || inv.runtime_exit.has_value();
}

bool explicit_out_of_memory(const InvocationRecord& inv) {
  return (inv.report && inv.report->error_type == "Runtime.OutOfMemory") || (inv.runtime_exit && inv.runtime_exit->out_of_memory);
}

std::string without_trailing_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Nearest rank, as the run report's task_seconds.
double rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, k > 0 ? k - 1 : 0)];
}

std::string request_id_of(const json& result) {
  if (!result.is_object() || !result.contains("lambda") || !result["lambda"].is_object()) return {};
  const auto& l = result["lambda"];
  return l.contains("request_id") && l["request_id"].is_string() ? l["request_id"].get<std::string>() : std::string();
}

std::string dollars(double amount) { return amount >= 1 ? fmt::format("${:.2f}", amount) : fmt::format("${:.4f}", amount); }

// A unit price as written on price lists: 0.0000166667, not 1.66667e-05.
std::string unit_price(double price) {
  std::string s = fmt::format("{:.10f}", price);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return "$" + s;
}

// size_mb: the largest memory size seen; oom_size_mb: the largest at which an invocation ran
// out of memory (the function may have been given more since).
json memory_advice(double size_mb, double max_used_mb, std::size_t out_of_memory, double oom_size_mb) {
  json m = {{"memory_size_mb", size_mb}, {"max_memory_used_mb", max_used_mb}};
  if (size_mb <= 0) {
    m["advice"] = "no REPORT line: nothing to size from";
    return m;
  }
  if (oom_size_mb <= 0) oom_size_mb = size_mb;  // known from Runtime.OutOfMemory lines alone
  if (out_of_memory > 0 && oom_size_mb >= kMaxMemoryMb) {
    m["advice"] = fmt::format("{} invocation(s) ran out of memory at {:.0f} MB, Lambda's most: plan fewer jobs per unit",
                              out_of_memory, oom_size_mb);
    return m;
  }
  if (out_of_memory > 0) {
    const double more = std::min(kMaxMemoryMb, std::max(size_mb, oom_size_mb * 2));
    m["suggested_mb"] = more;
    m["advice"] = fmt::format(
        "{} invocation(s) ran out of memory at {:.0f} MB: give the function more (e.g. {:.0f} MB), or plan fewer jobs per "
        "unit",
        out_of_memory, oom_size_mb, more);
    return m;
  }
  // 25% headroom, in 128 MB steps: Lambda's sizes are whole MB from 128 to 10,240.
  const double suggested = std::clamp(std::ceil(max_used_mb * 1.25 / 128) * 128, 128.0, kMaxMemoryMb);
  m["suggested_mb"] = suggested;
  if (suggested < size_mb)
    m["advice"] = fmt::format(
        "max used {:.0f} MB of {:.0f} MB: {:.0f} MB would do; Lambda's CPU share scales with memory (1,769 MB is one "
        "vCPU), so check the duration at the smaller size",
        max_used_mb, size_mb, suggested);
  else
    m["advice"] = fmt::format("max used {:.0f} MB of {:.0f} MB: keep it (less than 25% headroom would be left below)",
                              max_used_mb, size_mb);
  return m;
}

json timeout_advice(std::optional<double> limit_s, const std::vector<double>& durations, std::size_t timed_out) {
  json t = {{"limit_seconds", limit_s ? json(*limit_s) : json(nullptr)},
            {"p95_seconds", rank(durations, 0.95)},
            {"max_seconds", durations.empty() ? 0.0 : durations.back()}};
  const double p95 = rank(durations, 0.95);
  if (timed_out > 0 && limit_s.value_or(0) >= kMaxTimeoutS) {
    t["advice"] = fmt::format("{} invocation(s) hit the {:.0f} s timeout, Lambda's longest: plan smaller units (--jobs-per-unit)",
                              timed_out, *limit_s);
  } else if (timed_out > 0) {
    t["advice"] = fmt::format(
        "{} invocation(s) hit the {:.0f} s timeout: raise it (at most {:.0f} s) or plan smaller units (--jobs-per-unit)",
        timed_out, limit_s.value_or(0), kMaxTimeoutS);
  } else if (limit_s) {
    t["advice"] = fmt::format("p95 {:.2f} s is {:.0f}% of the {:.0f} s timeout", p95, 100 * p95 / *limit_s, *limit_s);
  } else {
    t["advice"] = fmt::format("p95 {:.2f} s; the timeout must exceed the longest unit ({:.2f} s; at most {:.0f} s)", p95,
                              durations.empty() ? 0.0 : durations.back(), kMaxTimeoutS);
  }
  return t;
}

}  // namespace

bool InvocationRecord::timed_out() const {
  return !explicit_out_of_memory(*this) && ((report && report->status == "timeout") || timed_out_after_s.has_value());
}

bool InvocationRecord::out_of_memory() const {
  if (explicit_out_of_memory(*this)) return true;
  // Older formats say only that the runtime was killed: with the memory full, that was the
  // kernel's OOM killer.
  return !timed_out() && report && report->memory_size_mb > 0 && report->max_memory_used_mb >= report->memory_size_mb &&
         platform_error(*this);
}

bool InvocationRecord::failed() const { return timed_out() || out_of_memory() || platform_error(*this); }

std::string InvocationRecord::end_reason() const {
  if (out_of_memory()) {
    if (report && report->memory_size_mb > 0)
      return fmt::format("Lambda: out of memory (max used {:.0f} of {:.0f} MB)", report->max_memory_used_mb,
                         report->memory_size_mb);
    return "Lambda: out of memory (Runtime.OutOfMemory)";
  }
  if (timed_out()) {
    const double seconds = timed_out_after_s ? *timed_out_after_s : report->duration_ms / 1000.0;
    return fmt::format("Lambda: timed out after {:.2f} s (the function's timeout)", seconds);
  }
  return {};
}

InvocationRecord& InvocationLog::at(const std::string& request_id, std::int64_t timestamp_ms) {
  auto& inv = invocations_[request_id];
  inv.request_id = request_id;
  inv.last_seen_ms = std::max(inv.last_seen_ms, timestamp_ms);
  ++lines_used_;
  return inv;
}

void InvocationLog::add(std::int64_t timestamp_ms, std::string_view message) {
  if (auto report = parse_report_line(message)) {
    at(report->request_id, timestamp_ms).report = std::move(*report);
    return;
  }
  if (auto line = parse_granary_line(message)) {
    auto& inv = at(line->request_id, timestamp_ms);
    (line->event_type == kInvocationEvent ? inv.started : inv.finished) = std::move(*line);
    return;
  }
  if (auto timeout = parse_timeout_line(message)) at(timeout->request_id, timestamp_ms).timed_out_after_s = timeout->seconds;
  if (auto exit = parse_runtime_exit_line(message)) at(exit->request_id, timestamp_ms).runtime_exit = std::move(*exit);
}

std::string log_filter_pattern() {
  // Terms with '?' are alternatives; terms with characters other than letters, digits and
  // '_' must be quoted (CloudWatch Logs' filter pattern syntax).
  return "?REPORT ?\"Task timed out\" ?\"Runtime exited\" ?\"Process exited\" ?\"Runtime.OutOfMemory\" "
         "?lambda_invocation ?processing_complete ?\"platform.report\"";
}

json apply_lambda_logs(PlanState& state, const std::string& plan_uri, const InvocationLog& log, const Prices& prices,
                       const json& source, const RetryUnitJobs& retry_unit_jobs) {
  const auto& invocations = log.invocations();
  std::map<std::string, std::size_t> index_of_id;
  for (std::size_t i = 0; i < state.jobs.size(); ++i) index_of_id[state.jobs[i].id] = i;
  auto key_of = [&](std::size_t i) { return state.jobs[i].label.empty() ? state.jobs[i].id : state.jobs[i].label; };

  // Request id -> the plan's jobs it ran.
  std::map<std::string, std::set<std::size_t>> jobs_of;
  std::set<std::string> result_requests;
  for (std::size_t i = 0; i < state.results.size(); ++i)
    if (const auto rid = request_id_of(state.results[i]); !rid.empty()) {
      jobs_of[rid].insert(i);
      result_requests.insert(rid);
    }
  // Job ids are unique within a plan only: a line naming another plan (not this one or one
  // of its retry-<n> plans) is another run's.
  const std::string plan = without_trailing_slash(plan_uri);
  auto this_plan = [&](const std::string& uri) {
    const auto u = without_trailing_slash(uri);
    return u == plan || u.rfind(plan + "/retry-", 0) == 0;
  };
  for (const auto& [rid, inv] : invocations) {
    for (const auto* line : {inv.started ? &*inv.started : nullptr, inv.finished ? &*inv.finished : nullptr}) {
      if (!line || (!line->plan.empty() && !this_plan(line->plan))) continue;
      std::vector<std::string> ids = line->jobs;
      if (ids.empty() && line->index && !line->plan.empty()) {
        const auto uri = without_trailing_slash(line->plan);
        if (uri == plan) {
          for (std::size_t i = 0; i < state.jobs.size(); ++i)
            if (state.unit_of[i] == *line->index) jobs_of[rid].insert(i);
        } else if (retry_unit_jobs) {
          ids = retry_unit_jobs(uri.substr(plan.size() + 1), *line->index);
        }
      }
      for (const auto& id : ids)
        if (auto it = index_of_id.find(id); it != index_of_id.end()) jobs_of[rid].insert(it->second);
    }
  }

  // This run's invocations, and the jobs' reasons.
  std::vector<const InvocationRecord*> ours;
  std::size_t others = 0;
  for (const auto& [rid, inv] : invocations) {
    if (auto it = jobs_of.find(rid); it != jobs_of.end() && !it->second.empty())
      ours.push_back(&inv);
    else if (inv.report)
      ++others;
  }
  std::vector<std::vector<const InvocationRecord*>> invocations_of_job(state.jobs.size());
  for (const auto* inv : ours)
    for (auto i : jobs_of[inv->request_id]) invocations_of_job[i].push_back(inv);
  std::size_t reasons_given = 0;
  for (std::size_t i = 0; i < state.jobs.size(); ++i) {
    json& r = state.results[i];
    if (!r.is_null() && is_done(r)) continue;
    // The function's own FAILED result is the job's error (its invocation may have timed out
    // later, on another job of the unit).
    if (r.is_object() && status_of(r) == "FAILED" && r.contains("lambda") && r["lambda"].is_object() &&
        !r["lambda"].contains("function_error"))
      continue;
    const InvocationRecord* inv = nullptr;
    if (auto it = invocations.find(request_id_of(r)); it != invocations.end()) inv = &it->second;
    for (const auto* candidate : invocations_of_job[i])
      if (!inv || candidate->last_seen_ms > inv->last_seen_ms) inv = candidate;
    if (!inv) continue;
    const auto reason = inv->end_reason();
    if (reason.empty()) continue;
    if (r.is_null()) r = {{"status", "MISSING"}};
    if (!r.contains("lambda") || !r["lambda"].is_object()) r["lambda"] = {{"request_id", inv->request_id}};
    if (r.contains("error") && r["error"].is_string() && r["error"].get<std::string>() != reason)
      r["lambda"]["reported_error"] = r["error"];
    r["error"] = reason;
    ++reasons_given;
  }

  // What the invocations cost and how they ended.
  json timed_out = json::array(), out_of_memory = json::array(), errors = json::array();
  std::vector<double> durations, inits;
  double billed_s = 0, gb_s = 0, size_mb = 0, max_used_mb = 0, oom_size_mb = 0;
  std::optional<double> limit_s;
  std::size_t reports = 0;
  for (const auto* inv : ours) {
    std::vector<std::string> keys;
    for (auto i : jobs_of[inv->request_id]) keys.push_back(key_of(i));
    json entry = {{"request_id", inv->request_id}, {"jobs", keys}};
    if (inv->out_of_memory()) {
      entry["reason"] = inv->end_reason();
      if (inv->report) {
        entry["memory_size_mb"] = inv->report->memory_size_mb;
        entry["max_memory_used_mb"] = inv->report->max_memory_used_mb;
        oom_size_mb = std::max(oom_size_mb, inv->report->memory_size_mb);
      }
      out_of_memory.push_back(entry);
    } else if (inv->timed_out()) {
      entry["reason"] = inv->end_reason();
      const double s = inv->timed_out_after_s ? *inv->timed_out_after_s : inv->report->duration_ms / 1000.0;
      entry["seconds"] = s;
      limit_s = std::max(limit_s.value_or(0.0), s);
      timed_out.push_back(entry);
    } else if (platform_error(*inv)) {
      entry["reason"] = inv->runtime_exit ? inv->runtime_exit->detail
                                          : fmt::format("Lambda: status {} {}", inv->report->status, inv->report->error_type);
      errors.push_back(entry);
    }
    if (!inv->report) continue;
    const auto& rep = *inv->report;
    ++reports;
    durations.push_back(rep.duration_ms / 1000.0);
    if (rep.init_duration_ms) inits.push_back(*rep.init_duration_ms / 1000.0);
    billed_s += rep.billed_duration_ms / 1000.0;
    gb_s += rep.billed_duration_ms / 1000.0 * rep.memory_size_mb / 1024.0;
    size_mb = std::max(size_mb, rep.memory_size_mb);
    max_used_mb = std::max(max_used_mb, rep.max_memory_used_mb);
  }
  std::sort(durations.begin(), durations.end());
  std::size_t missing_from_log = 0;
  for (const auto& rid : result_requests) missing_from_log += !invocations.count(rid);
  const std::size_t requests = ours.size();
  const double compute = gb_s * prices.gb_second, request_cost = static_cast<double>(requests) * prices.request;
  double init_sum = 0;
  for (double s : inits) init_sum += s;

  json section = {
      {"log", source},
      {"invocations", requests},
      {"reports", reports},
      {"succeeded", requests - timed_out.size() - out_of_memory.size() - errors.size()},
      {"timed_out", timed_out},
      {"out_of_memory", out_of_memory},
      {"errors", errors},
      {"jobs_given_a_reason", reasons_given},
      {"other_invocations", others},
      {"result_requests_not_in_log", missing_from_log},
      {"cold_starts",
       {{"count", inits.size()},
        {"init_seconds_mean", inits.empty() ? 0.0 : init_sum / static_cast<double>(inits.size())},
        {"init_seconds_max", inits.empty() ? 0.0 : *std::max_element(inits.begin(), inits.end())}}},
      {"duration_seconds", {{"p50", rank(durations, 0.5)}, {"p95", rank(durations, 0.95)}, {"max", durations.empty() ? 0.0 : durations.back()}}},
      {"billed_seconds", billed_s},
      {"billed_gb_seconds", gb_s},
      {"requests", requests},
      {"prices", {{"arch", prices.arch}, {"gb_second", prices.gb_second}, {"request", prices.request}}},
      {"cost", {{"compute", compute}, {"requests", request_cost}, {"total", compute + request_cost}}},
      {"memory", memory_advice(size_mb, max_used_mb, out_of_memory.size(), oom_size_mb)},
      {"timeout", timeout_advice(limit_s, durations, timed_out.size())}};
  return section;
}

std::string lambda_summary_text(const json& l) {
  std::string s;
  const json timed_out = l.value("timed_out", json::array()), out_of_memory = l.value("out_of_memory", json::array()),
             errors = l.value("errors", json::array());
  const json log = l.value("log", json::object());
  s += fmt::format("Lambda: {} invocation(s) in CloudWatch Logs {} ({} line(s) read in {} page(s))\n", l.value("invocations", 0),
                   log.value("log_group", std::string("?")), log.value("events", 0), log.value("pages", 0));
  s += fmt::format("  Ended: {} well, {} timed out, {} out of memory, {} other error(s)\n", l.value("succeeded", 0),
                   timed_out.size(), out_of_memory.size(), errors.size());
  auto list = [&](const char* heading, const json& entries) {
    if (entries.empty()) return;
    s += fmt::format("  {}:\n", heading);
    for (const auto& e : entries) {
      std::vector<std::string> jobs = e.value("jobs", std::vector<std::string>{});
      s += fmt::format("    {}: {}; job(s) {}\n", e.value("request_id", std::string()), e.value("reason", std::string()),
                       fmt::join(jobs, ", "));
    }
  };
  list("Timed out", timed_out);
  list("Out of memory", out_of_memory);
  list("Other errors", errors);
  const json cold = l.value("cold_starts", json::object());
  if (cold.value("count", 0) > 0)
    s += fmt::format("  Cold starts: {}, init {:.2f} s on average, {:.2f} s at most\n", cold.value("count", 0),
                     cold.value("init_seconds_mean", 0.0), cold.value("init_seconds_max", 0.0));
  else
    s += "  Cold starts: none\n";
  const json d = l.value("duration_seconds", json::object());
  s += fmt::format("  Duration: p50 {:.2f} s, p95 {:.2f} s, max {:.2f} s; {}\n", d.value("p50", 0.0), d.value("p95", 0.0),
                   d.value("max", 0.0), l.value("timeout", json::object()).value("advice", std::string()));
  const json p = l.value("prices", json::object()), c = l.value("cost", json::object());
  s += fmt::format("  Cost: {:.3f} GB-s billed x {} ({}) + {} request(s) x ${:.2f} per million = {}\n",
                   l.value("billed_gb_seconds", 0.0), unit_price(p.value("gb_second", 0.0)), p.value("arch", std::string()),
                   l.value("requests", 0), p.value("request", 0.0) * 1e6, dollars(c.value("total", 0.0)));
  s += fmt::format("  Memory: {}\n", l.value("memory", json::object()).value("advice", std::string()));
  if (const auto n = l.value("jobs_given_a_reason", 0); n > 0)
    s += fmt::format("  {} failed or missing job(s) got their reason from the log (see Failures)\n", n);
  if (const auto n = l.value("other_invocations", 0); n > 0)
    s += fmt::format("  Not this plan's: {} other invocation(s) in the log group, not counted\n", n);
  if (const auto n = l.value("result_requests_not_in_log", 0); n > 0)
    s += fmt::format("  {} request id(s) of the results have no line in the log group (another log group or region, or "
                     "the lines are not in yet)\n",
                     n);
  return s;
}

}  // namespace granary::run::lambda
