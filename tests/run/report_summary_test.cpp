// The human summary of run reports: failures grouped by reason across files and cells, the
// slowest jobs, and the command that finishes the run.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run/report_summary.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

using json = nlohmann::json;

json ecco_result(int timestep, const std::string& status, double seconds, const std::string& error = "") {
  json r = {{"status", status},
            {"elapsed_seconds", seconds},
            {"task", {{"grouping", 1}, {"product", "latlon"}, {"frequency", "AVG_MON"}, {"timestep", timestep}}}};
  if (!error.empty()) r["error"] = error;
  return r;
}

json ecco_report() {
  json jobs = json::array();
  jobs.push_back({{"key", "1,latlon,AVG_MON,all"},
                  {"results",
                   {ecco_result(732, "SUCCESS", 2.0), ecco_result(1428, "FAILED", 0.5, "/m/THETA/THETA.0000001428.data: truncated: 10 of 42120000 bytes"),
                    ecco_result(2172, "FAILED", 0.4, "/m/THETA/THETA.0000002172.data: truncated: 99 of 42120000 bytes")}}});
  jobs.push_back({{"key", "0,latlon,AVG_MON,all"}, {"results", {ecco_result(732, "SUCCESS", 0.3)}}});
  jobs.push_back({{"key", "9,native,SNAP,all"}, {"error", "grouping 9 is not in groupings_for_native_datasets.json"}, {"results", json::array()}});
  return {{"command", "granary ecco run --config c.yaml --jobs jobs.txt"},
          {"start", "2026-01-01T00:00:00Z"},
          {"end", "2026-01-01T00:00:03Z"},
          {"wall_seconds", 3.0},
          {"host", "h"},
          {"workers", 2},
          {"interrupted", false},
          {"context", {{"recipe", "ecco"}}},
          // What build_report writes from the recipe's retry hint (cli/ecco_recipe.cpp).
          {"rerun",
           {{"command", "granary ecco run --config c.yaml --jobs jobs.txt"},
            {"heading", "or run just the failed timesteps, with a jobs file of these lines:"},
            {"lines", {"1,latlon,AVG_MON,[1428, 2172]"}}}},
          {"totals",
           {{"tasks", 4}, {"jobs", 3}, {"by_status", {{"SUCCESS", 2}, {"FAILED", 2}}}, {"jobs_not_planned", 1},
            {"outputs_written", 2}, {"bytes_written", 1000}, {"durations", {{"read", 1.0}, {"write", 2.0}}}}},
          {"jobs", jobs}};
}

TEST(ReportSummary, ReasonsAreGeneralisedOverFilesAndNumbers) {
  EXPECT_EQ(run::generalise_reason("/m/THETA/THETA.0000001428.data: truncated: 10 of 42120000 bytes"),
            "<file>: truncated: <n> of <n> bytes");
  EXPECT_EQ(run::generalise_reason("s3://bucket/a/b.h5: HTTP 403 (AccessDenied)"), "<file>: HTTP <n> (AccessDenied)");
  EXPECT_EQ(run::generalise_reason("No data after filtering"), "No data after filtering");
}

TEST(ReportSummary, EccoFailuresGroupedSlowestFirstAndRetryLines) {
  const json report = ecco_report();
  const auto groups = run::group_failures(report);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].count, 2u);
  EXPECT_EQ(groups[0].reason, "<file>: truncated: <n> of <n> bytes");
  ASSERT_EQ(groups[0].examples.size(), 2u);
  EXPECT_NE(groups[0].examples[0].find("1,latlon,AVG_MON,all: /m/THETA/THETA.0000001428.data"), std::string::npos);
  EXPECT_EQ(groups[1].count, 1u);
  EXPECT_NE(groups[1].reason.find("not planned"), std::string::npos);

  const auto slow = run::slowest_jobs(report, 5);
  ASSERT_EQ(slow.size(), 2u) << "the job that was never planned did not run";
  EXPECT_EQ(slow[0].first, "1,latlon,AVG_MON,all");
  EXPECT_DOUBLE_EQ(slow[0].second, 2.9);

  const auto next = run::next_commands(report);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0], "granary ecco run --config c.yaml --jobs jobs.txt");
  EXPECT_EQ(next[1], "1,latlon,AVG_MON,[1428, 2172]");

  const std::string text = run::human_summary(report, 1);
  EXPECT_NE(text.find("Failures: 3 in 2 group(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("2 x <file>: truncated"), std::string::npos) << text;
  EXPECT_NE(text.find("1,latlon,AVG_MON,[1428, 2172]"), std::string::npos) << text;
  EXPECT_EQ(text.find("0,latlon,AVG_MON,all"), std::string::npos) << "--top 1 lists one job\n" << text;
}

TEST(ReportSummary, Atl06GranuleFailuresCountEvenWhenTheCellSucceeded) {
  json cell = {{"status", "SUCCESS"},
               {"elapsed_seconds", 1.0},
               {"granule_outcomes",
                {{{"status", "read"}, {"granule", "/g/a.h5"}},
                 {{"status", "failed"}, {"granule", "/g/b.h5"}, {"reason", "/g/b.h5: truncated HDF5 file"}}}}};
  json report = {{"command", "granary atl06 run --catalog c.json --out s.zarr --skip-bad-granules"},
                 {"context", {{"recipe", "atl06"}, {"production_results", {{"successful", 1}, {"failed", 0}}}}},
                 {"totals", {{"tasks", 1}, {"jobs", 1}, {"by_status", {{"SUCCESS", 1}}}, {"jobs_not_planned", 0}}},
                 {"jobs", {{{"key", "-4113213"}, {"results", {cell}}}}}};
  const auto groups = run::group_failures(report);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].reason, "granule <file>: truncated HDF5 file");
  EXPECT_TRUE(run::next_commands(report).empty()) << "no task failed: nothing to rerun";
  report["interrupted"] = true;
  EXPECT_EQ(run::next_commands(report), std::vector<std::string>{report["command"].get<std::string>()});
}

TEST(ReportCommand, SummarisesAFileAndRejectsWhatIsNotAReport) {
  test::TempDir tmp;
  const auto path = tmp / "run.json";
  std::ofstream(path) << ecco_report().dump();
  auto r = test::run_granary("report " + path.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Slowest job(s)"), std::string::npos) << r.out;
  r = test::run_granary("report --json " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j.at("failures").size(), 2u);
  EXPECT_EQ(j.at("next_commands").size(), 2u);

  // An ATL06 run's read economy: in the human summary and in --json's totals.
  json atl06 = ecco_report();
  atl06["context"]["recipe"] = "atl06";
  atl06["totals"]["reads"] = {{"bytes_fetched", 4400000}, {"bytes_needed", 3200000}, {"read_amplification", 1.4}, {"read_requests", 363}};
  std::ofstream(tmp / "atl06.json") << atl06.dump();
  r = test::run_granary("report " + (tmp / "atl06.json").string());
  EXPECT_NE(r.out.find("Reads: 4.40 MB fetched for 3.20 MB needed (amplification 1.40x) in 363 requests"), std::string::npos) << r.out;
  r = test::run_granary("report --json " + (tmp / "atl06.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("totals").at("reads").at("read_requests"), 363);

  std::ofstream(tmp / "bad.json") << "{\"totals\": ";
  r = test::run_granary("report " + (tmp / "bad.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  r = test::run_granary("report --no-such-flag " + path.string());
  EXPECT_EQ(r.exit_code, 2) << "a bad command line is bad input";
}

}  // namespace
}  // namespace granary
