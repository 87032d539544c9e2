#include "run/report_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "run/lambda_report.hpp"
#include "run/report.hpp"
#include "util/json_input.hpp"

namespace granary::run {
namespace {

using json = nlohmann::json;

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// A count in a report; anything else (a report edited by hand, a float beyond size_t) counts 0
// rather than casting: get<std::size_t>() of such a float is undefined.
std::size_t count_in(const json& n) { return json_integer<std::size_t>(n).value_or(0); }

// count_in of obj[key], 0 when obj has no such key.
std::size_t count_of(const json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  const auto it = obj.find(key);
  return it == obj.end() ? 0 : count_in(*it);
}

double seconds_of(const json& result) {
  if (!result.is_object()) return 0;
  for (const char* key : {"elapsed_seconds", "duration_s"})
    if (const auto it = result.find(key); it != result.end() && it->is_number()) return it->get<double>();
  return 0;
}

struct Grouper {
  std::size_t examples_per_group;
  std::map<std::string, FailureGroup> groups;

  void add(const std::string& job, const std::string& message) {
    const std::string text = message.empty() ? "no error message" : message;
    FailureGroup& g = groups[generalise_reason(text)];
    ++g.count;
    if (g.examples.size() < examples_per_group) g.examples.push_back(job.empty() ? text : fmt::format("{}: {}", job, text));
  }
};


// "Reads: 4.40 MB fetched for 3.10 MB needed (amplification 1.42x) in 363 requests".
std::string read_economy_line(const json& reads) {
  return fmt::format("Reads: {} fetched for {} needed (amplification {:.2f}x) in {} requests\n",
                     human_bytes(reads.value("bytes_fetched", 0.0)), human_bytes(reads.value("bytes_needed", 0.0)),
                     reads.value("read_amplification", 0.0), count_of(reads, "read_requests"));
}


}  // namespace

bool is_run_report(const json& document) {
  return document.is_object() && document.contains("totals") && document.contains("jobs") && document.contains("command");
}

// Linear scans, not std::regex (whose per-character recursion overflowed the stack on a long
// message). They replace what these did: paths (s3|https?)://[^\s:'"]+|[^\s:'"]*/[^\s:'"]+
// with <file>, then numbers [-+]?\b\d+(\.\d+)?([eE][-+]?\d+)?\b with <n>, leftmost first.
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool in_path(char c) { return !is_space(c) && c != ':' && c != '\'' && c != '"'; }

std::string replace_paths(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!in_path(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;  // the run of path characters [i, end)
    while (end < text.size() && in_path(text[end])) ++end;
    // A slash with something after it anywhere in the run: the whole run.
    if (const auto slash = text.substr(i, end - i).find('/'); slash != std::string_view::npos && i + slash + 1 < end) {
      out += "<file>";
      i = end;
      continue;
    }
    // Otherwise a URL whose scheme ends the run: "...https" "://" and more path characters.
    std::size_t url_end = end + 3;
    const bool url = text.substr(end).starts_with("://") && url_end < text.size() && in_path(text[url_end]);
    std::size_t scheme = end;
    if (url)
      for (const std::string_view s : {"https", "http", "s3"})
        if (end - i >= s.size() && text.substr(end - s.size(), s.size()) == s) {
          scheme = end - s.size();
          break;
        }
    if (scheme == end) {
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    while (url_end < text.size() && in_path(text[url_end])) ++url_end;
    out.append(text.substr(i, scheme - i));
    out += "<file>";
    i = url_end;
  }
  return out;
}

// The end of a number starting with a digit at `p`, nullopt when none ends at a word boundary.
std::optional<std::size_t> number_end(std::string_view text, std::size_t p) {
  auto digits = [&](std::size_t k) {
    while (k < text.size() && is_digit(text[k])) ++k;
    return k;
  };
  auto boundary = [&](std::size_t k) { return k == text.size() || !is_word(text[k]); };
  // The exponent's end after `k`, or k when there is none.
  auto exponent = [&](std::size_t k) {
    if (k >= text.size() || (text[k] != 'e' && text[k] != 'E')) return k;
    std::size_t d = k + 1;
    if (d < text.size() && (text[d] == '-' || text[d] == '+')) ++d;
    const std::size_t e = digits(d);
    return e > d ? e : k;
  };
  const std::size_t whole = digits(p);
  if (whole < text.size() && text[whole] == '.' && whole + 1 < text.size() && is_digit(text[whole + 1])) {
    const std::size_t fraction = digits(whole + 1);
    if (const auto e = exponent(fraction); e > fraction && boundary(e)) return e;
    if (boundary(fraction)) return fraction;
  }
  if (const auto e = exponent(whole); e > whole && boundary(e)) return e;
  if (boundary(whole)) return whole;
  return std::nullopt;
}

std::string replace_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool sign = (text[i] == '-' || text[i] == '+') && i + 1 < text.size() && is_digit(text[i + 1]);
    const std::size_t p = sign ? i + 1 : i;
    if (is_digit(text[p]) && (sign || p == 0 || !is_word(text[p - 1])))
      if (const auto end = number_end(text, p)) {
        out += "<n>";
        i = *end;
        continue;
      }
    out += text[i++];
  }
  return out;
}

}  // namespace

std::string generalise_reason(const std::string& message) {
  // Paths (a token with a slash) and URLs first, then numbers, so the reasons of many
  // files or cells fall into one group.
  return replace_numbers(replace_paths(message));
}

std::vector<FailureGroup> group_failures(const json& report, std::size_t examples_per_group) {
  Grouper grouper{examples_per_group, {}};
  for (const auto& job : report.at("jobs")) {
    const std::string key = text_of(job, "key");
    if (job.contains("error")) grouper.add(key, fmt::format("not planned: {}", text_of(job, "error")));
    for (const auto& r : job.value("results", json::array())) {
      if (status_of(r) == "FAILED" || status_of(r) == "MISSING") grouper.add(key, text_of(r, "error"));
      // A cell can succeed while some of its granules fail; those are failures too.
      if (r.is_object() && r.contains("granule_outcomes"))
        for (const auto& g : r.at("granule_outcomes"))
          if (text_of(g, "status") == "failed") grouper.add(key, fmt::format("granule {}", text_of(g, "reason")));
    }
  }
  std::vector<FailureGroup> out;
  for (auto& [reason, group] : grouper.groups) {
    group.reason = reason;
    out.push_back(std::move(group));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

std::vector<std::pair<std::string, double>> slowest_jobs(const json& report, std::size_t top) {
  std::vector<std::pair<std::string, double>> jobs;
  for (const auto& job : report.at("jobs")) {
    double seconds = 0;
    bool ran = false;
    for (const auto& r : job.value("results", json::array())) {
      seconds += seconds_of(r);
      ran = ran || status_of(r) == "SUCCESS" || status_of(r) == "FAILED";
    }
    if (ran) jobs.emplace_back(text_of(job, "key"), seconds);
  }
  std::stable_sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (jobs.size() > top) jobs.resize(top);
  return jobs;
}

std::vector<std::string> next_commands(const json& report) {
  const json& totals = report.at("totals");
  std::size_t failed = count_of(totals, "jobs_not_planned");
  const json by_status = totals.value("by_status", json::object());
  for (const auto& [status, n] : by_status.items())
    if (status == "FAILED" || status == "MISSING") failed += count_in(n);
  if (failed == 0 && !report.value("interrupted", false)) return {};
  // Reports before "rerun" existed: the command (runs resume).
  const json rerun = report.value("rerun", json::object());
  std::vector<std::string> out;
  out.push_back(rerun.contains("command") ? text_of(rerun, "command") : text_of(report, "command"));
  for (const auto& line : rerun.value("lines", json::array()))
    if (line.is_string()) out.push_back(line.get<std::string>());
  return out;
}

json sizing(const json& report, double price) {
  double core_seconds = 0, longest = 0, peak = 0;
  std::size_t ran = 0;
  for (const auto& job : report.value("jobs", json::array()))
    for (const auto& r : job.value("results", json::array())) {
      if (!r.is_object()) continue;
      const auto status = status_of(r);
      if (status == "SKIP" || status == "MISSING" || status == "CANCELLED") continue;
      const double s = r.value("elapsed_seconds", 0.0);
      core_seconds += s;
      longest = std::max(longest, s);
      if (r.contains("peak_rss_bytes") && r["peak_rss_bytes"].is_number()) peak = std::max(peak, r["peak_rss_bytes"].get<double>());
      ++ran;
    }
  constexpr double kStep = 64.0 * 1024 * 1024;
  const double per_worker = peak > 0 ? std::max(4 * kStep, std::ceil(peak * 1.25 / kStep) * kStep) : 0.0;
  const double core_hours = core_seconds / 3600.0;
  return {{"jobs_that_ran", ran},
          {"core_hours", core_hours},
          {"price_per_core_hour", price},
          {"cost", core_hours * price},
          {"peak_rss_bytes", static_cast<std::uint64_t>(peak)},
          {"memory_per_worker_bytes", static_cast<std::uint64_t>(per_worker)},
          {"longest_job_seconds", longest},
          {"useful_concurrency", longest > 0 ? static_cast<std::size_t>(std::ceil(core_seconds / longest)) : ran}};
}

json summary_json(const json& report, std::size_t top) {
  json failures = json::array();
  for (const auto& g : group_failures(report)) failures.push_back({{"reason", g.reason}, {"count", g.count}, {"examples", g.examples}});
  json slowest = json::array();
  for (const auto& [key, seconds] : slowest_jobs(report, top)) slowest.push_back({{"job", key}, {"seconds", seconds}});
  json out = {{"totals", report.at("totals")},
              {"slowest_jobs", slowest},
              {"failures", failures},
              {"sizing", sizing(report)},
              {"next_commands", next_commands(report)}};
  if (report.contains("lambda")) out["lambda"] = report["lambda"];
  return out;
}

std::string human_summary(const json& report, std::size_t top, double price_per_core_hour) {
  std::string s;
  const json& t = report.at("totals");
  s += fmt::format("Run {} .. {} ({:.1f} s) on {}, {} worker(s)\n  {}\n", text_of(report, "start"), text_of(report, "end"),
                   report.value("wall_seconds", 0.0), text_of(report, "host"), count_of(report, "workers"),
                   text_of(report, "command"));
  if (const auto tag = text_of(report.value("context", json::object()), "log_name"); !tag.empty()) s += fmt::format("  log name: {}\n", tag);
  std::vector<std::string> statuses;
  const json by_status = t.value("by_status", json::object());
  for (const auto& [status, n] : by_status.items())
    statuses.push_back(fmt::format("{} {}", count_in(n), status));
  s += fmt::format("Tasks: {} ({}) in {} job(s); {} output(s), {} written\n", count_of(t, "tasks"),
                   statuses.empty() ? "none" : fmt::format("{}", fmt::join(statuses, ", ")), count_of(t, "jobs"),
                   count_of(t, "outputs_written"), human_bytes(t.value("bytes_written", 0.0)));
  std::vector<std::pair<std::string, double>> phases;
  const json durations = t.value("durations", json::object());
  for (const auto& [phase, seconds] : durations.items()) phases.emplace_back(phase, seconds.get<double>());
  std::sort(phases.begin(), phases.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (!phases.empty()) {
    std::vector<std::string> parts;
    for (const auto& [phase, seconds] : phases) parts.push_back(fmt::format("{} {:.1f} s", phase, seconds));
    s += fmt::format("Task time by phase: {}\n", fmt::join(parts, ", "));
  }
  if (const auto reads = t.value("reads", json::object()); !reads.empty())
    s += read_economy_line(reads);
  if (const auto production = report.value("context", json::object()).value("production_results", json::object());
      !production.empty()) {
    s += fmt::format("Cells: {} successful ({} without data), {} failed, {} already done; {} points in {} child cells\n",
                     count_of(production, "successful"), count_of(production, "no_data"), count_of(production, "failed"),
                     count_of(production, "cells_skipped_done"), count_of(production, "total_obs"),
                     count_of(production, "total_cells_with_data"));
    s += fmt::format("Granule reads: {} with points, {} without, {} failed\n", count_of(production, "granules_read"),
                     count_of(production, "granules_skipped"), count_of(production, "granules_failed"));
  }
  const bool lambda_run = report.contains("lambda") && report["lambda"].is_object();
  if (const auto size = sizing(report, price_per_core_hour); size["jobs_that_ran"].get<std::size_t>() > 0) {
    const auto& ts = t.value("task_seconds", json::object());
    if (ts.contains("p50") && ts["p50"].is_number())
      s += fmt::format("Job time: p50 {:.2f} s, p95 {:.2f} s, max {:.2f} s\n", ts["p50"].get<double>(), ts.value("p95", 0.0),
                       ts.value("max", 0.0));
    // A Lambda run (report --cloudwatch) is paid by the GB-second: its own section (below)
    // says what it cost and how to size memory, in place of core-hours and worker processes.
    if (!lambda_run)
      s += fmt::format("Cost: {:.3f} core-hours, about ${:.2f} at ${}/core-hour\n", size["core_hours"].get<double>(),
                       size["cost"].get<double>(), size["price_per_core_hour"].get<double>());
    if (size["peak_rss_bytes"].get<std::uint64_t>() > 0 && !lambda_run)
      s += fmt::format(
          "Sizing: peak {} per job: give each worker process {} (a unit with -j N: N x that); longest job {:.1f} s; "
          "more than {} job(s) at once would not finish sooner\n",
          human_bytes(size["peak_rss_bytes"].get<double>()), human_bytes(size["memory_per_worker_bytes"].get<double>()),
          size["longest_job_seconds"].get<double>(), size["useful_concurrency"].get<std::size_t>());
  }
  if (lambda_run) s += lambda::lambda_summary_text(report["lambda"]);
  if (const auto slow = slowest_jobs(report, top); !slow.empty()) {
    s += fmt::format("Slowest job(s):\n");
    for (const auto& [key, seconds] : slow) s += fmt::format("  {:8.2f} s  {}\n", seconds, key);
  }
  const auto failures = group_failures(report);
  if (failures.empty()) {
    s += "Failures: none\n";
  } else {
    std::size_t total = 0;
    for (const auto& g : failures) total += g.count;
    s += fmt::format("Failures: {} in {} group(s) by reason\n", total, failures.size());
    for (const auto& g : failures) {
      s += fmt::format("  {:5d} x {}\n", g.count, g.reason);
      for (const auto& e : g.examples) s += fmt::format("            e.g. {}\n", e);
    }
  }
  if (report.value("interrupted", false)) s += "The run was interrupted.\n";
  if (const auto retries = report.value("context", json::object()).value("retries", json::array()); !retries.empty()) {
    std::vector<std::string> names;
    for (const auto& r : retries) names.push_back(r.is_string() ? r.get<std::string>() : r.dump());
    s += fmt::format("Retries: {} ({} job(s) ran more than once; the latest result counts)\n", fmt::join(names, ", "),
                     count_of(report["context"], "jobs_retried"));
  }
  const auto next = next_commands(report);
  if (next.empty()) {
    s += "Nothing left to retry.\n";
  } else {
    s += fmt::format("Next: rerun to retry what failed or was not reached (finished outputs are skipped):\n  {}\n", next[0]);
    if (next.size() > 1) {
      const std::string heading = text_of(report.value("rerun", json::object()), "heading");
      s += fmt::format("  {}\n", heading.empty() ? "or just these:" : heading);
      for (std::size_t k = 1; k < next.size(); ++k) s += fmt::format("    {}\n", next[k]);
    }
  }
  return s;
}

}  // namespace granary::run
