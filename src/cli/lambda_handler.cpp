#include "cli/lambda_handler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/recipes.hpp"
#include "io/store.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "run/job_runner.hpp"
#include "run/lambda_event.hpp"
#include "run/local_executor.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;

constexpr const char* kBadEvent = "Granary.BadEvent";
constexpr const char* kDeadline = "Granary.DeadlineExceeded";
constexpr const char* kJobFailed = "Granary.JobFailed";

HandlerAnswer bad_event(const std::string& kind, const std::string& message) {
  HandlerAnswer a;
  a.function_error = true;
  a.error_type = kBadEvent;
  a.error_message = message;
  a.kind = kind;
  a.status = "FAILED";
  return a;
}

json lambda_fields(const InvocationContext& c) {
  return {{"lambda", {{"request_id", c.request_id}, {"function", c.function_name}, {"memory_mb", c.memory_mb}}}};
}

std::size_t count_not_done(const std::vector<json>& results) {
  std::size_t n = 0;
  for (const auto& r : results) n += !run::is_done(r);
  return n;
}

run::JobRunOptions job_options(const InvocationContext& c, const std::string& label) {
  run::JobRunOptions o;
  o.workers = c.workers;
  o.progress_label = label;
  o.deadline = c.deadline;
  o.deadline_reason = deadline_reason();
  o.result_fields = lambda_fields(c);
  return o;
}

}  // namespace

std::string deadline_reason() {
  return "the Lambda invocation's deadline (Lambda-Runtime-Deadline-Ms) came first; no output was written";
}

std::string LambdaHandler::describe(const json& event, std::string* kind) {
  std::string k, key;
  if (event.is_object() && event.contains("plan")) {
    k = "plan_unit";
    if (event["plan"].is_string() && event.contains("index") && event["index"].is_number_integer())
      key = fmt::format("{}#{}", event["plan"].get<std::string>(), event["index"].get<long long>());
  } else if (event.is_object() && event.contains("parent_morton")) {
    k = "magg";
    key = event["parent_morton"].is_number_integer() ? std::to_string(event["parent_morton"].get<long long>()) : std::string();
  } else if (event.is_object() && event.contains("ecco")) {
    k = "ecco";
    const auto n = event.contains("tasks") && event["tasks"].is_array() ? event["tasks"].size() : 1;
    key = fmt::format("ecco ({} task(s))", n);
  }
  if (kind) *kind = k;
  return key;
}

void LambdaHandler::preload_plan(const std::string& plan_uri) { plan(plan_uri); }

LambdaHandler::PreparedPlan& LambdaHandler::plan(const std::string& uri) {
  if (auto it = plans_.find(uri); it != plans_.end()) return it->second;
  auto store = io::open_store(uri);
  PreparedPlan prepared;
  prepared.header = run::read_plan(*store);
  prepared.recipe = make_recipe(prepared.header.recipe);
  // In Lambda, granule keys come with each event (the orchestrator's handout), else the
  // function's role reads them: a function has no Earthdata login of its own to fetch them.
  json parameters = prepared.header.parameters;
  parameters["handed_out"] = json::array({"s3_credentials"});
  const auto start = std::chrono::steady_clock::now();
  prepared.recipe->prepare(parameters);
  spdlog::info("lambda: prepared the {} plan {} in {:.2f} s (kept for the next invocations)", prepared.header.recipe, uri,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return plans_.emplace(uri, std::move(prepared)).first->second;
}

HandlerAnswer LambdaHandler::handle(const json& event, const InvocationContext& context) {
  std::string kind;
  const std::string key = describe(event, &kind);
  HandlerAnswer answer;
  try {
    if (kind == "plan_unit") answer = run_unit(event, context);
    else if (kind == "magg") answer = run_magg(event, context);
    else if (kind == "ecco") answer = run_ecco(event, context);
    else
      answer = bad_event("", "event: neither a plan unit {\"plan\", \"index\"}, magg's cell event {\"parent_morton\", ...} "
                             "nor ECCO tasks {\"ecco\", \"tasks\"}");
  } catch (const UnavailableError& e) {
    answer = bad_event(kind, e.what());
    answer.error_type = "Granary.ServiceUnavailable";
  } catch (const Error& e) {
    answer = bad_event(kind, e.what());
  } catch (const std::exception& e) {
    answer = bad_event(kind, fmt::format("internal error: {}", e.what()));
    answer.error_type = "Granary.InternalError";
  }
  answer.kind = kind;
  if (answer.key.empty()) answer.key = key;
  return answer;
}

HandlerAnswer LambdaHandler::run_unit(const json& event, const InvocationContext& context) {
  const auto unit = run::lambda::parse_unit_event(event);
  auto& prepared = plan(unit->plan);
  if (unit->index >= prepared.header.units)
    fail("event: unit {} is not in {} ({} unit(s))", unit->index, unit->plan, prepared.header.units);
  auto store = io::open_store(unit->plan);
  const auto jobs = run::read_unit(*store, unit->index);
  const auto earlier = run::read_results_of_jobs(*store, jobs, run::recorded_results(*store));

  auto options = job_options(context, fmt::format("unit {}", unit->index));
  options.plan_dir = store.get();
  options.attempt = prepared.header.attempt;
  options.unit = unit->index;
  options.handout = unit->handout;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = run::run_jobs(*prepared.recipe, jobs, options, earlier);

  run::lambda::UnitResponse response;
  response.plan = unit->plan;
  response.index = unit->index;
  response.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    json r = outcome.results[i].is_object() ? outcome.results[i] : json::object();
    r.erase("task");  // the planned payload is in the plan already
    r["id"] = jobs[i].id;
    response.results.push_back(std::move(r));
  }
  const std::size_t failed = count_not_done(outcome.results);
  response.status = failed == 0 ? "SUCCESS" : "FAILED";

  HandlerAnswer answer;
  answer.key = fmt::format("{}#{}", unit->plan, unit->index);
  answer.status = response.status;
  if (outcome.pool.deadline_passed) {
    answer.function_error = true;
    answer.error_type = kDeadline;
    answer.error_message = fmt::format("unit {} of {}: {} of {} job(s) not done when the deadline came; their results say so and "
                                       "`granary retry` runs them again",
                                       unit->index, unit->plan, failed, jobs.size());
    return answer;
  }
  answer.response = response.to_json();
  if (failed) answer.error_message = fmt::format("{} of {} job(s) failed", failed, jobs.size());
  return answer;
}

HandlerAnswer LambdaHandler::run_magg(const json& event, const InvocationContext& context) {
  // Checked here, so a bad event is magg's 400 answer and not a worker's failure.
  atl06::CellJob job;
  try {
    job = atl06::parse_cell_event(event);
  } catch (const Error& e) {
    HandlerAnswer a;
    a.kind = "magg";
    a.status = "FAILED";
    a.response = {{"statusCode", 400}, {"body", {{"error", e.what()}}}};
    a.error_message = e.what();
    return a;
  }
  run::PoolOptions pool;
  pool.workers = 1;
  pool.deadline = context.deadline;
  pool.deadline_reason = deadline_reason();
  auto outcome = run::run_local(
      {event}, [](const json& e) { return atl06::run_cell_job(atl06::parse_cell_event(e)); }, pool);
  json result = outcome.results.at(0);
  HandlerAnswer a;
  a.kind = "magg";
  a.key = std::to_string(job.parent);
  a.status = result.value("status", "FAILED");
  if (outcome.deadline_passed || !result.contains("parent_morton")) {
    // The worker did not finish (the deadline, or it died): an error, as magg's Lambda's
    // timeout or crash was.
    a.function_error = true;
    a.error_type = outcome.deadline_passed ? kDeadline : kJobFailed;
    a.error_message = fmt::format("cell {}: {}", job.parent, result.value("error", "failed"));
    a.status = "FAILED";
    return a;
  }
  const json fields = lambda_fields(context);  // items() of a temporary would dangle
  for (const auto& [k, v] : fields.items()) result[k] = v;
  a.response = atl06::magg_response(result);
  if (a.status != "SUCCESS" && result.contains("error") && result["error"].is_string()) a.error_message = result["error"];
  return a;
}

HandlerAnswer LambdaHandler::run_ecco(const json& event, const InvocationContext& context) {
  const json& parameters = event["ecco"];
  if (!parameters.is_object()) fail("event: \"ecco\" must be the ECCO plan parameters (an object with config_yaml)");
  std::vector<json> tasks;
  if (event.contains("tasks")) {
    if (!event["tasks"].is_array() || event["tasks"].empty()) fail("event: \"tasks\" must be a non-empty array of ECCO tasks");
    tasks = event["tasks"].get<std::vector<json>>();
  } else if (event.contains("task")) {
    tasks.push_back(event["task"]);
  } else {
    fail("event: an ECCO event needs \"task\" or \"tasks\"");
  }
  const std::string cache_key = parameters.dump();
  auto it = ecco_recipes_.find(cache_key);
  if (it == ecco_recipes_.end()) {
    auto recipe = make_recipe("ecco");
    recipe->prepare(parameters);
    it = ecco_recipes_.emplace(cache_key, std::move(recipe)).first;
  }
  std::vector<run::PlannedJob> jobs;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    const std::string label = t.is_object() ? fmt::format("{},{},{},{}", t.value("grouping", 0), t.value("product", ""),
                                                          t.value("frequency", ""), t.value("timestep", 0))
                                            : fmt::format("task {}", i);
    jobs.push_back({fmt::format("task-{:04d}", i), label, t});
  }
  const auto outcome = run::run_jobs(*it->second, jobs, job_options(context, "ecco"));
  const std::size_t failed = count_not_done(outcome.results);
  HandlerAnswer a;
  a.kind = "ecco";
  a.key = jobs.size() == 1 ? jobs[0].label : fmt::format("{} .. {}", jobs.front().label, jobs.back().label);
  a.status = failed == 0 ? "SUCCESS" : "FAILED";
  if (outcome.pool.deadline_passed) {
    a.function_error = true;
    a.error_type = kDeadline;
    a.error_message = fmt::format("{} of {} ECCO task(s) not done when the deadline came", failed, jobs.size());
    return a;
  }
  a.response = {{"status", a.status}, {"tasks", jobs.size()}, {"failed", failed}, {"results", outcome.results}};
  if (failed) a.error_message = fmt::format("{} of {} task(s) failed", failed, jobs.size());
  return a;
}

}  // namespace granary::cli
