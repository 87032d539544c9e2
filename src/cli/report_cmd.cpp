// granary report REPORT.json: a run report (ECCO or ATL06) summarised for a person: how the
// run ended, the slowest jobs, failures grouped by reason, the read economy (ATL06: bytes
// fetched and needed, amplification, requests) and the command to run next.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/recipes.hpp"
#include "io/store.hpp"
#include "run/plan_report.hpp"
#include "run/report.hpp"
#include "run/report_summary.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

struct ReportOptions {
  std::string path;
  std::size_t top = 5;
  bool json = false;
  std::string out;
  double price = run::kDefaultCoreHourPrice;
};

// A plan directory (local or s3://) holds plan.json: its report is built from the results.
bool is_plan(const std::string& path) {
  if (io::is_s3_uri(path)) return io::open_store(path)->exists("plan.json");
  return std::filesystem::is_directory(path) && std::filesystem::exists(std::filesystem::path(path) / "plan.json");
}

nlohmann::json plan_run_report(const std::string& path) {
  auto dir = io::open_store(path);
  const auto state = run::read_plan_state(*dir);
  std::unique_ptr<run::Recipe> recipe;
  try {
    recipe = make_recipe(state.header.recipe);
  } catch (const Error&) {
    // A plan of a recipe this build does not know: reported without its retry lines.
  }
  return run::plan_report(*dir, state, recipe.get());
}

nlohmann::json read_report(const std::string& path) {
  if (is_plan(path)) return plan_run_report(path);
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the run report", path);
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}: not JSON (byte {}): not a granary run report", path, e.byte);
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
  cmd->add_flag("--json", o->json, "Print the summary as JSON (totals, slowest_jobs, failures, next_commands)");
  cmd->callback([o] {
    const auto report = read_report(o->path);
    if (!o->out.empty()) run::write_report(o->out, report);
    auto summary = run::summary_json(report, o->top);
    summary["sizing"] = run::sizing(report, o->price);
    std::cout << (o->json ? summary.dump(2) + "\n" : run::human_summary(report, o->top, o->price)) << std::flush;
    exit_code = 0;
  });
}

}  // namespace granary::cli
