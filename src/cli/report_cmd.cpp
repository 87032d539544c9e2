// granary report REPORT.json: a run report (ECCO or ATL06) summarised for a person: how the
// run ended, the slowest jobs, failures grouped by reason, the read economy (ATL06: bytes
// fetched and needed, amplification, requests) and the command to run next.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "run/report_summary.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

struct ReportOptions {
  std::string path;
  std::size_t top = 5;
  bool json = false;
};

nlohmann::json read_report(const std::string& path) {
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
  cmd->add_option("path", o->path, "Run report JSON (written by ecco run / atl06 run, see their --report)")->required();
  cmd->add_option("--top", o->top, "How many of the slowest jobs to list")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the summary as JSON (totals, slowest_jobs, failures, next_commands)");
  cmd->callback([o] {
    const auto report = read_report(o->path);
    std::cout << (o->json ? run::summary_json(report, o->top).dump(2) + "\n" : run::human_summary(report, o->top)) << std::flush;
    exit_code = 0;
  });
}

}  // namespace granary::cli
