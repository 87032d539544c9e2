// granary submit lambda P --function NAME: one synchronous Lambda invocation per unit of a
// plan that is not done yet (run/lambda_submit.hpp), at most --max-concurrency at once, then
// a summary and the commands that follow (report, retry). Events are never printed nor
// logged: they may carry keys (the ATL06 recipe's handout).
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/recipes.hpp"
#include "io/aws_service.hpp"
#include "io/credential_provider.hpp"
#include "io/credentials.hpp"
#include "io/store.hpp"
#include "run/lambda_event.hpp"
#include "run/lambda_invoke.hpp"
#include "run/lambda_submit.hpp"
#include "run/plan_report.hpp"
#include "run/slurm_submit.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct SubmitLambdaOptions {
  std::string plan;
  std::string function;
  std::string qualifier;
  std::size_t max_concurrency = run::lambda::kDefaultMaxConcurrency;
  std::string region;
  std::string endpoint;
  bool dry_run = false;
};

// Every string in `value` replaced: what a handout holds is the recipe's business (keys).
json redacted(const json& value) {
  if (value.is_string()) return "<redacted>";
  if (!value.is_structured()) return value;
  json out = value;
  for (auto& item : out) item = redacted(item);
  return out;
}

void print_summary(const std::string& plan, const run::lambda::SubmitOptions& s, const run::lambda::UnitsToInvoke& todo,
                   const run::lambda::SubmitOutcome& o, std::size_t retry_number) {
  // A retry plan's own plan: `granary retry` and `report` are run on the plan it came from.
  const std::string top = run::top_plan(plan);
  std::string out = fmt::format("Lambda function {}: {} of {} unit(s) of {} invoked ({} done before{}), {} at once at most\n",
                                s.function, o.answered + o.function_errors + o.unavailable, o.units, plan, todo.units_done,
                                o.not_started ? fmt::format(", {} not started", o.not_started) : "", o.max_in_flight);
  out += fmt::format("  units: {} answered, {} function error(s), {} not invoked (service unavailable)\n", o.answered,
                     o.function_errors, o.unavailable);
  out += fmt::format("  jobs:  {} done, {} not done\n", o.jobs_done, o.jobs_failed);
  out += fmt::format("  retries: {} (throttled {} time(s), {} server error(s), {} connection error(s))\n", o.retries, o.throttles,
                     o.server_errors, o.connection_errors);
  out += fmt::format("  report: granary report {}\n", top);
  if (o.jobs_failed > 0 || o.not_started > 0 || o.unavailable > 0) {
    out += fmt::format("  resume: granary submit lambda {} --function {}   (invokes only the units not done)\n", plan, s.function);
    out += fmt::format("  retry:  granary retry {}   then   granary submit lambda {}/retry-{} --function {}\n", top, top,
                       retry_number, s.function);
  }
  std::cout << out << std::flush;
}

void submit_lambda(const SubmitLambdaOptions& o) {
  const bool remote = io::is_s3_uri(o.plan);
  const std::string plan_uri = remote ? o.plan : fs::absolute(o.plan).lexically_normal().string();
  const auto header = run::read_submittable_plan(plan_uri);
  auto dir = io::open_store(plan_uri);
  const std::string region = o.region.empty() ? io::s3::resolve_region() : o.region;
  const auto endpoint = io::aws::resolve_service_endpoint(o.endpoint, "lambda", "LAMBDA", region);
  // Once, before any invocation: e.g. the ATL06 recipe fetches Earthdata's keys here (a bad
  // login fails now), then hands them out (refreshed) in every event.
  auto recipe = make_recipe(header.recipe);
  recipe->prepare(header.parameters);
  const auto todo = run::lambda::units_to_invoke(*dir, header, o.max_concurrency);

  run::lambda::SubmitOptions s;
  s.plan_uri = plan_uri;
  s.function = o.function;
  s.qualifier = o.qualifier;
  s.max_concurrency = o.max_concurrency;
  const std::size_t threads = std::min(o.max_concurrency, todo.units.size());
  if (o.dry_run) {
    std::string text = fmt::format(
        "would invoke Lambda function {}{} at {} ({}, region {}): {} of {} unit(s) ({} job(s); {} unit(s) done already), "
        "{} at once\n",
        o.function, o.qualifier.empty() ? "" : ":" + o.qualifier, endpoint.url, endpoint.source, region, todo.units.size(),
        header.units, todo.jobs, todo.units_done, threads);
    text += fmt::format("  POST {}{}\n", endpoint.url, run::lambda::invoke_path(o.function, o.qualifier));
    if (!todo.units.empty()) {
      json event = run::lambda::unit_event(plan_uri, todo.units.front().index, redacted(recipe->handout()));
      text += fmt::format("  first event (secrets redacted): {}\n", event.dump());
    }
    std::cout << text << std::flush;
    exit_code = 0;
    return;
  }
  if (todo.units.empty()) {
    fmt::print("{}: every unit is done ({} unit(s)); nothing to invoke\n  report: granary report {}\n", plan_uri, header.units,
               run::top_plan(plan_uri));
    exit_code = 0;
    return;
  }
  if (!remote)
    spdlog::info("{} is a local path: the function must see the plan at that path (e.g. an EFS mount); else plan to s3://",
                 plan_uri);
  // The chain's keys are fetched once here (a bad profile fails before any invocation) and
  // refreshed by the provider while the invocations run.
  auto credentials = io::s3::credential_chain(std::nullopt);
  credentials->current();
  spdlog::info("invoking {} at {} ({}) with {}: {} unit(s), {} at once", o.function, endpoint.url, endpoint.source,
               credentials->describe(), todo.units.size(), threads);
  s.service = run::lambda::invoke_service_options(region, endpoint.url, credentials);
  const auto outcome = run::lambda::submit_units(*dir, header, todo.units, recipe.get(), s);

  print_summary(plan_uri, s, todo, outcome, run::retry_plan_names(*io::open_store(run::top_plan(plan_uri))).size() + 1);
  if (!outcome.fatal.empty()) fail("{}", outcome.fatal);
  if (outcome.unavailable > 0) {
    spdlog::error("{} ({} unit(s) not invoked: run the same command again; it resumes)", outcome.unavailable_reason,
                  outcome.unavailable + outcome.not_started);
    exit_code = 3;
    return;
  }
  exit_code = outcome.jobs_failed > 0 ? 1 : 0;
}

}  // namespace

void add_submit_lambda_command(CLI::App& submit) {
  auto o = std::make_shared<SubmitLambdaOptions>();
  auto* cmd = submit.add_subcommand(
      "lambda", "Invoke an AWS Lambda function (granary's runtime) once per unit of P that is not done, and record the answers");
  cmd->add_option("plan", o->plan, "Plan directory P (made by granary plan); s3://, or a path the function sees too")->required();
  cmd->add_option("--function", o->function, "The Lambda function's name (a version or alias: --qualifier)")->required();
  cmd->add_option("--max-concurrency,--max-workers", o->max_concurrency,
                  "At most N invocations at once (threads and connections); --max-workers is magg's name")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--qualifier", o->qualifier, "A version or alias of the function (default: $LATEST)");
  cmd->add_option("--region", o->region, "AWS region of the function (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)");
  cmd->add_option("--endpoint", o->endpoint,
                  "Lambda endpoint URL (default: AWS_ENDPOINT_URL_LAMBDA, else AWS_ENDPOINT_URL, else the region's)");
  cmd->add_flag("--dry-run", o->dry_run, "Say what would be invoked (the first event, secrets redacted); invoke nothing");
  cmd->callback([o] { submit_lambda(*o); });
}

}  // namespace granary::cli
