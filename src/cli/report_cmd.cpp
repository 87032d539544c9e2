// granary report REPORT.json: a run report (ECCO or ATL06) summarised for a person: how the
// run ended, the slowest jobs, failures grouped by reason, the read economy (ATL06: bytes
// fetched and needed, amplification, requests) and the command to run next. With --cloudwatch
// (a plan run on Lambda), the function's CloudWatch Logs add how each invocation ended
// (timeouts and out-of-memory kills become the jobs' reasons), cold starts, the billed
// GB-seconds, the run's cost and memory and timeout sizing (run/lambda_report.hpp).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/recipes.hpp"
#include "io/aws_service.hpp"
#include "io/credential_provider.hpp"
#include "io/credentials.hpp"
#include "io/store.hpp"
#include "run/cloudwatch_logs.hpp"
#include "run/lambda_report.hpp"
#include "run/plan_report.hpp"
#include "run/report.hpp"
#include "run/report_summary.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"
#include "util/user_paths.hpp"

namespace granary::cli {
namespace {

struct ReportOptions {
  std::string path;
  std::size_t top = 5;
  bool json = false;
  std::string out;
  double price = run::kDefaultCoreHourPrice;
  // --cloudwatch: a Lambda run's log group, and how to reach it and price it.
  std::string cloudwatch, endpoint, region, arch = "x86_64";
  std::optional<double> price_gb_second;
  double price_request = run::lambda::kRequestPrice;
};

// Lines logged more than this before the plan was made are another run's (the margin covers
// clocks that disagree).
constexpr std::chrono::minutes kLogMargin{5};

// "2026-12-03T22:44:31Z" -> milliseconds since the epoch.
std::int64_t epoch_ms(const std::string& utc, const std::string& what) {
  std::tm tm{};
  if (utc.size() < 19 || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) fail("{}: '{}' is no UTC time", what, utc);
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

// Reads the log group from the plan's creation on and joins it to the plan's jobs.
nlohmann::json lambda_section(run::PlanState& state, const std::string& plan_uri, const ReportOptions& o) {
  const std::string region = o.region.empty() ? io::s3::resolve_region() : o.region;
  const auto endpoint = io::aws::resolve_service_endpoint(o.endpoint, "logs", "LOGS", region);
  io::aws::ServiceOptions service;
  service.service = "logs";
  service.region = region;
  service.endpoint = endpoint.url;
  service.credentials = io::s3::credential_chain(std::nullopt);
  const io::aws::ServiceClient client(service);

  run::cloudwatch::FilterRequest request;
  request.log_group = o.cloudwatch;
  if (state.header.created.empty())
    spdlog::warn("{}/plan.json says not when it was made: reading the whole log group", plan_uri);
  else
    request.start_ms = epoch_ms(state.header.created, plan_uri + "/plan.json created") -
                       std::chrono::duration_cast<std::chrono::milliseconds>(kLogMargin).count();
  request.filter_pattern = run::lambda::log_filter_pattern();
  spdlog::info("reading CloudWatch Logs {} at {} ({}) from {}", o.cloudwatch, endpoint.url, endpoint.source,
               run::iso_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(request.start_ms))));
  run::lambda::InvocationLog log;
  const auto stats = run::cloudwatch::filter_log_events(
      client, request, [&](const run::cloudwatch::LogEvent& e) { log.add(e.timestamp_ms, e.message); });

  run::lambda::Prices prices;
  prices.arch = o.arch;
  prices.gb_second = o.price_gb_second.value_or(o.arch == "arm64" ? run::lambda::kArm64GbSecondPrice
                                                                   : run::lambda::kX86GbSecondPrice);
  prices.request = o.price_request;
  const nlohmann::json source = {
      {"log_group", o.cloudwatch},
      {"endpoint", endpoint.url},
      {"region", region},
      {"start_time", run::iso_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(request.start_ms)))},
      {"filter_pattern", request.filter_pattern},
      {"pages", stats.pages},
      {"events", stats.events},
      {"throttled", stats.throttled},
      {"lines_used", log.lines_used()}};
  // A retry's unit named without its jobs: read that unit of the retry plan (once).
  std::map<std::pair<std::string, std::size_t>, std::vector<std::string>> retry_units;
  auto retry_unit_jobs = [&](const std::string& name, std::size_t index) {
    auto [it, fresh] = retry_units.try_emplace({name, index});
    if (fresh && std::find(state.retries.begin(), state.retries.end(), name) != state.retries.end()) {
      const auto sub = io::open_store(plan_uri + "/" + name);
      if (index < run::read_plan(*sub).units)
        for (const auto& job : run::read_unit(*sub, index)) it->second.push_back(job.id);
    }
    return it->second;
  };
  return run::lambda::apply_lambda_logs(state, plan_uri, log, prices, source, retry_unit_jobs);
}

// A plan directory (local or s3://) holds plan.json: its report is built from the results.
bool is_plan(const std::string& path) {
  if (io::is_s3_uri(path)) return io::open_store(path)->exists("plan.json");
  return std::filesystem::is_directory(files::user_path_status(path, "report:")) &&
         std::filesystem::exists(files::user_path_status(std::filesystem::path(path) / "plan.json", "report:"));
}

nlohmann::json plan_run_report(const std::string& path, const ReportOptions& o) {
  auto dir = io::open_store(path);
  auto state = run::read_plan_state(*dir);
  nlohmann::json lambda;
  if (!o.cloudwatch.empty()) lambda = lambda_section(state, dir->uri(), o);
  std::unique_ptr<run::Recipe> recipe;
  try {
    recipe = make_recipe(state.header.recipe);
  } catch (const Error&) {
    // A plan of a recipe this build does not know: reported without its retry lines.
  }
  auto report = run::plan_report(*dir, state, recipe.get());
  if (!lambda.is_null()) report["lambda"] = std::move(lambda);
  return report;
}

nlohmann::json read_report(const std::string& path, const ReportOptions& o) {
  if (is_plan(path)) return plan_run_report(path, o);
  if (!o.cloudwatch.empty())
    fail("{}: --cloudwatch reads the logs of a plan run on Lambda: give the plan directory (granary submit lambda P)", path);
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the run report", path);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  require_json_depth(text, path);
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not JSON ({}): not a granary run report", path, json_error_detail(e));
  }
  if (!run::is_run_report(report)) fail("{}: no totals, jobs and command: not a granary run report", path);
  return report;
}

}  // namespace

void add_report_command(CLI::App& root) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = root.add_subcommand(
      "report", "Summarise a run report (ecco run / atl06 run): slowest jobs, failures by reason, what to run next");
  cmd->add_option("path", o->path,
                  "Run report JSON (written by ecco run / atl06 run, see their --report), or a plan directory "
                  "(granary plan): its results so far, missing jobs and retries included")
      ->required();
  cmd->add_option("--out", o->out, "Also write the full run report JSON here (atomically)");
  cmd->add_option("--price-core-hour", o->price,
                  "Price of a core-hour for the cost line (default: an on-demand AWS Batch vCPU-hour, USD)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--top", o->top, "How many of the slowest jobs to list")->capture_default_str();
  auto* cloudwatch = cmd->add_option(
      "--cloudwatch", o->cloudwatch,
      "A plan run on Lambda (granary submit lambda): read its function's log group (/aws/lambda/NAME) through "
      "CloudWatch Logs from the plan's creation on: timeouts and out-of-memory kills become the jobs' reasons; "
      "invocations, cold starts, billed GB-seconds, the run's cost and memory sizing are added (JSON: \"lambda\")");
  cmd->add_option("--endpoint", o->endpoint,
                  "CloudWatch Logs endpoint URL (default: AWS_ENDPOINT_URL_LOGS, AWS_ENDPOINT_URL, else AWS's for the region)")
      ->needs(cloudwatch);
  cmd->add_option("--region", o->region, "AWS region of the log group (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1)")
      ->needs(cloudwatch);
  cmd->add_option("--arch", o->arch, "The function's architecture, for the GB-second price")
      ->check(CLI::IsMember({"x86_64", "arm64"}))
      ->capture_default_str()
      ->needs(cloudwatch);
  cmd->add_option("--price-gb-second", o->price_gb_second,
                  "Price of a GB-second of billed duration (default: Lambda's us-east-1 price for --arch: x86_64 "
                  "0.0000166667, arm64 0.0000133334 USD)")
      ->check(CLI::NonNegativeNumber)
      ->needs(cloudwatch);
  cmd->add_option("--price-request", o->price_request, "Price of one Lambda request (default: 0.20 USD per million)")
      ->check(CLI::NonNegativeNumber)
      ->needs(cloudwatch);
  cmd->add_flag("--json", o->json, "Print the summary as JSON (totals, slowest_jobs, failures, next_commands; lambda with --cloudwatch)");
  cmd->callback([o] {
    const auto report = read_report(o->path, *o);
    if (!o->out.empty()) run::write_report(o->out, report);
    auto summary = run::summary_json(report, o->top);
    summary["sizing"] = run::sizing(report, o->price);
    std::cout << (o->json ? summary.dump(2) + "\n" : run::human_summary(report, o->top, o->price)) << std::flush;
    exit_code = 0;
  });
}

}  // namespace granary::cli
