// The plan contract end to end, as every engine drives it: `granary plan`, then `granary
// work P` once per unit with the index given as Slurm, AWS Batch and Kubernetes give it,
// then `granary report P`. The outputs equal the one-machine commands' (`ecco run`, `atl06
// run`); a worker killed mid-job leaves nothing partial, and `granary retry` finishes the run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/file_store.hpp"
#include "support/atl06_demo.hpp"
#include "run/plan.hpp"
#include "support/ecco_demo.hpp"
#include "support/product_compare.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;

// `work P` with the unit index the way each engine hands it over.
test::CommandResult work(const fs::path& plan, int unit, int how) {
  const std::string p = plan.string();
  switch (how % 4) {
    case 0: return test::run_command(fmt::format("{} work {} --index {} -j 2", test::granary_binary(), p, unit));
    case 1: return test::run_command(fmt::format("SLURM_ARRAY_TASK_ID={} {} work {} -j 2", unit, test::granary_binary(), p));
    case 2: return test::run_command(fmt::format("AWS_BATCH_JOB_ARRAY_INDEX={} {} work {} -j 2", unit, test::granary_binary(), p));
    default: return test::run_command(fmt::format("JOB_COMPLETION_INDEX={} {} work {} -j 2", unit, test::granary_binary(), p));
  }
}

// The synthetic ECCO set with a second config, for the plan: products to demo/planned.
struct EccoSet : test::EccoDemo {
  EccoSet() { config_to("planned"); }
};

TEST(PlanWork, EccoPlanOnEveryEngineIndexEqualsEccoRun) {
  EccoSet set;
  const auto demo = set.demo();
  auto r = set.run_locally();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const auto plan = set.dir / "plan";
  r = test::run_granary("plan ecco --config " + (demo / "planned.yaml").string() + " --jobs " + (demo / "jobs.txt").string() +
                        " --plan " + plan.string() + " --units 4 --log-name demo");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("in 4 unit(s)"));
  const auto header = run::read_plan(io::FileStore(plan));
  EXPECT_EQ(header.recipe, "ecco");
  EXPECT_EQ(header.units, 4u);
  EXPECT_GT(header.jobs, 8u);
  EXPECT_FALSE(fs::exists(demo / "planned")) << "planning writes no product";

  r = test::run_granary("status " + plan.string());
  EXPECT_THAT(r.out, HasSubstr(fmt::format("{} MISSING", header.jobs)));
  for (int unit = 0; unit < 4; ++unit) {
    auto w = work(plan, unit, unit);
    ASSERT_EQ(w.exit_code, 0) << "unit " << unit << ": " << w.err;
  }
  test::expect_same_products(demo / "planned", demo / "products");
  EXPECT_EQ(test::files_under(plan / "results").size(), header.jobs);

  // A unit run again does nothing: every job's result says it is done.
  auto again = work(plan, 2, 0);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("done before"));

  r = test::run_granary("report " + plan.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary["totals"]["tasks"], header.jobs);
  EXPECT_EQ(summary["totals"]["by_status"].value("SUCCESS", 0), static_cast<int>(header.jobs));
  EXPECT_TRUE(summary["next_commands"].empty());
  r = test::run_granary("report " + plan.string());
  EXPECT_THAT(r.out, HasSubstr("Nothing left to retry"));
  EXPECT_THAT(test::run_granary("status " + plan.string()).out, HasSubstr("4 complete"));
}

TEST(PlanWork, WorkNeedsAnIndexAndAUnitOfThePlan) {
  EccoSet set;
  const auto plan = set.dir / "plan";
  auto r = test::run_granary("plan ecco --config " + (set.demo() / "planned.yaml").string() + " --jobs " +
                             (set.demo() / "jobs.txt").string() + " --plan " + plan.string() + " --jobs-per-unit 100");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_command("env -u SLURM_ARRAY_TASK_ID -u AWS_BATCH_JOB_ARRAY_INDEX -u JOB_COMPLETION_INDEX " + test::granary_binary() +
                        " work " + plan.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no --index, and none of SLURM_ARRAY_TASK_ID"));
  r = test::run_granary("work " + plan.string() + " --index 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unit 1 is not in"));
  r = test::run_granary("plan ecco --config " + (set.demo() / "planned.yaml").string() + " --jobs " + (set.demo() / "jobs.txt").string() +
                        " --plan " + plan.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("a plan exists here already"));
  r = test::run_granary("work " + (set.dir / "nowhere").string() + " --index 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("plan.json is missing"));
}

// A worker killed mid-job: the job has no result and no visible output; `retry` plans it
// (and only it) again, and the retry's work completes the run with the same products.
TEST(PlanWork, KilledWorkerThenRetryCompletesWithoutPartialOutputs) {
  EccoSet set;
  const auto demo = set.demo();
  auto r = set.run_locally();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = set.dir / "plan";
  r = test::run_granary("plan ecco --config " + (demo / "planned.yaml").string() + " --jobs " + (demo / "jobs.txt").string() +
                        " --plan " + plan.string() + " --units 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto jobs = run::read_plan(io::FileStore(plan)).jobs;

  // GRANARY_TEST_TASK_DELAY_SECONDS holds each job back, so the kill lands mid-job.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("GRANARY_TEST_TASK_DELAY_SECONDS", "0.3", 1);
    execl(test::granary_binary().c_str(), "granary", "work", plan.c_str(), "--index", "0", "-j", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Let a few jobs finish, then kill the worker as a scheduler would (SIGKILL: no clean-up).
  auto results = [&] { return fs::exists(plan / "results") ? test::files_under(plan / "results").size() : 0; };
  for (int waited = 0; waited < 400 && results() < 3; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  const std::size_t finished = results();
  ASSERT_GT(finished, 0u);
  ASSERT_LT(finished, jobs);
  // Nothing partial is visible: every product present is a complete one of `ecco run`'s.
  for (const auto& f : test::files_under(demo / "planned")) {
    EXPECT_EQ(f.find(".tmp"), std::string::npos) << f;
    EXPECT_EQ(test::first_difference(test::dump_without_stamps(demo / "planned" / f), test::dump_without_stamps(demo / "products" / f)), "")
        << f;
  }

  r = test::run_granary("report " + plan.string() + " --json");
  auto summary = json::parse(r.out);
  EXPECT_EQ(summary["totals"]["by_status"]["MISSING"], jobs - finished);
  EXPECT_EQ(summary["next_commands"][0], "granary retry " + plan.string());

  r = test::run_granary("retry " + plan.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(fmt::format("{} job(s) to retry", jobs - finished)));
  const auto retry = plan / "retry-1";
  const auto retry_header = run::read_plan(io::FileStore(retry));
  EXPECT_EQ(retry_header.jobs, jobs - finished);
  EXPECT_EQ(retry_header.attempt, 2);
  for (std::size_t u = 0; u < retry_header.units; ++u) {
    auto w = work(retry, static_cast<int>(u), static_cast<int>(u));
    ASSERT_EQ(w.exit_code, 0) << w.err;
  }
  test::expect_same_products(demo / "planned", demo / "products");
  r = test::run_granary("report " + plan.string() + " --json");
  summary = json::parse(r.out);
  EXPECT_EQ(summary["totals"]["by_status"].value("SUCCESS", 0), static_cast<int>(jobs));
  EXPECT_TRUE(summary["next_commands"].empty());
  r = test::run_granary("report " + plan.string() + " --out " + (set.dir / "full.json").string());
  const auto full = json::parse(files::read_text(set.dir / "full.json"));
  EXPECT_EQ(full["context"]["retries"], json::array({"retry-1"}));
  EXPECT_THAT(test::run_granary("report " + plan.string()).out, HasSubstr("Retries: retry-1"));
  EXPECT_EQ(test::run_granary("retry " + plan.string()).out.find("nothing to retry") != std::string::npos, true);
}

TEST(PlanWork, Atl06PlanEqualsAtl06Run) {
  test::Atl06Demo atl06_set;
  const auto& tmp = atl06_set.dir;
  test::CommandResult r;
  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + (tmp / "run.zarr").string() +
                        " --morton-form packed -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = tmp / "plan";
  r = test::run_granary("plan atl06 --catalog " + (tmp / "catalog.json").string() + " --out " + (tmp / "planned.zarr").string() +
                        " --morton-form packed --plan " + plan.string() + " --units 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto header = run::read_plan(io::FileStore(plan));
  EXPECT_EQ(header.recipe, "atl06");
  ASSERT_EQ(header.units, 3u);
  for (int unit = 0; unit < 3; ++unit) {
    auto w = work(plan, unit, unit + 1);
    ASSERT_EQ(w.exit_code, 0) << w.err;
  }
  test::expect_same_zarr(tmp / "planned.zarr", tmp / "run.zarr");
  r = test::run_granary("report " + plan.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["totals"]["by_status"].value("SUCCESS", 0), static_cast<int>(header.jobs));
}

}  // namespace
}  // namespace granary
