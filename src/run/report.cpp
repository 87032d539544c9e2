#include "run/report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/unavailable_error.hpp"

namespace granary::run {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string strftime_utc(std::chrono::system_clock::time_point t, const char* pattern) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
  return std::string(buf, n);
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

double number_or_zero(const json& j, const char* key) {
  if (!j.is_object()) return 0.0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// Bytes and files a SUCCESS result wrote: "outputs": [{"bytes"}...] or a single "bytes".
std::pair<double, std::size_t> written_by(const json& result) {
  if (status_of(result) != "SUCCESS") return {0.0, 0};
  if (auto it = result.find("outputs"); it != result.end() && it->is_array()) {
    double bytes = 0;
    for (const auto& out : *it) bytes += number_or_zero(out, "bytes");
    return {bytes, it->size()};
  }
  if (result.contains("bytes")) return {number_or_zero(result, "bytes"), 1};
  return {0.0, 0};
}

// The read economy of results that report one (bytes_fetched, bytes_needed, read_requests):
// sums, and the amplification of the sums.
struct Reads {
  std::uint64_t fetched = 0, needed = 0, requests = 0;
  std::size_t results = 0;  // results that reported reads

  void add(const json& result) {
    if (!result.is_object() || !result.contains("bytes_fetched")) return;
    ++results;
    auto count = [&](const char* key) {
      const auto it = result.find(key);
      return it != result.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : std::uint64_t{0};
    };
    fetched += count("bytes_fetched");
    needed += count("bytes_needed");
    requests += count("read_requests");
  }
  json to_json() const {
    const double amplification = needed ? std::round(1e4 * static_cast<double>(fetched) / static_cast<double>(needed)) / 1e4 : 0.0;
    return {{"bytes_fetched", fetched}, {"bytes_needed", needed}, {"read_amplification", amplification}, {"read_requests", requests}};
  }
};

// Sums of a group of results: by status, bytes and files written, seconds per phase.
struct Tally {
  std::map<std::string, std::size_t> by_status;
  double bytes_written = 0;
  std::size_t outputs = 0;
  std::map<std::string, double> durations;
  double peak_rss = 0;
  std::size_t tasks = 0;
  Reads reads;

  void add(const json& result) {
    reads.add(result);
    ++tasks;
    ++by_status[status_of(result)];
    auto [bytes, files] = written_by(result);
    bytes_written += bytes;
    outputs += files;
    if (result.is_object()) {
      if (auto it = result.find("durations"); it != result.end() && it->is_object())
        for (const auto& [phase, seconds] : it->items())
          if (seconds.is_number()) durations[phase] += seconds.get<double>();
      peak_rss = std::max(peak_rss, number_or_zero(result, "peak_rss_bytes"));
    }
  }
  json to_json() const {
    json statuses = json::object();
    for (const auto& [status, n] : by_status) statuses[status] = n;
    json phases = json::object();
    for (const auto& [phase, s] : durations) phases[phase] = s;
    json out{{"tasks", tasks},
             {"by_status", statuses},
             {"bytes_written", static_cast<std::uint64_t>(bytes_written)},
             {"outputs_written", outputs},
             {"durations", phases}};
    if (reads.results > 0) out["reads"] = reads.to_json();
    return out;
  }
};

// p50, p95 and max of the tasks' elapsed_seconds (nearest rank), over tasks that ran.
json percentiles(const std::vector<json>& results) {
  std::vector<double> s;
  for (const auto& r : results)
    if (r.is_object() && r.contains("elapsed_seconds") && r["elapsed_seconds"].is_number()) s.push_back(r["elapsed_seconds"].get<double>());
  if (s.empty()) return {{"p50", nullptr}, {"p95", nullptr}, {"max", nullptr}};
  std::sort(s.begin(), s.end());
  auto rank = [&](double q) { return s[std::min(s.size() - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(s.size()))) - (q > 0 ? 1 : 0))]; };
  return {{"p50", rank(0.5)}, {"p95", rank(0.95)}, {"max", s.back()}};
}

}  // namespace

std::string status_of(const json& result) {
  if (!result.is_object()) return "UNKNOWN";
  auto it = result.find("status");
  return it != result.end() && it->is_string() ? it->get<std::string>() : "UNKNOWN";
}

void mark_if_unavailable(json& result, const std::exception& e) {
  if (result.is_object() && dynamic_cast<const UnavailableError*>(&e)) result["unavailable"] = true;
}

bool failed_unavailable(const json& result) {
  if (status_of(result) != "FAILED") return false;
  const auto it = result.find("unavailable");
  return it != result.end() && it->is_boolean() && it->get<bool>();
}

std::size_t count_unavailable(const std::vector<json>& results) {
  return static_cast<std::size_t>(std::count_if(results.begin(), results.end(), failed_unavailable));
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.2f} {}", bytes, units[u]);
}


std::string iso_utc(std::chrono::system_clock::time_point t) { return strftime_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

json build_report(const RunRecord& record) {
  if (record.results.size() != record.job_keys.size())
    fail("run report: {} results but {} job keys", record.results.size(), record.job_keys.size());

  // Jobs in first-seen order: planning failures first (they come from the plan), then tasks.
  std::vector<std::string> order;
  std::map<std::string, Tally> tallies;
  std::map<std::string, json> job_results;
  std::map<std::string, std::string> errors;
  auto touch = [&](const std::string& key) {
    if (!tallies.count(key)) {
      order.push_back(key);
      tallies[key];
      job_results[key] = json::array();
    }
  };
  std::map<std::string, json> warnings;
  for (const auto& [key, reason] : record.job_errors) {
    touch(key);
    errors[key] = reason;
  }
  for (const auto& [key, text] : record.job_warnings) {
    touch(key);
    if (!warnings.count(key)) warnings[key] = json::array();
    warnings[key].push_back(text);
  }
  Tally total;
  for (std::size_t i = 0; i < record.results.size(); ++i) {
    const auto& key = record.job_keys[i];
    touch(key);
    tallies[key].add(record.results[i]);
    job_results[key].push_back(record.results[i]);
    total.add(record.results[i]);
  }

  json jobs = json::array();
  std::size_t jobs_failed = 0;
  for (const auto& key : order) {
    json job = tallies[key].to_json();
    job["key"] = key;
    if (errors.count(key)) job["error"] = errors[key];
    if (warnings.count(key)) job["warnings"] = warnings[key];
    // MISSING: a plan's job without a result (its worker never finished it).
    if (errors.count(key) || tallies[key].by_status.count("FAILED") || tallies[key].by_status.count("MISSING")) ++jobs_failed;
    job["results"] = std::move(job_results[key]);
    jobs.push_back(std::move(job));
  }

  const double wall = std::max(0.0, std::chrono::duration<double>(record.end - record.start).count());
  json totals = total.to_json();
  totals["jobs"] = order.size();
  totals["jobs_failed"] = jobs_failed;
  totals["jobs_not_planned"] = record.job_errors.size();
  totals["warnings"] = record.job_warnings.size();
  totals["wall_seconds"] = wall;
  totals["peak_rss_bytes"] = static_cast<std::uint64_t>(total.peak_rss);
  std::size_t worked = total.tasks - (total.by_status.count("SKIP") ? total.by_status.at("SKIP") : 0) -
                       (total.by_status.count("CANCELLED") ? total.by_status.at("CANCELLED") : 0);
  totals["task_seconds"] = percentiles(record.results);
  totals["throughput"] = {
      {"tasks_per_second", wall > 0 ? static_cast<double>(worked) / wall : 0.0},
      {"bytes_per_second", wall > 0 ? total.bytes_written / wall : 0.0},
  };

  return json{{"granary_version", GRANARY_VERSION},
              {"command", record.command},
              {"host", host_name()},
              {"pid", static_cast<long>(::getpid())},
              {"start", iso_utc(record.start)},
              {"end", iso_utc(record.end)},
              {"wall_seconds", wall},
              {"workers", record.workers},
              {"interrupted", record.interrupted},
              {"context", record.extra},
              {"rerun", {{"command", record.rerun_command.empty() ? record.command : record.rerun_command},
                         {"heading", record.retry.heading},
                         {"lines", record.retry.lines}}},
              {"totals", std::move(totals)},
              {"jobs", std::move(jobs)}};
}

fs::path default_report_path(const fs::path& output_dir, std::chrono::system_clock::time_point start) {
  const std::string stem = "run-" + strftime_utc(start, "%Y%m%dT%H%M%S");
  fs::path path = output_dir / "reports" / (stem + ".json");
  for (int n = 2; fs::exists(path); ++n) path = output_dir / "reports" / fmt::format("{}-{}.json", stem, n);
  return path;
}

void write_report(const fs::path& path, const json& report) {
  files::write_atomic(path, report.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace granary::run
