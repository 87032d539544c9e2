// `granary submit lambda P` against a loopback Lambda Invoke endpoint
// (tests/support/lambda_invoke_server.py) that checks SigV4 and injects throttles, 5xx,
// dropped connections and function errors: every unit invoked once, never more than
// --max-concurrency in flight, file descriptors bounded, results recorded for `granary
// report` and `granary retry`; bad keys and unknown functions stop at once (exit 2), a
// service that stays unavailable exits 3; the ATL06 recipe's Earthdata keys travel in every
// event and never in the output. Also the path, error and endpoint rules as unit tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/aws_service.hpp"
#include "io/credential_provider.hpp"
#include "io/file_store.hpp"
#include "run/lambda_invoke.hpp"
#include "run/plan.hpp"
#include "support/atl06_demo.hpp"
#include "support/credential_test_server.hpp"
#include "support/lambda_test_server.hpp"
#include "support/product_compare.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using testing::Not;

const io::s3::Credentials kKeys{"AKIALAMBDATEST0001", "lambda-secret-Qx7/w+z", ""};
const io::s3::Credentials kNsidcKeys{"ASIANSIDCKEY0042", "nsidc-secret-Zq9/x+v", "nsidc-session-token-FwoG//zz=="};
const std::string kBearer = "earthdata-bearer-token-eyJ0eXAi";

// A plan of `units` units of `per_unit` ATL06 jobs (payloads the loopback function never
// reads) with the given granule credentials: the orchestrator only needs plan.json and units/.
fs::path make_plan(const fs::path& dir, std::size_t units, std::size_t per_unit, const json& credentials = {{"source", "chain"}, {"url", ""}}) {
  std::vector<std::vector<run::PlannedJob>> split(units);
  for (std::size_t u = 0; u < units; ++u)
    for (std::size_t j = 0; j < per_unit; ++j) {
      const auto id = fmt::format("cell-{:04d}-{}", u, j);
      split[u].push_back({id, "cell " + id, {{"parent_morton", -4113213}, {"job", id}}});
    }
  run::PlanHeader header;
  header.recipe = "atl06";
  header.parameters = {{"granule_credentials", credentials}};
  header.command = "test";
  header.created = "2026-12-04T00:00:00Z";
  io::FileStore store(dir);
  run::write_plan(store, header, split);
  return dir;
}

class LambdaSubmit : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::LambdaTestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the loopback Lambda endpoint";
  }

  // A granary command line with nothing from the caller's AWS setup: `keys` in the
  // environment, the loopback endpoint through AWS_ENDPOINT_URL_LAMBDA.
  std::string granary(const test::LambdaTestServer& server, const std::string& args, const io::s3::Credentials& keys = kKeys,
                      const std::string& extra = "") const {
    return "env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
           "-u AWS_CONTAINER_CREDENTIALS_FULL_URI -u EARTHDATA_TOKEN AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=" +
           keys.access_key_id + " AWS_SECRET_ACCESS_KEY=" + keys.secret_access_key + " AWS_REGION=" + server.region() +
           " AWS_ENDPOINT_URL_LAMBDA=" + server.endpoint() + " HOME=" + work.path().string() + " " + extra + " " +
           test::granary_binary() + " " + args;
  }

  test::TempDir work;
};

// Runs `command_line` (through sh's exec, so the pid is granary's) while counting its open
// file descriptors in /proc/<pid>/fd; returns the result and the most seen.
struct Sampled {
  test::CommandResult result;
  std::size_t max_fds = 0;
};
Sampled run_counting_fds(const std::string& command_line, const fs::path& scratch) {
  const auto out = scratch / "stdout", err = scratch / "stderr";
  const std::string shell = "exec " + command_line + " >" + out.string() + " 2>" + err.string();
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  Sampled s;
  int status = 0;
  const fs::path fds = fs::path("/proc") / std::to_string(pid) / "fd";
  while (waitpid(pid, &status, WNOHANG) == 0) {
    std::error_code ec;
    std::size_t n = 0;
    for (fs::directory_iterator it(fds, ec), end; !ec && it != end; it.increment(ec)) ++n;
    s.max_fds = std::max(s.max_fds, n);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  s.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  s.result.out = files::read_text(out);
  s.result.err = files::read_text(err);
  return s;
}

json report_of(const fs::path& plan) {
  const auto r = test::run_granary("report " + plan.string() + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

// The issue's done criterion: 300 units at --max-concurrency 50 under throttles, 5xx and
// dropped connections: every unit answered exactly once, never more than 50 in flight, the
// descriptors in use bounded by the pool (not the plan), every result recorded.
TEST_F(LambdaSubmit, EveryUnitOnceUnderThrottlesAndServerErrorsWithBoundedConcurrency) {
  test::LambdaTestServer server({.credentials = {kKeys}, .delay_seconds = 0.1});
  const auto plan = make_plan(work / "plan", 300, 2);
  server.control("fail", "count=40&status=429&once=1");
  server.control("fail", "count=15&status=503&once=1");
  server.control("fail", "count=10&status=500&once=1");
  server.control("fail", "count=5&mode=drop&once=1");
  server.control("fail", "count=5&mode=truncate&once=1");

  const auto run = run_counting_fds(granary(server, "submit lambda " + plan.string() + " --function granary --max-concurrency 50"),
                                    work.path());
  ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
  const auto stats = server.stats();
  EXPECT_EQ(stats["pending_faults"], 0) << "every injected fault was met";
  EXPECT_EQ(stats["throttled"], 40);
  EXPECT_EQ(stats["server_errors"], 25);
  EXPECT_EQ(stats["dropped"], 5);
  EXPECT_EQ(stats["truncated"], 5);
  EXPECT_EQ(stats["invocations"], 300);
  EXPECT_EQ(stats["handout_fields"], json::array()) << "granule keys from the chain: each reader has its own, none handed out";
  ASSERT_EQ(stats["per_unit"].size(), 300u);
  for (const auto& [unit, n] : stats["per_unit"].items()) EXPECT_EQ(n, 1) << unit << " was invoked successfully " << n << " times";
  EXPECT_LE(stats["max_in_flight"].get<int>(), 50);
  EXPECT_GE(stats["max_in_flight"].get<int>(), 25) << "the pool never filled: nothing was concurrent";
  EXPECT_LE(stats["max_open_connections"].get<int>(), 50) << "one connection per thread at most";
  // 50 threads: a socket each, and the pair libcurl keeps per handle to wake its poll;
  // a plan 6 times larger than the pool does not make more.
  EXPECT_LE(run.max_fds, 3u * 50 + 24) << "file descriptors in use";
  EXPECT_GT(run.max_fds, 50u) << "sampling saw the pool at work";
  EXPECT_THAT(run.result.out, HasSubstr("300 of 300 unit(s)"));
  EXPECT_THAT(run.result.out, HasSubstr("600 done, 0 not done"));
  EXPECT_THAT(run.result.out, HasSubstr("throttled 40 time(s), 25 server error(s), "));
  // A truncated answer is a connection error; a connection dropped before any answer is one
  // too, unless libcurl resent the request by itself (it does on a reused connection).
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.result.out, m, std::regex(R"(retries: (\d+) .* (\d+) connection error)"))) << run.result.out;
  EXPECT_GE(std::stoi(m[2]), 5);
  EXPECT_LE(std::stoi(m[2]), 10);
  EXPECT_EQ(std::stoi(m[1]), 65 + std::stoi(m[2]));
  EXPECT_THAT(run.result.out, HasSubstr("granary report " + plan.string()));
  EXPECT_THAT(run.result.out, Not(HasSubstr("granary retry")));

  EXPECT_EQ(test::files_under(plan / "results").size(), 600u);
  const auto result = json::parse(files::read_text(plan / "results" / "cell-0123-1.json"));
  EXPECT_EQ(result["status"], "SUCCESS");
  EXPECT_EQ(result["lambda"]["function"], "granary");
  EXPECT_FALSE(result["lambda"]["request_id"].get<std::string>().empty());
  const auto report = report_of(plan);
  EXPECT_EQ(report["totals"]["by_status"].value("SUCCESS", 0), 600);

  // A rerun invokes nothing: every unit is done.
  const auto again = test::run_command(granary(server, "submit lambda " + plan.string() + " --function granary --max-workers 50"));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("every unit is done"));
  EXPECT_EQ(server.stats()["requests"], stats["requests"]);
}

// Function errors (a timeout, out of memory) fail their unit's jobs with the reason, in the
// results and the report; a rerun invokes only those units; `granary retry` plans exactly
// their jobs and submitting the retry plan finishes the run.
TEST_F(LambdaSubmit, FunctionErrorsFailTheirJobsAndRetryFinishesTheRun) {
  test::LambdaTestServer server({.credentials = {kKeys}, .delay_seconds = 0.01, .write_results = true});
  const auto plan = make_plan(work / "plan", 10, 2);
  server.control("function-error", "units=3&type=Sandbox.Timedout");
  server.control("function-error", "units=7&type=Runtime.OutOfMemory");

  const std::string submit = "submit lambda " + plan.string() + " --function granary --max-concurrency 4";
  auto r = test::run_command(granary(server, submit));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("8 answered, 2 function error(s)"));
  EXPECT_THAT(r.out, HasSubstr("16 done, 4 not done"));
  EXPECT_THAT(r.out, HasSubstr("granary retry " + plan.string() + "   then   granary submit lambda " + plan.string() + "/retry-1"));
  EXPECT_THAT(r.err, HasSubstr("unit 3: Lambda Unhandled: Sandbox.Timedout"));

  const auto timed_out = json::parse(files::read_text(plan / "results" / "cell-0003-1.json"));
  EXPECT_EQ(timed_out["status"], "FAILED");
  EXPECT_THAT(timed_out["error"].get<std::string>(), HasSubstr("Lambda Unhandled: Sandbox.Timedout: RequestId: "));
  EXPECT_THAT(timed_out["error"].get<std::string>(), HasSubstr("Task timed out after 3.00 seconds"));
  EXPECT_EQ(timed_out["lambda"]["function_error"], "Unhandled");
  EXPECT_EQ(timed_out["lambda"]["function"], "granary");
  EXPECT_EQ(timed_out["job"], "cell-0003-1");
  EXPECT_EQ(timed_out["label"], "cell cell-0003-1");
  EXPECT_EQ(timed_out["unit"], 3);
  const auto oom = json::parse(files::read_text(plan / "results" / "cell-0007-0.json"));
  EXPECT_THAT(oom["error"].get<std::string>(), HasSubstr("Runtime.OutOfMemory"));

  auto report = report_of(plan);
  EXPECT_EQ(report["totals"]["by_status"].value("SUCCESS", 0), 16);
  EXPECT_EQ(report["totals"]["by_status"].value("FAILED", 0), 4);
  r = test::run_granary("report " + plan.string());
  EXPECT_THAT(r.out, HasSubstr("Task timed out after 3.00 seconds"));
  EXPECT_THAT(r.out, HasSubstr("Runtime.OutOfMemory"));

  // The same command again invokes only the two failing units.
  const auto before = server.stats()["requests"].get<int>();
  r = test::run_command(granary(server, submit));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("8 done before"));
  EXPECT_EQ(server.stats()["requests"].get<int>(), before + 2);

  // The function works again: retry plans exactly the four failed jobs, the retry plan runs.
  server.control("clear");
  r = test::run_granary("retry " + plan.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto retry_jobs = run::read_all_jobs(io::FileStore(plan / "retry-1"), run::read_plan(io::FileStore(plan / "retry-1")));
  std::vector<std::string> ids;
  for (const auto& j : retry_jobs) ids.push_back(j.id);
  EXPECT_THAT(ids, testing::UnorderedElementsAre("cell-0003-0", "cell-0003-1", "cell-0007-0", "cell-0007-1"));
  r = test::run_command(granary(server, "submit lambda " + (plan / "retry-1").string() + " --function granary"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("granary report " + plan.string() + "\n"));
  report = report_of(plan);
  EXPECT_EQ(report["totals"]["by_status"].value("SUCCESS", 0), 20);
  EXPECT_EQ(report["totals"]["by_status"].value("FAILED", 0), 0);
}

// A wrong secret is the caller's mistake: exit 2 with the service's reason, one request per
// thread at most (no retry storm), nothing recorded.
TEST_F(LambdaSubmit, WrongSecretStopsAtOnceWithExit2) {
  test::LambdaTestServer server({.credentials = {kKeys}});
  const auto plan = make_plan(work / "plan", 40, 1);
  const io::s3::Credentials wrong{kKeys.access_key_id, "not-the-secret-Kp2", ""};
  const auto r = test::run_command(granary(server, "submit lambda " + plan.string() + " --function granary --max-concurrency 4", wrong));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("403 InvalidSignatureException"));
  EXPECT_THAT(r.err, HasSubstr("check the AWS credentials"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr(wrong.secret_access_key)));
  const auto stats = server.stats();
  EXPECT_LE(stats["requests"].get<int>(), 4);
  EXPECT_EQ(stats["auth_failures"], stats["requests"]);
  EXPECT_FALSE(fs::exists(plan / "results"));
}

TEST_F(LambdaSubmit, UnknownFunctionStopsAtOnceWithExit2NamingIt) {
  test::LambdaTestServer server({.credentials = {kKeys}});
  const auto plan = make_plan(work / "plan", 5, 1);
  auto r = test::run_command(granary(server, "submit lambda " + plan.string() + " --function no-such-fn --max-concurrency 1"));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("Lambda function no-such-fn"));
  EXPECT_THAT(r.err, HasSubstr("404 ResourceNotFoundException: Function not found"));
  EXPECT_THAT(r.err, HasSubstr("check --function"));
  EXPECT_EQ(server.stats()["requests"], 1);
  // A version or alias the function does not have is as unknown.
  r = test::run_command(granary(server, "submit lambda " + plan.string() + " --function granary --qualifier nope --max-concurrency 1"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("function:granary:nope"));
}

// Throttled on every attempt: the unit's jobs fail with the reason, no further unit is
// invoked, exit 3 (run the same command again); the next run finishes.
TEST_F(LambdaSubmit, ServiceThatStaysUnavailableExits3AndTheNextRunResumes) {
  test::LambdaTestServer server({.credentials = {kKeys}, .delay_seconds = 0.01});
  const auto plan = make_plan(work / "plan", 5, 1);
  server.control("fail", "count=10&status=429&retry_after=0");
  const std::string submit = "submit lambda " + plan.string() + " --function granary --max-concurrency 1";
  auto r = test::run_command(granary(server, submit));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("429 TooManyRequestsException: Rate exceeded (after 10 attempt(s))"));
  EXPECT_THAT(r.err, HasSubstr("run the same command again"));
  EXPECT_THAT(r.out, HasSubstr("4 not started"));
  EXPECT_EQ(server.stats()["requests"], 10);
  const auto failed = json::parse(files::read_text(plan / "results" / "cell-0000-0.json"));
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_THAT(failed["error"].get<std::string>(), HasSubstr("TooManyRequestsException"));

  r = test::run_command(granary(server, submit));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(report_of(plan)["totals"]["by_status"].value("SUCCESS", 0), 5);
}

// Lambda's own throttle: more invocations at once than the function's concurrency are
// refused with 429 (ConcurrentInvocationLimitExceeded) until running ones finish; the
// orchestrator's backoff waits for them and every unit runs once.
TEST_F(LambdaSubmit, ConcurrencyLimitThrottlesAreWaitedOut) {
  test::LambdaTestServer server({.credentials = {kKeys}, .delay_seconds = 0.5, .concurrency_limit = 2});
  const auto plan = make_plan(work / "plan", 4, 1);
  const auto r = test::run_command(granary(server, "submit lambda " + plan.string() + " --function granary --max-concurrency 4"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto stats = server.stats();
  EXPECT_EQ(stats["invocations"], 4);
  EXPECT_GE(stats["throttled"].get<int>(), 2) << "four at once against a limit of two";
  EXPECT_THAT(r.out, HasSubstr(fmt::format("throttled {} time(s)", stats["throttled"].get<int>())));
}

// The ATL06 recipe's Earthdata keys are fetched once and travel in every event as magg's
// s3_credentials; they never show in stdout or stderr (debug logging), nor in --dry-run.
TEST_F(LambdaSubmit, Atl06EventsCarryEarthdataKeysThatAreNeverShown) {
  test::CredentialTestServer earthdata({.keys = {kNsidcKeys}, .earthdata_token = kBearer});
  const auto expected = kNsidcKeys.access_key_id + ":" + kNsidcKeys.secret_access_key + ":" + kNsidcKeys.session_token;
  test::LambdaTestServer server({.credentials = {kKeys}, .functions = {"granary-arm64"}, .delay_seconds = 0.01,
                                 .expect_s3_credentials = expected});
  const auto plan = make_plan(work / "plan", 12, 1, {{"source", "earthdata"}, {"url", earthdata.earthdata_url()}});
  const std::string env = "EARTHDATA_TOKEN=" + kBearer;
  auto no_secret = [&](const test::CommandResult& r) {
    for (const auto& secret : {kNsidcKeys.secret_access_key, kNsidcKeys.session_token, kBearer, kKeys.secret_access_key})
      EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << "a secret is shown";
  };

  auto r = test::run_command(granary(server, "--log-level debug submit lambda " + plan.string() + " --function granary-arm64 --dry-run",
                                     kKeys, env));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("12 of 12 unit(s)"));
  EXPECT_THAT(r.out, HasSubstr(R"("s3_credentials":{"accessKeyId":"<redacted>")"));
  EXPECT_THAT(r.out, HasSubstr("POST " + server.endpoint() + "/2015-03-31/functions/granary-arm64/invocations"));
  no_secret(r);
  EXPECT_EQ(server.stats()["requests"], 0) << "a dry run invokes nothing";

  r = test::run_command(granary(server, "--log-level debug submit lambda " + plan.string() + " --function granary-arm64", kKeys, env));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  no_secret(r);
  const auto stats = server.stats();
  EXPECT_EQ(stats["invocations"], 12);
  EXPECT_EQ(stats["by_function"], json({{"granary-arm64", 12}}));
  EXPECT_EQ(stats["handout_fields"], json::array({"s3_credentials"}));
  EXPECT_EQ(stats["handout"]["ok"], 12);
  EXPECT_EQ(stats["handout"]["missing"], 0);
  EXPECT_EQ(stats["handout"]["wrong"], 0);
  EXPECT_EQ(earthdata.stats()["fetches"]["earthdata"], 2) << "fetched once by the dry run, once by the submit";
  for (const auto& f : test::files_under(plan))
    EXPECT_EQ(files::read_text(plan / f).find(kNsidcKeys.secret_access_key), std::string::npos) << f;
}

// The loopback function runs the real engine per invocation (`granary work P --index I`, as
// granary's function does for a plan-unit event): an ATL06 plan submitted to Lambda gives the
// store of `atl06 run`, and the report shows every job done with its Lambda request.
TEST_F(LambdaSubmit, UnitsRunByTheFunctionGiveTheStoreOfTheLocalRun) {
  test::Atl06Demo set;
  const auto& tmp = set.dir;
  auto r = test::run_granary("atl06 run --catalog " + set.catalog().string() + " --out " + (tmp / "run.zarr").string() +
                             " --morton-form packed -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = tmp / "plan";
  r = test::run_granary("plan atl06 --catalog " + set.catalog().string() + " --out " + (tmp / "planned.zarr").string() +
                        " --morton-form packed --plan " + plan.string() + " --units 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The function is granary's own handler (`granary lambda --event -`, the event on stdin).
  test::LambdaTestServer server({.credentials = {kKeys},
                                 .run_command = test::granary_binary() + " lambda --event - --request-id {request_id} -j 1",
                                 .ok_exit_codes = "0,1"});
  r = test::run_command(granary(server, "submit lambda " + plan.string() + " --function granary --max-concurrency 2"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.stats()["invocations"], 2);
  test::expect_same_zarr(tmp / "planned.zarr", tmp / "run.zarr");
  const auto header = run::read_plan(io::FileStore(plan));
  const auto report = report_of(plan);
  EXPECT_EQ(report["totals"]["by_status"].value("SUCCESS", 0), static_cast<int>(header.jobs));
  for (const auto& f : test::files_under(plan / "results")) {
    const auto result = json::parse(files::read_text(plan / "results" / f));
    EXPECT_EQ(result["lambda"]["function"], "granary") << f;
    EXPECT_EQ(result["lambda"]["request_id"].get<std::string>().size(), 36u) << f;
  }
}

// A synchronous invocation may be silent for 15 minutes, so only the total limit ends one
// whose answer never comes: each attempt is cut there, counted as a connection error, and
// the unit is unavailable once the attempts are used up.
TEST(LambdaInvoke, AnAnswerPastTheTotalLimitIsUnavailable) {
  if (!test::LambdaTestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the loopback Lambda endpoint";
  test::LambdaTestServer server({.credentials = {kKeys}, .delay_seconds = 3});
  auto o = run::lambda::invoke_service_options(server.region(), server.endpoint(),
                                               std::make_shared<io::s3::StaticProvider>(io::s3::ResolvedCredentials{kKeys, "test"}));
  EXPECT_EQ(o.quiet_seconds, 0);
  EXPECT_GT(o.timeout_seconds, 900);
  o.timeout_seconds = 1;
  o.retry.max_attempts = 2;
  o.retry.initial_backoff = std::chrono::milliseconds(1);
  int seen = 0;
  o.on_retryable = [&](long status, const std::string&) {
    EXPECT_EQ(status, 0);
    ++seen;
  };
  const io::aws::ServiceClient client(o);
  const auto invocation = run::lambda::invoke(client, "granary", "", run::lambda::unit_event("/no/plan", 0));
  EXPECT_EQ(invocation.kind, run::lambda::InvokeOutcome::Kind::Unavailable);
  EXPECT_THAT(invocation.error, HasSubstr("failed after 2 attempt(s)"));
  EXPECT_THAT(invocation.error, HasSubstr("Timeout"));
  EXPECT_EQ(seen, 2);
}

TEST(LambdaInvoke, PathEncodesTheFunctionAsOneSegmentAndTheQualifier) {
  EXPECT_EQ(run::lambda::invoke_path("granary"), "/2015-03-31/functions/granary/invocations");
  EXPECT_EQ(run::lambda::invoke_path("arn:aws:lambda:us-west-2:123456789012:function:granary", "prod"),
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Agranary/invocations?Qualifier=prod");
  EXPECT_EQ(run::lambda::invoke_path("a/b", "$LATEST"), "/2015-03-31/functions/a%2Fb/invocations?Qualifier=%24LATEST");
}

TEST(LambdaInvoke, FunctionErrorReasonNamesTheKindTypeAndMessage) {
  EXPECT_EQ(run::lambda::function_error_reason(
                "Unhandled", R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: x Error: Task timed out after 900.00 seconds"})"),
            "Lambda Unhandled: Sandbox.Timedout: RequestId: x Error: Task timed out after 900.00 seconds");
  EXPECT_EQ(run::lambda::function_error_reason("Handled", R"({"errorMessage":"bad"})"), "Lambda Handled: bad");
  EXPECT_EQ(run::lambda::function_error_reason("Unhandled", "not json"), "Lambda Unhandled: not json");
}

TEST(AwsServiceEndpoint, FlagThenServiceVariableThenGlobalVariableThenTheRegion) {
  const std::map<std::string, std::string> both{{"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001/"},
                                                {"AWS_ENDPOINT_URL", "http://127.0.0.1:9002"},
                                                {"AWS_ENDPOINT_URL_LOGS", "http://127.0.0.1:9003"}};
  auto env_of = [](std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  using io::aws::resolve_service_endpoint;
  auto e = resolve_service_endpoint("http://localhost:7000/", "lambda", "LAMBDA", "eu-west-1", env_of(both));
  EXPECT_EQ(e.url, "http://localhost:7000");
  EXPECT_EQ(e.source, "--endpoint");
  e = resolve_service_endpoint("", "lambda", "LAMBDA", "eu-west-1", env_of(both));
  EXPECT_EQ(e.url, "http://127.0.0.1:9001");
  EXPECT_EQ(e.source, "AWS_ENDPOINT_URL_LAMBDA");
  e = resolve_service_endpoint("", "logs", "LOGS", "eu-west-1", env_of(both));
  EXPECT_EQ(e.url, "http://127.0.0.1:9003");
  e = resolve_service_endpoint("", "lambda", "LAMBDA", "eu-west-1", env_of({{"AWS_ENDPOINT_URL", "http://127.0.0.1:9002"}}));
  EXPECT_EQ(e.url, "http://127.0.0.1:9002");
  EXPECT_EQ(e.source, "AWS_ENDPOINT_URL");
  e = resolve_service_endpoint("", "lambda", "LAMBDA", "eu-west-1", env_of({{"AWS_ENDPOINT_URL_LAMBDA", ""}}));
  EXPECT_EQ(e.url, "https://lambda.eu-west-1.amazonaws.com");
  EXPECT_EQ(e.source, "default");
}

}  // namespace
}  // namespace granary
