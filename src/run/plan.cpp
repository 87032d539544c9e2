#include "run/plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <span>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/json_input.hpp"
#include "util/unavailable_error.hpp"

namespace granary::run {
namespace {

using nlohmann::json;

json parse_object(const std::vector<std::byte>& bytes, const std::string& where) {
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  require_json_depth(text, where);
  try {
    auto j = json::parse(text);
    if (!j.is_object()) fail("{}: expected a JSON object", where);
    return j;
  } catch (const json::exception& e) {
    fail("{}: not valid JSON ({})", where, e.what());
  }
}

void put_json(io::Store& dir, const std::string& key, const json& j, int indent) {
  const std::string text = j.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
  dir.put(key, std::as_bytes(std::span(text.data(), text.size())));
}

std::string unit_key(std::size_t index) { return fmt::format("units/{:06d}.json", index); }

}  // namespace

json PlanHeader::to_json() const {
  return {{"format", kPlanFormat}, {"recipe", recipe},     {"parameters", parameters}, {"jobs", jobs},
          {"units", units},        {"command", command},   {"created", created},       {"log_name", log_name},
          {"attempt", attempt}};
}

PlanHeader PlanHeader::from_json(const json& j, const std::string& source) {
  // Not j.value("format", ""): it throws type_error when "format" is not a string (plan_fuzz).
  const bool is_plan = j.contains("format") && j["format"].is_string() && j["format"].get<std::string>() == kPlanFormat;
  if (!is_plan)
    fail("{}: not a granary plan (format {}, expected \"{}\")", source, j.contains("format") ? j["format"].dump() : "missing",
         kPlanFormat);
  PlanHeader h;
  try {
    h.recipe = j.at("recipe").get<std::string>();
    h.parameters = j.value("parameters", json::object());
    h.jobs = require_json_integer<std::size_t>(j.at("jobs"), source + ": \"jobs\"");
    h.units = require_json_integer<std::size_t>(j.at("units"), source + ": \"units\"");
    h.command = j.value("command", "");
    h.created = j.value("created", "");
    h.log_name = j.value("log_name", "");
    h.attempt = j.contains("attempt") ? require_json_integer<int>(j["attempt"], source + ": \"attempt\"") : 1;
  } catch (const json::exception& e) {
    fail("{}: bad plan header ({})", source, e.what());
  }
  if (h.units == 0 && h.jobs > 0) fail("{}: {} job(s) in 0 units", source, h.jobs);
  // Counts that size what readers allocate and loop over (one entry per unit): a plan never
  // has more units than jobs (split_into_units), nor more jobs than kMaxPlanJobs.
  if (h.jobs > kMaxPlanJobs) fail("{}: {} jobs, more than the {} a plan may hold", source, h.jobs, kMaxPlanJobs);
  if (h.units > h.jobs) fail("{}: {} units for {} job(s) (a unit holds at least one job)", source, h.units, h.jobs);
  return h;
}

std::vector<std::vector<PlannedJob>> split_into_units(std::vector<PlannedJob> jobs, std::size_t units) {
  units = std::max<std::size_t>(1, std::min(units, jobs.size()));
  std::vector<std::vector<PlannedJob>> out(jobs.empty() ? 0 : units);
  for (std::size_t u = 0; u < out.size(); ++u) {
    const std::size_t begin = u * jobs.size() / units, end = (u + 1) * jobs.size() / units;
    out[u].assign(std::make_move_iterator(jobs.begin() + static_cast<std::ptrdiff_t>(begin)),
                  std::make_move_iterator(jobs.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return out;
}

std::size_t unit_count(std::size_t jobs, std::optional<std::size_t> units, std::optional<std::size_t> jobs_per_unit) {
  if (units && jobs_per_unit) fail("give --units or --jobs-per-unit, not both");
  if (units) {
    if (*units == 0) fail("--units must be at least 1");
    return *units;
  }
  if (jobs_per_unit) {
    if (*jobs_per_unit == 0) fail("--jobs-per-unit must be at least 1");
    return (jobs + *jobs_per_unit - 1) / *jobs_per_unit;
  }
  return jobs;
}

void write_plan(io::Store& dir, PlanHeader header, const std::vector<std::vector<PlannedJob>>& units) {
  if (dir.exists("plan.json"))
    fail("{}: a plan exists here already; plans are never overwritten (choose another --plan)", dir.uri());
  header.units = units.size();
  header.jobs = 0;
  for (std::size_t u = 0; u < units.size(); ++u) {
    json jobs = json::array();
    for (const auto& j : units[u]) jobs.push_back({{"id", j.id}, {"label", j.label}, {"payload", j.payload}});
    header.jobs += units[u].size();
    put_json(dir, unit_key(u), {{"unit", u}, {"jobs", std::move(jobs)}}, -1);
  }
  put_json(dir, "plan.json", header.to_json(), 1);
}

PlanHeader read_plan(const io::Store& dir) {
  const std::string where = dir.uri() + "/plan.json";
  if (!dir.exists("plan.json")) fail("{}: no plan here (plan.json is missing: make one with `granary plan`)", dir.uri());
  return PlanHeader::from_json(parse_object(dir.get("plan.json"), where), where);
}

std::vector<PlannedJob> read_unit(const io::Store& dir, std::size_t index) {
  const std::string key = unit_key(index), where = dir.uri() + "/" + key;
  if (!dir.exists(key)) fail("{}: no unit {} in this plan", where, index);
  const json u = parse_object(dir.get(key), where);
  std::vector<PlannedJob> out;
  try {
    for (const auto& j : u.at("jobs")) out.push_back({j.at("id").get<std::string>(), j.value("label", ""), j.at("payload")});
  } catch (const json::exception& e) {
    fail("{}: bad unit ({})", where, e.what());
  }
  return out;
}

std::vector<PlannedJob> read_all_jobs(const io::Store& dir, const PlanHeader& header) {
  std::vector<PlannedJob> out;
  for (std::size_t u = 0; u < header.units; ++u) {
    auto jobs = read_unit(dir, u);
    out.insert(out.end(), std::make_move_iterator(jobs.begin()), std::make_move_iterator(jobs.end()));
  }
  return out;
}

std::string result_key(const std::string& job_id) { return "results/" + job_id + ".json"; }

void write_result(io::Store& dir, const std::string& job_id, const json& result) { put_json(dir, result_key(job_id), result, -1); }

std::set<std::string> recorded_results(const io::Store& dir) {
  std::set<std::string> out;
  for (const auto& o : dir.list("results/")) out.insert(o.key);
  return out;
}

std::map<std::string, json> read_results_of_jobs(const io::Store& dir, const std::vector<PlannedJob>& jobs,
                                                 const std::set<std::string>& recorded) {
  std::map<std::string, json> out;
  for (const auto& j : jobs)
    if (recorded.count(result_key(j.id))) out[j.id] = read_results_of(dir, j.id);
  return out;
}

std::map<std::string, json> read_results(const io::Store& dir) {
  std::map<std::string, json> out;
  for (const auto& o : dir.list("results/")) {
    if (o.key.size() < 5 || o.key.compare(o.key.size() - 5, 5, ".json") != 0) continue;
    const std::string id = o.key.substr(8, o.key.size() - 8 - 5);
    try {
      out[id] = parse_object(dir.get(o.key), dir.uri() + "/" + o.key);
    } catch (const UnavailableError&) {
      throw;  // the store stayed unavailable (exit 3): the result is unknown, not bad
    } catch (const Error& e) {
      out[id] = {{"status", "FAILED"}, {"error", e.what()}};
    }
  }
  return out;
}

json read_results_of(const io::Store& dir, const std::string& job_id) {
  const std::string key = result_key(job_id);
  try {
    return parse_object(dir.get(key), dir.uri() + "/" + key);
  } catch (const UnavailableError&) {
    throw;  // the store stayed unavailable (exit 3): the result is unknown, not bad
  } catch (const Error& e) {
    return {{"status", "FAILED"}, {"error", e.what()}};
  }
}

bool is_done(const json& result) {
  const auto s = result.is_object() ? result.value("status", "") : std::string();
  return s == "SUCCESS" || s == "SKIP";
}

std::vector<std::string> retry_plan_names(const io::Store& dir) {
  // Numbered without gaps: retry n is made from the plan and retries 1..n-1.
  std::vector<std::string> out;
  for (int n = 1; dir.exists(fmt::format("retry-{}/plan.json", n)); ++n) out.push_back(fmt::format("retry-{}", n));
  return out;
}

std::optional<EngineIndex> engine_index_from_environment() {
  for (const char* var : {"SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"}) {
    const char* v = std::getenv(var);
    if (!v || !*v) continue;
    std::size_t used = 0;
    unsigned long long n = 0;
    try {
      n = std::stoull(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != std::string(v).size() || v[0] == '-') fail("{}={}: not an array index (a whole number >= 0)", var, v);
    return EngineIndex{static_cast<std::size_t>(n), var};
  }
  return std::nullopt;
}

}  // namespace granary::run
