#include <gtest/gtest.h>

#include <regex>

#include "run/report.hpp"
#include "run/report_summary.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::run {
namespace {
using nlohmann::json;
using namespace std::chrono_literals;

RunRecord sample_record() {
  RunRecord r;
  r.command = "granary ecco run --config c.yaml --jobs jobs.txt";
  r.start = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h + 3min + 4s;
  r.end = r.start + 10s;
  r.workers = 2;
  r.results = {
      {{"status", "SUCCESS"}, {"bytes", 100}, {"sha256", "ab"}, {"peak_rss_bytes", 5000},
       {"durations", {{"read", 1.0}, {"transform", 2.0}, {"write", 0.5}}}},
      {{"status", "SUCCESS"}, {"outputs", {{{"bytes", 50}}, {{"bytes", 25}}}}, {"peak_rss_bytes", 7000},
       {"durations", {{"read", 0.5}, {"write", 0.25}}}},
      {{"status", "FAILED"}, {"error", "SSH_mon_mean.0000000732.data: truncated"}, {"durations", {{"read", 0.1}}}},
      {{"status", "SKIP"}, {"bytes", 999}},
  };
  r.job_keys = {"0,latlon,AVG_MON,all", "0,latlon,AVG_MON,all", "1,native,SNAP,2", "1,native,SNAP,2"};
  r.job_errors = {{"5,latlon,AVG_DAY,all", "job 5,latlon,AVG_DAY,all: no model output for field(s) THETA"}};
  r.extra = {{"config", "c.yaml"}};
  return r;
}

TEST(RunReport, TotalsCountStatusesBytesPhasesAndThroughput) {
  auto report = build_report(sample_record());
  const auto& t = report.at("totals");
  EXPECT_EQ(t.at("tasks"), 4);
  EXPECT_EQ(t.at("by_status").at("SUCCESS"), 2);
  EXPECT_EQ(t.at("by_status").at("FAILED"), 1);
  EXPECT_EQ(t.at("by_status").at("SKIP"), 1);
  EXPECT_EQ(t.at("bytes_written"), 175);  // SKIP outputs were not written by this run
  EXPECT_EQ(t.at("outputs_written"), 3);
  EXPECT_DOUBLE_EQ(t.at("durations").at("read").get<double>(), 1.6);
  EXPECT_DOUBLE_EQ(t.at("durations").at("transform").get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(t.at("durations").at("write").get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(t.at("wall_seconds").get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(t.at("throughput").at("tasks_per_second").get<double>(), 0.3);  // SKIP excluded
  EXPECT_DOUBLE_EQ(t.at("throughput").at("bytes_per_second").get<double>(), 17.5);
  EXPECT_EQ(t.at("peak_rss_bytes"), 7000);
  EXPECT_EQ(t.at("jobs"), 3);
  EXPECT_EQ(t.at("jobs_failed"), 2);
  EXPECT_EQ(t.at("jobs_not_planned"), 1);
  EXPECT_EQ(report.at("start"), "2024-05-01T12:03:04Z");
  EXPECT_EQ(report.at("end"), "2024-05-01T12:03:14Z");
  EXPECT_EQ(report.at("context").at("config"), "c.yaml");
  EXPECT_FALSE(report.at("host").get<std::string>().empty());
}

TEST(RunReport, GroupsResultsPerJobInFirstSeenOrder) {
  auto report = build_report(sample_record());
  const auto& jobs = report.at("jobs");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].at("key"), "5,latlon,AVG_DAY,all");
  EXPECT_EQ(jobs[0].at("tasks"), 0);
  EXPECT_NE(jobs[0].at("error").get<std::string>().find("THETA"), std::string::npos);
  EXPECT_EQ(jobs[1].at("key"), "0,latlon,AVG_MON,all");
  EXPECT_EQ(jobs[1].at("results").size(), 2u);
  EXPECT_EQ(jobs[1].at("bytes_written"), 175);
  EXPECT_EQ(jobs[1].at("results")[0].at("sha256"), "ab");
  EXPECT_EQ(jobs[2].at("by_status").at("FAILED"), 1);
  EXPECT_FALSE(jobs[1].contains("error"));
}

TEST(RunReport, RejectsMismatchedKeys) {
  auto r = sample_record();
  r.job_keys.pop_back();
  EXPECT_THROW(build_report(r), Error);
}

TEST(RunReport, SummaryNamesCountsAndFailures) {
  auto text = human_summary(build_report(sample_record()));
  EXPECT_NE(text.find("Tasks: 4 ("), std::string::npos) << text;
  EXPECT_NE(text.find(") in 3 job(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("2 SUCCESS"), std::string::npos) << text;
  EXPECT_NE(text.find("175 B"), std::string::npos) << text;
  EXPECT_NE(text.find("1,native,SNAP,2: SSH_mon_mean.0000000732.data: truncated"), std::string::npos) << text;
  EXPECT_NE(text.find("THETA"), std::string::npos) << text;
}

TEST(RunReport, WritesAtomicallyUnderReportsWithATimestampedName) {
  test::TempDir dir;
  auto record = sample_record();
  auto path = default_report_path(dir.path(), record.start);
  EXPECT_EQ(path, dir.path() / "reports" / "run-20240501T120304.json");
  auto report = build_report(record);
  write_report(path, report);
  EXPECT_EQ(json::parse(files::read_text(path)), report);
  // A second run in the same second does not overwrite the first report.
  EXPECT_EQ(default_report_path(dir.path(), record.start), dir.path() / "reports" / "run-20240501T120304-2.json");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "reports"))
    EXPECT_EQ(entry.path().filename(), "run-20240501T120304.json");  // no temp files left
}

// The read economy of ATL06 cell results is summed per job and over the run, whatever each
// task's status; the amplification is that of the sums, not a mean of ratios.
TEST(RunReport, TotalsSumTheReadEconomyOfTheResults) {
  RunRecord r;
  r.command = "granary atl06 run";
  r.start = r.end = std::chrono::system_clock::now();
  auto cell = [](const char* status, std::uint64_t fetched, std::uint64_t needed, std::uint64_t requests) {
    return json{{"status", status}, {"bytes_fetched", fetched}, {"bytes_needed", needed}, {"read_requests", requests}};
  };
  r.results = {cell("SUCCESS", 3000, 1000, 10), cell("SUCCESS", 1000, 1000, 4), cell("FAILED", 500, 0, 2),
               {{"status", "SKIP"}}};
  r.job_keys = {"a", "b", "b", "c"};
  const auto report = build_report(r);
  EXPECT_EQ(report.at("totals").at("reads"),
            (json{{"bytes_fetched", 4500}, {"bytes_needed", 2000}, {"read_amplification", 2.25}, {"read_requests", 16}}));
  const auto& jobs = report.at("jobs");
  EXPECT_EQ(jobs.at(0).at("reads").at("read_amplification"), 3.0);
  EXPECT_EQ(jobs.at(1).at("reads").at("bytes_fetched"), 1500);
  EXPECT_EQ(jobs.at(1).at("reads").at("read_requests"), 6);
  EXPECT_FALSE(jobs.at(2).contains("reads")) << "a job without read counters has no reads";
  EXPECT_NE(human_summary(report).find("Reads: 4.50 KB fetched for 2.00 KB needed (amplification 2.25x) in 16 requests"),
            std::string::npos)
      << human_summary(report);
  // ECCO results carry no read counters: no reads object, no line.
  EXPECT_FALSE(build_report(sample_record()).at("totals").contains("reads"));
  EXPECT_EQ(human_summary(build_report(sample_record())).find("Reads:"), std::string::npos);
}

TEST(RunReport, EmptyRunStillSummarizes) {
  RunRecord r;
  r.start = r.end = std::chrono::system_clock::now();
  auto report = build_report(r);
  EXPECT_EQ(report.at("totals").at("tasks"), 0);
  EXPECT_NE(human_summary(report).find("Tasks: 0 (none)"), std::string::npos);
}

}  // namespace
}  // namespace granary::run
