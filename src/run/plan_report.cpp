#include "run/plan_report.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "run/report.hpp"
#include "util/error.hpp"

namespace granary::run {
namespace {

using nlohmann::json;

// "2026-12-03T22:44:31Z" -> time_point (results record when they finished).
std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text) {
  std::tm tm{};
  if (text.size() < 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The .err of each unit's latest Slurm job under logs/ (job ids grow).
// "logs/slurm-<job>_<unit>.err" (digits each; nullopt for any other key or numbers too big).
std::optional<std::pair<unsigned long long, std::size_t>> slurm_err_name(std::string_view key) {
  static constexpr std::string_view kPrefix = "logs/slurm-", kSuffix = ".err";
  if (!key.starts_with(kPrefix) || !key.ends_with(kSuffix)) return std::nullopt;
  const std::string_view middle = key.substr(kPrefix.size(), key.size() - kPrefix.size() - kSuffix.size());
  const auto underscore = middle.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view digits, auto& value) {
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return false;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  std::pair<unsigned long long, std::size_t> out;
  if (!number(middle.substr(0, underscore), out.first) || !number(middle.substr(underscore + 1), out.second)) return std::nullopt;
  return out;
}

std::map<std::size_t, std::string> latest_slurm_errs(const io::Store& dir) {
  std::map<std::size_t, std::pair<unsigned long long, std::string>> latest;
  for (const auto& o : dir.list("logs/")) {
    const auto name = slurm_err_name(o.key);
    if (!name) continue;
    const auto [job, unit] = *name;
    if (!latest.count(unit) || latest[unit].first < job) latest[unit] = {job, o.key};
  }
  std::map<std::size_t, std::string> out;
  for (const auto& [unit, job_key] : latest) out[unit] = job_key.second;
  return out;
}

}  // namespace

// A linear scan, not std::regex "(.*)/retry-\d+/*" (its per-character recursion overflowed the
// stack on a long argument); a text with a line break stays as it is, as it did with the regex.
std::string top_plan(const std::string& plan_uri) {
  if (plan_uri.find_first_of("\n\r") != std::string::npos) return plan_uri;
  std::string_view s = plan_uri;
  while (s.ends_with('/')) s.remove_suffix(1);
  const auto last_non_digit = s.find_last_not_of("0123456789");
  if (last_non_digit == std::string_view::npos || last_non_digit + 1 == s.size()) return plan_uri;
  s = s.substr(0, last_non_digit + 1);
  static constexpr std::string_view kRetry = "/retry-";
  if (!s.ends_with(kRetry)) return plan_uri;
  return std::string(s.substr(0, s.size() - kRetry.size()));
}

std::string slurm_end_reason(const std::string& text) {
  std::string reason;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const bool slurm = line.find("***") != std::string::npos || line.find("oom-kill") != std::string::npos ||
                       line.find("Out Of Memory") != std::string::npos || line.find("NODE FAIL") != std::string::npos ||
                       line.find("Exceeded job memory limit") != std::string::npos;
    if (!slurm) continue;
    reason = line;
    if (line.find("oom-kill") != std::string::npos || line.find("Out Of Memory") != std::string::npos ||
        line.find("memory limit") != std::string::npos)
      reason = "out of memory: " + line;
    else if (line.find("DUE TO TIME LIMIT") != std::string::npos)
      reason = "time limit: " + line;
    else if (line.find("CANCELLED") != std::string::npos)
      reason = "cancelled: " + line;
  }
  // "slurmstepd: error: *** JOB 12 ON node CANCELLED AT 2026-... ***": keep it short.
  const auto star = reason.find("*** ");
  if (star != std::string::npos) reason = reason.substr(0, reason.find(':')) + ": " + reason.substr(star);
  return reason;
}

PlanState read_plan_state(const io::Store& dir) {
  PlanState s;
  s.header = read_plan(dir);
  for (std::size_t u = 0; u < s.header.units; ++u) {
    auto jobs = read_unit(dir, u);
    for (auto& j : jobs) {
      s.jobs.push_back(std::move(j));
      s.unit_of.push_back(u);
    }
  }
  s.job_errors = s.header.parameters.value("job_errors", json::array());
  s.job_warnings = s.header.parameters.value("job_warnings", json::array());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) index[s.jobs[i].id] = i;
  s.results.assign(s.jobs.size(), json());
  s.attempts.assign(s.jobs.size(), 0);
  auto take = [&](const std::map<std::string, json>& results) {
    for (const auto& [id, r] : results)
      if (auto it = index.find(id); it != index.end()) {
        s.results[it->second] = r;
        ++s.attempts[it->second];
      }
  };
  take(read_results(dir));
  for (const auto& [unit, key] : latest_slurm_errs(dir)) {
    const auto bytes = dir.get(key);
    const auto reason = slurm_end_reason(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (!reason.empty()) s.unit_log_reasons[unit] = reason;
  }
  s.retries = retry_plan_names(dir);
  for (const auto& name : s.retries) {
    // A retry's store is the plan's sub-directory; its results supersede earlier ones.
    auto sub = io::open_store(dir.uri() + "/" + name);
    take(read_results(*sub));
  }
  return s;
}

json plan_report(const io::Store& dir, const PlanState& s, const Recipe* recipe) {
  RunRecord record;
  record.command = s.header.command;
  record.rerun_command = fmt::format("granary retry {}", dir.uri());
  auto first = std::chrono::system_clock::time_point::max(), last = std::chrono::system_clock::time_point::min();
  std::vector<json> failed_payloads;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    json r = s.results[i];
    if (r.is_null()) {
      const auto why = s.unit_log_reasons.find(s.unit_of[i]);
      r = {{"status", "MISSING"},
           {"error", why != s.unit_log_reasons.end()
                         ? fmt::format("no result: its unit's engine task ended: {}", why->second)
                         : std::string("no result: the job did not run, or its worker stopped before the job finished")}};
    }
    if (auto t = r.is_object() && r.contains("finished") && r["finished"].is_string() ? parse_utc(r["finished"].get<std::string>())
                                                                                        : std::nullopt) {
      last = std::max(last, *t);
      const double took = r.value("elapsed_seconds", 0.0);
      first = std::min(first, *t - std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(took)));
    }
    r["attempts"] = s.attempts[i];
    if (!is_done(r)) failed_payloads.push_back(s.jobs[i].payload);
    record.results.push_back(std::move(r));
    record.job_keys.push_back(s.jobs[i].label.empty() ? s.jobs[i].id : s.jobs[i].label);
  }
  for (const auto& e : s.job_errors)
    if (e.is_array() && e.size() == 2) record.job_errors.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
  for (const auto& w : s.job_warnings)
    if (w.is_array() && w.size() == 2) record.job_warnings.emplace_back(w[0].get<std::string>(), w[1].get<std::string>());
  const auto now = std::chrono::system_clock::now();
  record.start = first == std::chrono::system_clock::time_point::max() ? now : first;
  record.end = last == std::chrono::system_clock::time_point::min() ? now : last;
  if (recipe) {
    record.retry = recipe->retry_hint(failed_payloads);
    record.extra = recipe->context();
  }
  record.extra["recipe"] = s.header.recipe;
  record.extra["plan"] = dir.uri();
  record.extra["plan_jobs"] = s.header.jobs;
  record.extra["plan_units"] = s.header.units;
  record.extra["log_name"] = s.header.log_name;
  record.extra["retries"] = s.retries;
  std::size_t retried = 0;
  for (int a : s.attempts) retried += a > 1;
  record.extra["jobs_retried"] = retried;
  return build_report(record);
}

}  // namespace granary::run
