// Joining a Lambda function's log to a plan's jobs (run/lambda_report.hpp): which jobs get a
// timeout or out-of-memory reason and which keep their own error, retry plans' units, other
// plans' invocations in the same log group, and the billed GB-seconds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "run/lambda_report.hpp"
#include "run/plan.hpp"

namespace granary::run::lambda {
namespace {

using nlohmann::json;

std::string report(const std::string& id, double billed_ms, double size_mb, double used_mb, const std::string& tail = "") {
  return fmt::format("REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {:.0f} ms\tMemory Size: {:.0f} MB\t"
                     "Max Memory Used: {:.0f} MB\t{}",
                     id, billed_ms - 0.5, billed_ms, size_mb, used_mb, tail);
}

std::string started(const std::string& id, const std::string& plan, std::size_t index, json jobs = nullptr) {
  json line = {{"event_type", "lambda_invocation"}, {"request_id", id}, {"kind", "plan_unit"}, {"plan", plan}, {"index", index}};
  if (!jobs.is_null()) line["jobs"] = jobs;
  return line.dump();
}

// 4 jobs in 2 units of s3://b/p; one retry plan (retry-1) of job 000003.
PlanState state() {
  PlanState s;
  for (int i = 0; i < 4; ++i) {
    s.jobs.push_back({fmt::format("{:06d}", i), fmt::format("cell {}", i), json::object()});
    s.unit_of.push_back(static_cast<std::size_t>(i / 2));
  }
  s.results.assign(4, json());
  s.attempts.assign(4, 0);
  s.retries = {"retry-1"};
  return s;
}

TEST(LambdaReport, ReasonsGoToMissingAndOrchestratorFailuresOnly) {
  auto s = state();
  // Unit 0 (r1): job 0 failed on its own (the function wrote it), job 1 never finished: the
  // invocation timed out.
  s.results[0] = {{"status", "FAILED"}, {"error", "bad granule"}, {"lambda", {{"request_id", "r1"}, {"memory_mb", 1024}}}};
  // Unit 1 (r2): out of memory; the orchestrator wrote job 2's result; job 3 was then retried
  // in retry-1's unit 0 (r3), which timed out too, and named no jobs in its line.
  s.results[2] = {{"status", "FAILED"}, {"error", "Unhandled"}, {"lambda", {{"request_id", "r2"}, {"function_error", "Unhandled"}}}};
  InvocationLog log;
  log.add(1, started("r1", "s3://b/p", 0, {"000000", "000001"}));
  log.add(2, "2026-12-04T04:00:00.000Z r1 Task timed out after 120.00 seconds");
  log.add(3, report("r1", 120000, 1024, 200));
  log.add(4, started("r2", "s3://b/p/", 1));  // the unit only: its jobs are the plan's unit 1
  log.add(5, report("r2", 3000, 1024, 1024, "Status: error\tError Type: Runtime.OutOfMemory"));
  log.add(6, started("r3", "s3://b/p/retry-1", 0));
  log.add(7, report("r3", 120000, 2048, 300, "Init Duration: 200.00 ms\tStatus: timeout"));
  // Another plan's unit with the same job ids, in the same log group: not this run's.
  log.add(8, started("r9", "s3://b/other", 0, {"000000", "000001"}));
  log.add(9, report("r9", 5000, 1024, 100));
  std::vector<std::pair<std::string, std::size_t>> asked;
  const auto section = apply_lambda_logs(s, "s3://b/p", log, Prices{}, json::object(), [&](const std::string& name, std::size_t i) {
    asked.emplace_back(name, i);
    return std::vector<std::string>{"000003"};
  });
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::size_t>>{{"retry-1", 0}}));
  EXPECT_EQ(s.results[0]["error"], "bad granule");
  EXPECT_EQ(s.results[1]["status"], "MISSING");
  EXPECT_EQ(s.results[1]["error"], "Lambda: timed out after 120.00 s (the function's timeout)");
  EXPECT_EQ(s.results[1]["lambda"]["request_id"], "r1");
  EXPECT_EQ(s.results[2]["error"], "Lambda: out of memory (max used 1024 of 1024 MB)");
  EXPECT_EQ(s.results[2]["lambda"]["reported_error"], "Unhandled");
  // Job 3 ran in r2 (out of memory) and later in r3 (timed out): the latest counts.
  EXPECT_EQ(s.results[3]["error"], "Lambda: timed out after 120.00 s (the function's timeout)");
  EXPECT_EQ(s.results[3]["lambda"]["request_id"], "r3");
  EXPECT_EQ(section["jobs_given_a_reason"], 3);
  EXPECT_EQ(section["invocations"], 3);
  EXPECT_EQ(section["other_invocations"], 1);
  EXPECT_EQ(section["timed_out"].size(), 2u);
  EXPECT_EQ(section["out_of_memory"][0]["jobs"], json({"cell 2", "cell 3"}));
  const double gb_s = 120 * 1.0 + 3 * 1.0 + 120 * 2.0;
  EXPECT_NEAR(section["billed_gb_seconds"].get<double>(), gb_s, 1e-9);
  EXPECT_NEAR(section["cost"]["total"].get<double>(), gb_s * kX86GbSecondPrice + 3 * kRequestPrice, 1e-12);
  EXPECT_EQ(section["cold_starts"]["count"], 1);
  EXPECT_EQ(section["timeout"]["limit_seconds"], 120.0);
  EXPECT_THAT(section["timeout"]["advice"].get<std::string>(), testing::HasSubstr("2 invocation(s) hit the 120 s timeout: raise it"));
  EXPECT_EQ(section["memory"]["suggested_mb"], 2048.0);
}

TEST(LambdaReport, NoLogNoReasons) {
  auto s = state();
  s.results[0] = {{"status", "FAILED"}, {"error", "Unhandled"}, {"lambda", {{"request_id", "r1"}, {"function_error", "Unhandled"}}}};
  const auto section = apply_lambda_logs(s, "s3://b/p", InvocationLog{}, Prices{}, json::object());
  EXPECT_EQ(s.results[0]["error"], "Unhandled");
  EXPECT_TRUE(s.results[1].is_null());
  EXPECT_EQ(section["invocations"], 0);
  EXPECT_EQ(section["result_requests_not_in_log"], 1);
  EXPECT_EQ(section["cost"]["total"], 0.0);
  EXPECT_THAT(lambda_summary_text(section), testing::HasSubstr("1 request id(s) of the results have no line in the log group"));
}

}  // namespace
}  // namespace granary::run::lambda
