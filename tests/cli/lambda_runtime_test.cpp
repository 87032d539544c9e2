// `granary lambda`, the custom runtime, driven by the loopback Runtime API as AWS Lambda
// drives it: plan units of ECCO and ATL06 give the outputs of the local runs, the shared
// state is prepared once per container, a job that cannot finish by the deadline is stopped
// with nothing partial left, bad events and start-up failures are reported through the API,
// and nothing secret reaches a log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/file_store.hpp"
#include "run/plan.hpp"
#include "support/atl06_demo.hpp"
#include "support/ecco_demo.hpp"
#include "support/lambda_runtime_harness.hpp"
#include "io/s3_store.hpp"
#include "support/product_compare.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using testing::Not;

json unit_events(const fs::path& plan, std::size_t units, int timeout_ms = 60'000) {
  json events = json::array();
  for (std::size_t i = 0; i < units; ++i) events.push_back({{"event", {{"plan", plan.string()}, {"index", i}}}, {"timeout_ms", timeout_ms}});
  return events;
}

std::size_t count_lines_with(const std::string& text, const std::string& part) {
  std::size_t n = 0, pos = 0;
  while ((pos = text.find(part, pos)) != std::string::npos) ++n, pos += part.size();
  return n;
}

// Every answer a SUCCESS response whose results carry the request id they were made in.
void expect_units_answered(const std::vector<json>& answers, const fs::path& plan) {
  for (const auto& a : answers) {
    ASSERT_EQ(a["kind"], "response") << a.dump();
    EXPECT_EQ(a["body"]["status"], "SUCCESS") << a.dump();
    EXPECT_FALSE(a["late"].get<bool>());
    for (const auto& r : a["body"]["results"]) {
      EXPECT_EQ(r["lambda"]["request_id"], a["request_id"]);
      const auto recorded = json::parse(files::read_text(plan / "results" / (r["id"].get<std::string>() + ".json")));
      EXPECT_EQ(recorded["lambda"]["request_id"], a["request_id"]);
      EXPECT_EQ(recorded["lambda"]["memory_mb"], 2048);
    }
  }
}

TEST(LambdaRuntime, EccoPlanUnitsGiveTheLocalRunsProducts) {
  test::EccoDemo set;
  set.config_to("planned");
  auto r = set.run_locally();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = set.dir / "plan";
  r = test::run_granary("plan ecco --config " + (set.demo() / "planned.yaml").string() + " --jobs " +
                        (set.demo() / "jobs.txt").string() + " --plan " + plan.string() + " --units 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::LambdaRuntimeHarness lambda(unit_events(plan, 3));
  lambda.start_runtime({}, {"-j", "2"});
  const auto s = lambda.wait_answered(3);
  ASSERT_EQ(s["answered"], 3) << lambda.err();
  EXPECT_TRUE(s["violations"].empty()) << s["violations"].dump();
  expect_units_answered(lambda.answers_in_order(s), plan);
  test::expect_same_products(set.demo() / "planned", set.demo() / "products");
  // The grid and mapping factors were loaded once for the three invocations.
  EXPECT_EQ(count_lines_with(lambda.err(), "prepared the ecco plan"), 1u) << lambda.err();

  // One log line per invocation start and end, in JSON for CloudWatch Logs Insights.
  const auto out = lambda.out();
  EXPECT_EQ(count_lines_with(out, "\"event_type\":\"lambda_invocation\""), 3u) << out;
  EXPECT_EQ(count_lines_with(out, "\"event_type\":\"processing_complete\""), 3u) << out;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto j = json::parse(line);
    EXPECT_EQ(j["kind"], "plan_unit");
    EXPECT_THAT(j["key"].get<std::string>(), HasSubstr(plan.string() + "#"));
  }
  r = test::run_granary("report " + plan.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["totals"]["by_status"].value("SUCCESS", 0), json::parse(r.out)["totals"]["tasks"].get<int>());
}

TEST(LambdaRuntime, Atl06PlanUnitsGiveTheLocalRunsStore) {
  test::Atl06Demo set;
  const auto& tmp = set.dir;
  auto r = set.run_locally("run.zarr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = tmp / "plan";
  r = set.plan("lambda.zarr", "plan", 2);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The orchestrator's handout (fresh granule keys) goes to every job, and nowhere else.
  json events = unit_events(plan, 2);
  for (auto& e : events)
    e["event"]["s3_credentials"] = {{"accessKeyId", "ASIAHANDOUTKEY"}, {"secretAccessKey", "handout/Secret+9"}, {"sessionToken", "tok=="}};
  test::LambdaRuntimeHarness lambda(events);
  lambda.start_runtime();
  const auto s = lambda.wait_answered(2);
  ASSERT_EQ(s["answered"], 2) << lambda.err();
  EXPECT_TRUE(s["violations"].empty()) << s["violations"].dump();
  expect_units_answered(lambda.answers_in_order(s), plan);
  test::expect_same_zarr(tmp / "lambda.zarr", tmp / "run.zarr");
  EXPECT_THAT(lambda.out() + lambda.err() + s.dump(), Not(HasSubstr("handout/Secret+9")));
  for (const auto& f : test::files_under(plan / "results"))
    EXPECT_THAT(files::read_text(plan / "results" / f), Not(HasSubstr("handout/Secret+9")));
}

TEST(LambdaRuntime, MaggAndEccoEventsAnswerAsTheirCommandsDo) {
  test::Atl06Demo set;
  const auto& tmp = set.dir;
  const auto catalog = json::parse(files::read_text(set.catalog()));
  // magg's event for the first parent of the catalog, run by `atl06 cell --event` and by Lambda.
  json magg = {{"parent_order", 6}, {"child_order", 12}, {"create_store", true}};
  std::int64_t parent = 0;
  for (const auto& [cell, granules] : catalog["catalog"].items()) {
    parent = std::stoll(cell);
    magg["parent_morton"] = parent;
    magg["granule_urls"] = granules;
    break;
  }
  ASSERT_NE(parent, 0) << catalog.dump().substr(0, 300);
  auto cell_event = magg;
  cell_event["store"] = (tmp / "cell.zarr").string();
  std::ofstream(tmp / "cell.json") << cell_event.dump();
  auto r = test::run_granary("atl06 cell --event " + (tmp / "cell.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto cell_answer = json::parse(r.out);

  auto ecco = test::EccoDemo();
  ecco.config_to("lambda");
  const auto plan = ecco.dir / "plan";
  r = test::run_granary("plan ecco --config " + (ecco.demo() / "lambda.yaml").string() + " --jobs " + (ecco.demo() / "jobs.txt").string() +
                        " --plan " + plan.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("plan ecco --config " + (ecco.demo() / "config.yaml").string() + " --jobs " + (ecco.demo() / "jobs.txt").string() +
                        " --plan " + (ecco.dir / "plan-local").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto header = run::read_plan(io::FileStore(plan));
  json tasks = json::array();
  for (const auto& job : run::read_all_jobs(io::FileStore(plan), header)) tasks.push_back(job.payload);

  magg["store"] = (tmp / "lambda.zarr").string();
  test::LambdaRuntimeHarness lambda(json::array({{{"event", magg}}, {{"event", {{"ecco", header.parameters}, {"tasks", tasks}}}}}));
  lambda.start_runtime();
  const auto s = lambda.wait_answered(2);
  ASSERT_EQ(s["answered"], 2) << lambda.err();
  const auto answers = lambda.answers_in_order(s);
  // magg's return object, as `atl06 cell --event` gives it.
  ASSERT_EQ(answers[0]["kind"], "response") << answers[0].dump();
  EXPECT_EQ(answers[0]["body"]["statusCode"], cell_answer["statusCode"]);
  EXPECT_EQ(answers[0]["body"]["body"]["total_obs"], cell_answer["body"]["total_obs"]);
  EXPECT_EQ(answers[0]["body"]["body"]["cells_with_data"], cell_answer["body"]["cells_with_data"]);
  test::expect_same_zarr(tmp / "lambda.zarr", tmp / "cell.zarr");
  // The ECCO batch: every task's result, and the products of the local run.
  ASSERT_EQ(answers[1]["kind"], "response") << answers[1].dump();
  EXPECT_EQ(answers[1]["body"]["status"], "SUCCESS");
  EXPECT_EQ(answers[1]["body"]["results"].size(), tasks.size());
  r = ecco.run_locally();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::expect_same_products(ecco.demo() / "lambda", ecco.demo() / "products");
}

TEST(LambdaRuntime, AJobPastTheDeadlineStopsCleanlyAndARetryFinishesIt) {
  test::Atl06Demo set;
  const auto& tmp = set.dir;
  auto r = set.run_locally("run.zarr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = tmp / "plan";
  r = set.plan("lambda.zarr", "plan", 1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto planned_store = test::files_under(tmp / "lambda.zarr");  // the template the planner wrote
  {
    // Each job is held back 30 s; the invocation has 2.5 s, and jobs stop 1 s before its end.
    test::LambdaRuntimeHarness lambda(unit_events(plan, 1, 2500));
    const auto start = std::chrono::steady_clock::now();
    lambda.start_runtime({"GRANARY_TEST_TASK_DELAY_SECONDS=30", "GRANARY_LAMBDA_DEADLINE_MARGIN_MS=1000"});
    const auto s = lambda.wait_answered(1, 20);
    ASSERT_EQ(s["answered"], 1) << lambda.err();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    const auto a = lambda.answers_in_order(s).at(0);
    EXPECT_EQ(a["kind"], "error");
    EXPECT_EQ(a["error_type"], "Granary.DeadlineExceeded");
    EXPECT_EQ(a["body"]["errorType"], "Granary.DeadlineExceeded");
    EXPECT_FALSE(a["late"].get<bool>()) << "the answer must reach Lambda before the deadline";
    // The runtime is still serving: one more event is answered by the same process.
  }
  const auto results = test::files_under(plan / "results");
  ASSERT_FALSE(results.empty());
  for (const auto& f : results) {
    const auto j = json::parse(files::read_text(plan / "results" / f));
    EXPECT_EQ(j["status"], "FAILED");
    EXPECT_THAT(j["error"].get<std::string>(), HasSubstr("deadline"));
  }
  // Nothing of the stopped jobs is in the store: it is the planner's template (temporaries of
  // the killed workers aside, which no reader takes for chunks and the next run removes).
  std::vector<std::string> visible;
  for (const auto& f : test::files_under(tmp / "lambda.zarr"))
    if (f.find(".part-") == std::string::npos) visible.push_back(f);
  EXPECT_EQ(visible, planned_store);
  // The retry's plan, run by a Lambda with time enough, finishes the store.
  r = test::run_granary("retry " + plan.string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  test::LambdaRuntimeHarness again(unit_events(plan / "retry-1", 1));
  again.start_runtime();
  const auto s = again.wait_answered(1);
  ASSERT_EQ(s["answered"], 1) << again.err();
  EXPECT_EQ(again.answers_in_order(s).at(0)["body"]["status"], "SUCCESS");
  test::expect_same_zarr(tmp / "lambda.zarr", tmp / "run.zarr");
}

TEST(LambdaRuntime, BadEventsAreFunctionErrorsAndTheRuntimeCarriesOn) {
  test::LambdaRuntimeHarness lambda(json::array({
      {{"raw", "{\"parent_morton\": 1, \"s3_credentials\": {\"secretAccessKey\": \"raw/Secret\""}},
      {{"event", {{"hello", "world"}}}},
      {{"event", {{"plan", "/nonexistent/plan"}, {"index", 0}}}},
      {{"event", {{"parent_morton", "x"}, {"s3_credentials", {{"secretAccessKey", "magg/Secret+1"}}}}}},
  }));
  lambda.start_runtime();
  const auto s = lambda.wait_answered(4, 30);
  ASSERT_EQ(s["answered"], 4) << lambda.err();
  EXPECT_TRUE(s["violations"].empty()) << s["violations"].dump();
  const auto a = lambda.answers_in_order(s);
  EXPECT_EQ(a[0]["error_type"], "Granary.BadEvent");
  EXPECT_THAT(a[0]["body"]["errorMessage"].get<std::string>(), HasSubstr("not valid JSON"));
  EXPECT_EQ(a[1]["error_type"], "Granary.BadEvent");
  EXPECT_THAT(a[1]["body"]["errorMessage"].get<std::string>(), HasSubstr("neither a plan unit"));
  EXPECT_EQ(a[2]["error_type"], "Granary.BadEvent");
  EXPECT_THAT(a[2]["body"]["errorMessage"].get<std::string>(), HasSubstr("/nonexistent/plan"));
  // magg's bad event: magg's 400 answer, naming the field and never its secret.
  EXPECT_EQ(a[3]["kind"], "response");
  EXPECT_EQ(a[3]["body"]["statusCode"], 400);
  EXPECT_THAT(lambda.out() + lambda.err() + s.dump(), Not(HasSubstr("Secret")));
}

TEST(LambdaRuntime, AStartUpFailureIsAnInitError) {
  test::LambdaRuntimeHarness lambda(json::array());
  lambda.start_runtime({"GRANARY_LAMBDA_PLAN=/nonexistent/plan"});
  EXPECT_EQ(lambda.wait_exit(20), 2) << lambda.err();
  const auto s = lambda.state();
  ASSERT_FALSE(s["init_error"].is_null()) << lambda.err();
  EXPECT_EQ(s["init_error"]["error_type"], "Granary.InitError");
  EXPECT_THAT(s["init_error"]["body"]["errorMessage"].get<std::string>(), HasSubstr("/nonexistent/plan"));
  EXPECT_EQ(s["served"], 0);
}

TEST(LambdaRuntime, OutsideLambdaItSaysWhatItIs) {
  auto r = test::run_command("env -u AWS_LAMBDA_RUNTIME_API " + test::granary_binary() + " lambda");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("AWS_LAMBDA_RUNTIME_API is not set"));
}

}  // namespace
}  // namespace granary

namespace granary {
namespace {

// As in production: the plan, the granules and the store on S3, the function with the S3
// service's keys in its environment (its role), several job workers per invocation.
TEST(LambdaRuntimeS3, Atl06PlanOnS3GivesTheLocalRunsStore) {
  if (!test::S3TestServer::available(test::S3ServerKind::Strict)) GTEST_SKIP() << test::S3TestServer::why_unavailable(test::S3ServerKind::Strict);
  if (!test::S3TestServer::aws_cli_available()) GTEST_SKIP() << "the AWS CLI (/usr/bin/aws) reads the store back";
  const io::s3::Credentials keys{"AKIALAMBDAROLE", "lambda/Role+Secret", ""};
  test::S3TestServer server({.kind = test::S3ServerKind::Strict, .buckets = {"granules", "products", "plans"}, .credentials = {keys}});
  test::Atl06Demo set;
  const auto& tmp = set.dir;
  auto r = test::run_granary("atl06 run --catalog " + set.catalog().string() + " --out " + (tmp / "local.zarr").string() + " -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto granules = io::open_s3_store("s3://granules/ATL06", server.options(keys));
  for (const auto& f : test::files_under(tmp / "granules")) granules->put(f, files::read_all(tmp / "granules" / f));
  const std::string env = server.env(keys);
  r = test::run_command(env + test::granary_binary() + " atl06 catalog --granules s3://granules/ATL06 --out " +
                        (tmp / "s3-catalog.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_command(env + test::granary_binary() + " plan atl06 --catalog " + (tmp / "s3-catalog.json").string() +
                        " --out s3://products/lambda.zarr --plan s3://plans/run1 --units 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  json events = json::array();
  for (int i = 0; i < 2; ++i) events.push_back({{"event", {{"plan", "s3://plans/run1"}, {"index", i}}}});
  test::LambdaRuntimeHarness lambda(events);
  lambda.start_runtime({"AWS_ENDPOINT_URL_S3=" + server.endpoint(), "AWS_REGION=" + server.region(),
                        "AWS_ACCESS_KEY_ID=" + keys.access_key_id, "AWS_SECRET_ACCESS_KEY=" + keys.secret_access_key,
                        "AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_EC2_METADATA_DISABLED=true"},
                       {"-j", "2"});
  const auto s = lambda.wait_answered(2);
  ASSERT_EQ(s["answered"], 2) << lambda.err();
  for (const auto& a : lambda.answers_in_order(s)) {
    ASSERT_EQ(a["kind"], "response") << a.dump();
    EXPECT_EQ(a["body"]["status"], "SUCCESS") << a.dump();
  }
  EXPECT_THAT(lambda.out() + lambda.err(), Not(HasSubstr(keys.secret_access_key)));
  // The store, read back by the AWS CLI, is the local run's; the plan's report is complete.
  r = test::run_command(server.aws_cli(keys) + "s3 sync s3://products/lambda.zarr " + (tmp / "synced.zarr").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::expect_same_zarr(tmp / "synced.zarr", tmp / "local.zarr");
  r = test::run_command(env + test::granary_binary() + " report s3://plans/run1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = json::parse(r.out);
  EXPECT_EQ(report["totals"]["by_status"].value("SUCCESS", 0), report["totals"]["tasks"].get<int>());
}

}  // namespace
}  // namespace granary
