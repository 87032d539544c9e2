// Plans (run/plan.hpp): units, the directory contract, the engines' index variables, and the
// report of a plan's results (missing jobs, retries, a 5,000-job plan).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "io/file_store.hpp"
#include "run/plan.hpp"
#include "run/plan_report.hpp"
#include "run/report_summary.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::run {
namespace {

using nlohmann::json;
using testing::HasSubstr;

std::vector<PlannedJob> make_jobs(std::size_t n) {
  std::vector<PlannedJob> jobs;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back({fmt::format("{:06d}", i), fmt::format("job {}", i % 7), {{"n", i}}});
  return jobs;
}

TEST(Plan, UnitsAreContiguousNearEqualAndNeverEmpty) {
  auto units = split_into_units(make_jobs(10), 4);
  ASSERT_EQ(units.size(), 4u);
  std::vector<std::size_t> sizes;
  std::size_t next = 0;
  for (const auto& u : units) {
    sizes.push_back(u.size());
    for (const auto& j : u) EXPECT_EQ(j.payload["n"], next++);
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 3, 2, 3}));
  EXPECT_EQ(split_into_units(make_jobs(3), 8).size(), 3u);
  EXPECT_TRUE(split_into_units({}, 4).empty());
  EXPECT_EQ(unit_count(10, std::nullopt, std::nullopt), 10u);
  EXPECT_EQ(unit_count(10, 3, std::nullopt), 3u);
  EXPECT_EQ(unit_count(10, std::nullopt, 4), 3u);
  EXPECT_THROW(unit_count(10, 3, 4), Error);
  EXPECT_THROW(unit_count(10, 0, std::nullopt), Error);
}

TEST(Plan, DirectoryRoundTripsAndIsNeverOverwritten) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  PlanHeader h;
  h.recipe = "ecco";
  h.parameters = {{"x", 1}};
  h.command = "granary plan ecco ...";
  h.log_name = "cycle22";
  write_plan(dir, h, split_into_units(make_jobs(5), 2));
  const auto back = read_plan(dir);
  EXPECT_EQ(back.recipe, "ecco");
  EXPECT_EQ(back.jobs, 5u);
  EXPECT_EQ(back.units, 2u);
  EXPECT_EQ(back.log_name, "cycle22");
  EXPECT_EQ(back.parameters["x"], 1);
  EXPECT_EQ(read_unit(dir, 1).size(), 3u);
  EXPECT_EQ(read_all_jobs(dir, back).back().id, "000004");
  EXPECT_THAT(test::error_of([&] { write_plan(dir, h, split_into_units(make_jobs(1), 1)); }), HasSubstr("a plan exists here already"));
  EXPECT_THAT(test::error_of([&] { read_unit(dir, 2); }), HasSubstr("no unit 2"));
  io::FileStore empty(tmp / "nothing");
  EXPECT_THAT(test::error_of([&] { read_plan(empty); }), HasSubstr("plan.json is missing"));
  const std::string bad = R"({"format": "granary-plan/9"})";
  empty.put("plan.json", std::as_bytes(std::span(bad.data(), bad.size())));
  EXPECT_THAT(test::error_of([&] { read_plan(empty); }), HasSubstr("not a granary plan"));
}

// plan.json's counts size what readers allocate per unit (submit lambda, status): bounded.
TEST(Plan, HeaderCountsAreBounded) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  auto header_error = [&](std::uint64_t jobs, std::uint64_t units) {
    const std::string text = nlohmann::json{{"format", kPlanFormat}, {"recipe", "ecco"}, {"jobs", jobs}, {"units", units}}.dump();
    dir.put("plan.json", std::as_bytes(std::span(text.data(), text.size())));
    return test::error_of([&] { read_plan(dir); });
  };
  EXPECT_THAT(header_error(10, 1'000'000'000'000'000'000), HasSubstr("plan.json: 1000000000000000000 units for 10 job(s)"));
  EXPECT_THAT(header_error(0, 1), HasSubstr("1 units for 0 job(s)"));
  EXPECT_THAT(header_error(18'446'744'073'709'551'615u, 1), HasSubstr("plan.json: 18446744073709551615 jobs, more than the 10000000"));
  EXPECT_EQ(header_error(kMaxPlanJobs, kMaxPlanJobs), "(no granary::Error thrown)");
}

// plan_fuzz: a "format" that is not a string, or a float for a count, once escaped as an
// nlohmann exception (type_error) or undefined behaviour (a float beyond size_t).
TEST(Plan, HeaderFieldsOfTheWrongTypeAreBadInput) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  auto header_error = [&](const std::string& text) {
    dir.put("plan.json", std::as_bytes(std::span(text.data(), text.size())));
    return test::error_of([&] { read_plan(dir); });
  };
  EXPECT_THAT(header_error(R"({"format": 1, "recipe": "ecco", "jobs": 1, "units": 1})"), HasSubstr("not a granary plan (format 1"));
  const std::string fmt = std::string(R"({"format": ")") + kPlanFormat + R"(", "recipe": "ecco", )";
  EXPECT_THAT(header_error(fmt + R"("jobs": -9.2e20, "units": 1})"), HasSubstr("\"jobs\" must be an integer"));
  EXPECT_THAT(header_error(fmt + R"("jobs": 1, "units": 1, "attempt": 1e300})"), HasSubstr("\"attempt\" must be an integer"));
}

TEST(Plan, EngineIndexComesFromSlurmBatchOrKubernetes) {
  for (const char* v : {"SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"}) unsetenv(v);
  EXPECT_FALSE(engine_index_from_environment());
  for (const char* v : {"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "SLURM_ARRAY_TASK_ID"}) {
    setenv(v, "7", 1);
    const auto e = engine_index_from_environment();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->index, 7u);
    EXPECT_EQ(e->variable, v);  // Slurm first, then Batch, then Kubernetes
  }
  setenv("SLURM_ARRAY_TASK_ID", "x1", 1);
  EXPECT_THAT(test::error_of([] { engine_index_from_environment(); }), HasSubstr("SLURM_ARRAY_TASK_ID=x1: not an array index"));
  for (const char* v : {"SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"}) unsetenv(v);
}

TEST(PlanReport, MissingJobsRetriesAndTheLatestResult) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  PlanHeader h;
  h.recipe = "ecco";
  write_plan(dir, h, split_into_units(make_jobs(4), 2));
  write_result(dir, "000000", {{"status", "SUCCESS"}, {"elapsed_seconds", 1.0}, {"finished", "2026-12-03T10:00:00Z"}});
  write_result(dir, "000001", {{"status", "FAILED"}, {"error", "/x/a.data: truncated"}, {"finished", "2026-12-03T10:00:01Z"}});
  write_result(dir, "000002", {{"status", "SKIP"}, {"finished", "2026-12-03T10:00:02Z"}});
  // 000003 has no result: its worker died.
  auto state = read_plan_state(dir);
  auto report = plan_report(dir, state, nullptr);
  EXPECT_EQ(report["totals"]["by_status"], json::parse(R"({"SUCCESS": 1, "FAILED": 1, "SKIP": 1, "MISSING": 1})"));
  EXPECT_EQ(report["rerun"]["command"], "granary retry " + dir.uri());
  EXPECT_EQ(next_commands(report).front(), "granary retry " + dir.uri());
  EXPECT_THAT(human_summary(report), HasSubstr("no result: the job did not run"));

  // A retry plan of the two that are not done, then their results there win.
  PlanHeader r = h;
  r.attempt = 2;
  io::FileStore retry(tmp / "p" / "retry-1");
  write_plan(retry, r, split_into_units({state.jobs[1], state.jobs[3]}, 1));
  write_result(retry, "000001", {{"status", "SUCCESS"}, {"finished", "2026-12-03T11:00:00Z"}});
  write_result(retry, "000003", {{"status", "SUCCESS"}, {"finished", "2026-12-03T11:00:01Z"}});
  state = read_plan_state(dir);
  EXPECT_EQ(state.retries, std::vector<std::string>{"retry-1"});
  report = plan_report(dir, state, nullptr);
  EXPECT_EQ(report["totals"]["by_status"], json::parse(R"({"SUCCESS": 3, "SKIP": 1})"));
  EXPECT_EQ(report["context"]["jobs_retried"], 1);  // 000001 ran twice; 000003 once, in the retry
  EXPECT_TRUE(next_commands(report).empty());
}

TEST(PlanReport, SlurmLogsSayWhyAUnitLeftNoResults) {
  EXPECT_EQ(slurm_end_reason("working\nslurmstepd: error: *** JOB 12 ON localhost CANCELLED AT 2026-12-03T10:00:00 ***\n"),
            "cancelled: *** JOB 12 ON localhost CANCELLED AT 2026-12-03T10:00:00 ***");
  EXPECT_THAT(slurm_end_reason("slurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-12-03T10:00:00 DUE TO TIME LIMIT ***"),
              HasSubstr("time limit: "));
  EXPECT_THAT(slurm_end_reason("slurmstepd: error: Detected 1 oom-kill event(s) in StepId=5.batch."), HasSubstr("out of memory: "));
  EXPECT_EQ(slurm_end_reason("I 10:00:00 work: unit 3 ...\n"), "");

  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  PlanHeader h;
  h.recipe = "ecco";
  write_plan(dir, h, split_into_units(make_jobs(4), 2));
  write_result(dir, "000000", {{"status", "SUCCESS"}});
  auto put = [&](const std::string& key, const std::string& text) { dir.put(key, std::as_bytes(std::span(text.data(), text.size()))); };
  put("logs/slurm-7_0.err", "");
  put("logs/slurm-7_1.err", "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=7_1.batch.\n");
  put("logs/slurm-6_1.err", "slurmstepd: error: *** JOB 6 ON n CANCELLED AT 2026 ***\n");  // an older job of unit 1
  const auto report = plan_report(dir, read_plan_state(dir), nullptr);
  const auto text = human_summary(report);
  EXPECT_THAT(text, HasSubstr("its unit's engine task ended: out of memory"));  // unit 1's two jobs
  EXPECT_THAT(text, HasSubstr("no result: the job did not run"));               // unit 0's second job
  EXPECT_THAT(text, testing::Not(HasSubstr("CANCELLED")));
}

// The report of a large plan stays quick (timed in bench/, not here): checks its totals.
TEST(PlanReport, FiveThousandJobs) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  PlanHeader h;
  h.recipe = "atl06";
  write_plan(dir, h, split_into_units(make_jobs(5000), 100));
  for (int i = 0; i < 5000; ++i)
    if (i % 10)
      write_result(dir, fmt::format("{:06d}", i),
                   {{"status", i % 97 ? "SUCCESS" : "FAILED"}, {"error", "x"}, {"elapsed_seconds", 0.001 * (i % 1000)},
                    {"peak_rss_bytes", 1000 + i}, {"finished", "2026-12-03T10:00:00Z"}});
  const auto t0 = std::chrono::steady_clock::now();
  const auto report = plan_report(dir, read_plan_state(dir), nullptr);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("report_seconds", std::to_string(seconds));
  EXPECT_EQ(report["totals"]["tasks"], 5000);
  EXPECT_EQ(report["totals"]["by_status"]["MISSING"], 500);
  EXPECT_EQ(report["totals"]["by_status"]["FAILED"], 46);  // 52 multiples of 97, 6 of them of 970
  EXPECT_EQ(report["totals"]["peak_rss_bytes"], 1000 + 4999);
  EXPECT_NEAR(report["totals"]["task_seconds"]["max"].get<double>(), 0.999, 1e-9);
  // Cost and sizing: one core per running job; 25% over the largest peak, in 64 MiB steps.
  double seconds_sum = 0;
  for (int i = 0; i < 5000; ++i)
    if (i % 10) seconds_sum += 0.001 * (i % 1000);
  const auto size = sizing(report, 0.05);
  EXPECT_EQ(size["jobs_that_ran"], 4500);
  EXPECT_NEAR(size["core_hours"].get<double>(), seconds_sum / 3600, 1e-9);
  EXPECT_NEAR(size["cost"].get<double>(), 0.05 * seconds_sum / 3600, 1e-9);
  EXPECT_EQ(size["peak_rss_bytes"], 5999);
  EXPECT_EQ(size["memory_per_worker_bytes"], 256u << 20);
  EXPECT_EQ(size["useful_concurrency"], static_cast<std::size_t>(std::ceil(seconds_sum / 0.999)));
  EXPECT_THAT(human_summary(report, 5, 0.05), HasSubstr("at $0.05/core-hour"));
}

}  // namespace
}  // namespace granary::run
