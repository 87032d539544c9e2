// `granary report P --cloudwatch /aws/lambda/NAME` against the loopback CloudWatch Logs
// endpoint: a plan run on Lambda, with results as the function and the orchestrator write
// them, and the function's log lines as Lambda and granary print them. The report shows the
// timed-out and out-of-memory jobs with their reasons, cold starts, the billed GB-seconds and
// the run's cost; wrong keys and a missing log group are clear errors (exit 2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/file_store.hpp"
#include "run/lambda_report.hpp"
#include "run/plan.hpp"
#include "run/report.hpp"
#include "support/cloudwatch_test_server.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

using nlohmann::json;
using testing::HasSubstr;

const io::s3::Credentials kKeys{"AKIDREPORTCLOUDWATCH", "report-secret", ""};
constexpr double kMemoryMb = 4096;

std::string report_line(const std::string& id, double duration_ms, double billed_ms, double max_used_mb,
                        const std::string& tail = "") {
  return fmt::format("REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {:.0f} ms\tMemory Size: {:.0f} MB\t"
                     "Max Memory Used: {:.0f} MB\t{}",
                     id, duration_ms, billed_ms, kMemoryMb, max_used_mb, tail);
}

json success(const std::string& request_id) {
  return {{"status", "SUCCESS"},
          {"elapsed_seconds", 0.5},
          {"lambda", {{"request_id", request_id}, {"function", "fn"}, {"memory_mb", kMemoryMb}}}};
}

// What `granary submit lambda` records when the Invoke answers X-Amz-Function-Error: Unhandled.
json unhandled(const std::string& request_id, const std::string& message) {
  return {{"status", "FAILED"},
          {"error", "Lambda function error (Unhandled): " + message},
          {"lambda", {{"request_id", request_id}, {"function", "fn"}, {"function_error", "Unhandled"}}}};
}

// A plan of 5 units (2 jobs each, 1 in the last), run on Lambda:
//   unit 0 r-ok-0 (cold) and unit 1 r-ok-1: SUCCESS;
//   unit 2 r-timeout: timed out (older format: the timed-out line, a REPORT without status),
//     both results FAILED by the orchestrator;
//   unit 3 r-oom: out of memory (newer format), one result FAILED by the orchestrator, the
//     other never written (MISSING);
//   unit 4 r-timeout-new: timed out (Status: timeout, cold), no result at all; only granary's
//     lambda_invocation line (plan and index) ties it to the plan.
// Plus a run of another plan in the same log group, and lines from before this plan.
struct LambdaRun {
  test::TempDir tmp;
  std::filesystem::path plan = tmp / "plan";
  json groups;
  double billed_s = 0;

  LambdaRun() {
    io::FileStore dir(plan);
    std::vector<std::vector<run::PlannedJob>> units(5);
    for (int i = 0; i < 9; ++i)
      units[i / 2].push_back({fmt::format("{:06d}", i), fmt::format("cell {}", i), {{"n", i}}});
    const auto created = std::chrono::system_clock::now() - std::chrono::minutes(30);
    run::PlanHeader h;
    h.recipe = "lambda-test";  // no recipe of this build: reported without retry lines
    h.command = "granary plan ...";
    h.created = run::iso_utc(created);
    run::write_plan(dir, h, units);
    run::write_result(dir, "000000", success("r-ok-0"));
    run::write_result(dir, "000001", success("r-ok-0"));
    run::write_result(dir, "000002", success("r-ok-1"));
    run::write_result(dir, "000003", success("r-ok-1"));
    run::write_result(dir, "000004", unhandled("r-timeout", "{\"errorMessage\": \"Task timed out after 900.00 seconds\"}"));
    run::write_result(dir, "000005", unhandled("r-timeout", "{\"errorMessage\": \"Task timed out after 900.00 seconds\"}"));
    run::write_result(dir, "000006", unhandled("r-oom", "{\"errorType\": \"Runtime.ExitError\"}"));

    const std::int64_t t0 = std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count();
    const std::string p = plan.string();
    auto started = [&](const std::string& id, int unit, json jobs) {
      json line = {{"event_type", "lambda_invocation"}, {"request_id", id}, {"kind", "plan_unit"},
                   {"key", fmt::format("{}#{}", p, unit)}, {"plan", p}, {"index", unit}, {"remaining_ms", 899000}};
      if (!jobs.is_null()) line["jobs"] = jobs;
      return line.dump();
    };
    auto complete = [&](const std::string& id, int unit) {
      return json{{"event_type", "processing_complete"}, {"request_id", id}, {"kind", "plan_unit"},
                  {"key", fmt::format("{}#{}", p, unit)}, {"plan", p}, {"index", unit}, {"status", "SUCCESS"}, {"duration_s", 1.0}}
          .dump();
    };
    std::vector<std::pair<std::int64_t, std::string>> lines = {
        {t0 - 3'600'000, report_line("r-before", 1000, 1000, 100)},  // an earlier run: not read
        {t0 + 1000, "START RequestId: r-ok-0 Version: $LATEST"},
        {t0 + 1001, started("r-ok-0", 0, {"000000", "000001"})},
        {t0 + 1002, "[2026-12-04 04:00:00.000] [info] unit 0: 2 job(s)"},
        {t0 + 2000, complete("r-ok-0", 0)},
        {t0 + 2001, "END RequestId: r-ok-0"},
        {t0 + 2002, report_line("r-ok-0", 1200, 1501, 310, "Init Duration: 300.12 ms\t")},
        {t0 + 3000, started("r-ok-1", 1, {"000002", "000003"})},
        {t0 + 4000, complete("r-ok-1", 1)},
        {t0 + 4001, report_line("r-ok-1", 1000.25, 1001, 290)},
        {t0 + 5000, started("r-timeout", 2, {"000004", "000005"})},
        {t0 + 905000, "2026-12-04T04:15:05.000Z r-timeout Task timed out after 900.00 seconds"},
        {t0 + 905001, report_line("r-timeout", 900000, 900000, 400)},
        {t0 + 6000, started("r-oom", 3, {"000006", "000007"})},
        {t0 + 11000, report_line("r-oom", 5000, 5000, kMemoryMb, "Status: error\tError Type: Runtime.OutOfMemory")},
        {t0 + 7000, started("r-timeout-new", 4, nullptr)},
        {t0 + 907000, report_line("r-timeout-new", 900000, 900000, 350, "Init Duration: 250.00 ms\tStatus: timeout")},
        {t0 + 8000, json{{"event_type", "lambda_invocation"}, {"request_id", "r-other"}, {"kind", "plan_unit"},
                         {"plan", "s3://elsewhere/plan"}, {"index", 0}, {"jobs", {"000000"}}}
                        .dump()},
        {t0 + 9000, report_line("r-other", 2000, 2000, 100)},
    };
    json events = json::array();
    for (const auto& [t, m] : lines) events.push_back({{"timestamp", t}, {"message", m}, {"logStreamName", "2026/12/04/[$LATEST]abc"}});
    groups = {{"/aws/lambda/fn", events}};
    billed_s = 1.501 + 1.001 + 900 + 5 + 900;
  }
};

class ReportCloudWatch : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::CloudWatchTestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the CloudWatch test server";
  }
};

TEST_F(ReportCloudWatch, ShowsTimeoutsAndOutOfMemoryWithReasonsAndTheCost) {
  LambdaRun run;
  test::CloudWatchServerOptions options;
  options.groups = run.groups;
  options.credentials = {kKeys};
  options.throttle_calls = {2};  // CloudWatch Logs throttles with a 400: retried
  test::CloudWatchTestServer server(options);

  const double gb_s = run.billed_s * kMemoryMb / 1024;
  const double cost = gb_s * run::lambda::kX86GbSecondPrice + 5 * 0.20 / 1e6;
  auto r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                             " --cloudwatch /aws/lambda/fn --endpoint " + server.endpoint() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = json::parse(r.out);
  ASSERT_TRUE(summary.contains("lambda")) << r.out;
  const auto& l = summary["lambda"];
  EXPECT_EQ(l["invocations"], 5);
  EXPECT_EQ(l["requests"], 5);
  EXPECT_EQ(l["succeeded"], 2);
  EXPECT_EQ(l["other_invocations"], 1);  // r-other; r-before is older than the plan
  ASSERT_EQ(l["timed_out"].size(), 2u);
  EXPECT_EQ(l["timed_out"][0]["request_id"], "r-timeout");
  EXPECT_EQ(l["timed_out"][0]["jobs"], json({"cell 4", "cell 5"}));
  EXPECT_EQ(l["timed_out"][0]["reason"], "Lambda: timed out after 900.00 s (the function's timeout)");
  EXPECT_EQ(l["timed_out"][1]["request_id"], "r-timeout-new");
  EXPECT_EQ(l["timed_out"][1]["jobs"], json({"cell 8"}));
  ASSERT_EQ(l["out_of_memory"].size(), 1u);
  EXPECT_EQ(l["out_of_memory"][0]["jobs"], json({"cell 6", "cell 7"}));
  EXPECT_EQ(l["out_of_memory"][0]["reason"], "Lambda: out of memory (max used 4096 of 4096 MB)");
  EXPECT_EQ(l["jobs_given_a_reason"], 5);
  EXPECT_EQ(l["cold_starts"]["count"], 2);
  EXPECT_NEAR(l["cold_starts"]["init_seconds_max"].get<double>(), 0.30012, 1e-9);
  EXPECT_NEAR(l["billed_gb_seconds"].get<double>(), gb_s, 1e-6);
  EXPECT_NEAR(l["cost"]["total"].get<double>(), cost, 1e-9);
  EXPECT_EQ(fmt::format("{:.2f}", l["cost"]["total"].get<double>()), fmt::format("{:.2f}", cost));
  EXPECT_EQ(l["memory"]["max_memory_used_mb"], kMemoryMb);
  EXPECT_EQ(l["timeout"]["limit_seconds"], 900.0);
  EXPECT_EQ(l["log"]["throttled"], 1);
  EXPECT_GE(l["log"]["pages"].get<int>(), 5);

  // The failures carry the reasons, MISSING jobs included.
  std::string failures = summary["failures"].dump();
  EXPECT_THAT(failures, HasSubstr("Lambda: timed out after <n> s (the function's timeout)"));
  EXPECT_THAT(failures, HasSubstr("Lambda: out of memory (max used <n> of <n> MB)"));
  EXPECT_THAT(failures, HasSubstr("cell 7: Lambda: out of memory"));
  EXPECT_EQ(summary["totals"]["by_status"]["FAILED"], 3);
  EXPECT_EQ(summary["totals"]["by_status"]["MISSING"], 2);

  // The server paged (3 events a page), was asked from the plan's creation on, and every
  // request was signed for "logs".
  const auto s = server.stats();
  EXPECT_GE(s["pages"].get<int>(), 5);
  EXPECT_EQ(s["refused"], 0);
  EXPECT_EQ(s["throttled"], 1);
  ASSERT_EQ(s["requests_seen"].size(), 1u);
  const auto created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count() - 30 * 60'000;
  EXPECT_NEAR(s["requests_seen"][0]["startTime"].get<double>(), static_cast<double>(created_ms - 5 * 60'000), 60'000);
  EXPECT_THAT(s["requests_seen"][0]["filterPattern"].get<std::string>(), HasSubstr("?REPORT"));

  // The text report: reasons, counts and the cost; no core-hour line.
  r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                        " --cloudwatch /aws/lambda/fn");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Lambda: 5 invocation(s) in CloudWatch Logs /aws/lambda/fn"));
  EXPECT_THAT(r.out, HasSubstr("Ended: 2 well, 2 timed out, 1 out of memory, 0 other error(s)"));
  EXPECT_THAT(r.out, HasSubstr("r-timeout: Lambda: timed out after 900.00 s (the function's timeout); job(s) cell 4, cell 5"));
  EXPECT_THAT(r.out, HasSubstr("r-oom: Lambda: out of memory (max used 4096 of 4096 MB); job(s) cell 6, cell 7"));
  EXPECT_THAT(r.out, HasSubstr("Cold starts: 2"));
  EXPECT_THAT(r.out, HasSubstr(fmt::format("Cost: {:.3f} GB-s billed x $0.0000166667 (x86_64) + 5 request(s)", gb_s)));
  EXPECT_THAT(r.out, HasSubstr(fmt::format("= ${:.4f}", cost)));
  EXPECT_THAT(r.out, HasSubstr("1 invocation(s) ran out of memory at 4096 MB"));
  EXPECT_THAT(r.out, HasSubstr("2 invocation(s) hit the 900 s timeout, Lambda's longest: plan smaller units"));
  EXPECT_THAT(r.out, HasSubstr("Not this plan's: 1 other invocation(s)"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("core-hours")));

  // arm64's price.
  r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                        " --cloudwatch /aws/lambda/fn --arch arm64 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(json::parse(r.out)["lambda"]["cost"]["total"].get<double>(),
              gb_s * run::lambda::kArm64GbSecondPrice + 5 * 0.20 / 1e6, 1e-9);
}

TEST_F(ReportCloudWatch, MemoryAdviceForARunThatFits) {
  LambdaRun run;
  // Only the two good invocations: 310 MB of 4096 MB at most.
  json events = json::array();
  for (const auto& e : run.groups["/aws/lambda/fn"])
    if (e["message"].get<std::string>().find("r-ok-") != std::string::npos) events.push_back(e);
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events}};
  options.credentials = {kKeys};
  test::CloudWatchTestServer server(options);
  auto r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                             " --cloudwatch /aws/lambda/fn");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("max used 310 MB of 4096 MB: 512 MB would do; Lambda's CPU share scales with memory"));
  EXPECT_THAT(r.out, HasSubstr("Ended: 2 well, 0 timed out"));
}

// A retry plan's unit (granary retry P, then submit lambda P/retry-1) whose line names only
// the retry plan and its index: the retry's unit is read to find its jobs.
TEST_F(ReportCloudWatch, RetryPlanUnitsAreJoined) {
  LambdaRun run;
  io::FileStore retry(run.plan / "retry-1");
  run::PlanHeader h;
  h.recipe = "lambda-test";
  h.command = "granary retry ...";
  h.created = run::iso_utc(std::chrono::system_clock::now() - std::chrono::minutes(10));
  h.attempt = 2;
  run::write_plan(retry, h, {{{"000008", "cell 8", {{"n", 8}}}}});
  const std::int64_t t = std::chrono::duration_cast<std::chrono::milliseconds>(
                             (std::chrono::system_clock::now() - std::chrono::minutes(5)).time_since_epoch()).count();
  json events = json::array();
  events.push_back({{"timestamp", t},
                    {"message", json{{"event_type", "lambda_invocation"}, {"request_id", "r-retry"}, {"kind", "plan_unit"},
                                     {"plan", (run.plan / "retry-1").string()}, {"index", 0}}
                                    .dump()}});
  events.push_back({{"timestamp", t + 1}, {"message", report_line("r-retry", 300000, 300000, 500, "Status: timeout")}});
  test::CloudWatchServerOptions options;
  options.groups = {{"/aws/lambda/fn", events}};
  options.credentials = {kKeys};
  test::CloudWatchTestServer server(options);
  auto r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                             " --cloudwatch /aws/lambda/fn --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto l = json::parse(r.out)["lambda"];
  ASSERT_EQ(l["timed_out"].size(), 1u) << l.dump(1);
  EXPECT_EQ(l["timed_out"][0]["request_id"], "r-retry");
  EXPECT_EQ(l["timed_out"][0]["jobs"], json({"cell 8"}));
  EXPECT_EQ(l["jobs_given_a_reason"], 1);
  EXPECT_THAT(json::parse(r.out)["failures"].dump(), HasSubstr("cell 8: Lambda: timed out after 300.00 s"));
}

TEST_F(ReportCloudWatch, WrongKeysAndMissingLogGroupAreClearErrors) {
  LambdaRun run;
  test::CloudWatchServerOptions options;
  options.groups = run.groups;
  options.credentials = {kKeys};
  test::CloudWatchTestServer server(options);
  auto r = test::run_command(server.env({kKeys.access_key_id, "not-the-secret", ""}) + test::granary_binary() + " report " +
                             run.plan.string() + " --cloudwatch /aws/lambda/fn");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("CloudWatch Logs (service logs"));
  EXPECT_THAT(r.err, HasSubstr("InvalidSignatureException"));
  EXPECT_THAT(r.err, testing::Not(HasSubstr("not-the-secret")));
  EXPECT_EQ(server.stats()["refused"], 1);

  r = test::run_command(server.env(kKeys) + test::granary_binary() + " report " + run.plan.string() +
                        " --cloudwatch /aws/lambda/missing");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("log group /aws/lambda/missing does not exist"));

  // --cloudwatch needs a plan.
  const auto report = run.tmp / "report.json";
  r = test::run_granary("report " + report.string() + " --cloudwatch /aws/lambda/fn");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--cloudwatch reads the logs of a plan run on Lambda"));
}

}  // namespace
}  // namespace granary
