// Plans on a real single-node Slurm cluster (slurmctld + slurmd started by the test): a small
// ECCO plan and a small ATL06 plan submitted with `granary submit slurm` give the outputs of
// the one-machine commands; an array cancelled mid-run is finished by `granary retry`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/file_store.hpp"
#include "support/atl06_demo.hpp"
#include "run/plan.hpp"
#include "support/ecco_demo.hpp"
#include "support/product_compare.hpp"
#include "support/slurm_cluster.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::HasSubstr;

std::string submitted_job(const test::CommandResult& r) {
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex("submitted Slurm job ([0-9]+)"))) return "";
  return m[1];
}

// Submits a plan and waits for every array task; returns the job id.
std::string submit_and_wait(test::SlurmCluster& cluster, const fs::path& plan, const std::string& env = "") {
  const auto r = cluster.run(env + test::granary_binary() + " submit slurm " + plan.string() + " --parallel 2");
  const auto job = submitted_job(r);
  EXPECT_FALSE(job.empty()) << r.out << r.err;
  if (!job.empty()) {
    EXPECT_TRUE(cluster.wait(job, 120s)) << cluster.log_tails();
  }
  return job;
}

// The synthetic ECCO set, run locally into demo/products, with a config for demo/on-slurm.
struct EccoDemo : test::EccoDemo {
  EccoDemo() {
    EXPECT_EQ(run_locally().exit_code, 0);
    config_to("on-slurm");
  }
  test::CommandResult plan(const fs::path& p, int units) const {
    return test::run_granary(fmt::format("plan ecco --config {} --jobs {} --plan {} --units {}", (demo() / "on-slurm.yaml").string(),
                                         (demo() / "jobs.txt").string(), p.string(), units));
  }
};

TEST(PlanSlurm, EccoAndAtl06PlansOnSlurmEqualTheLocalRuns) {
  if (!test::SlurmCluster::available()) GTEST_SKIP() << test::SlurmCluster::why_unavailable();
  EccoDemo ecco;
  test::Atl06Demo atl06_set;
  const auto& tmp = atl06_set.dir;
  test::CommandResult r;
  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + (tmp / "local.zarr").string() + " -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto ecco_plan = ecco.dir / "plan";
  ASSERT_EQ(ecco.plan(ecco_plan, 3).exit_code, 0);
  const auto atl06_plan = tmp / "plan";
  r = test::run_granary("plan atl06 --catalog " + (tmp / "catalog.json").string() + " --out " + (tmp / "slurm.zarr").string() +
                        " --plan " + atl06_plan.string() + " --units 2 --log-name cycle22");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  test::SlurmCluster cluster;
  const auto ecco_job = submit_and_wait(cluster, ecco_plan);
  const auto atl06_job = submit_and_wait(cluster, atl06_plan);
  for (const auto& job : {ecco_job, atl06_job})
    for (const auto& t : cluster.tasks(job)) EXPECT_EQ(t.state, "COMPLETED") << job << "_" << t.array_task_id << cluster.log_tails();

  test::expect_same_products(ecco.demo() / "on-slurm", ecco.demo() / "products");
  test::expect_same_zarr(tmp / "slurm.zarr", tmp / "local.zarr");
  for (const auto& plan : {ecco_plan, atl06_plan}) {
    r = test::run_granary("report " + plan.string() + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(json::parse(r.out)["next_commands"].empty()) << r.out;
  }
  // Each array task's output landed in the plan's logs.
  EXPECT_TRUE(fs::exists(atl06_plan / "logs" / ("slurm-" + atl06_job + "_1.err")));
}

TEST(PlanSlurm, CancelledArrayIsFinishedByRetry) {
  if (!test::SlurmCluster::available()) GTEST_SKIP() << test::SlurmCluster::why_unavailable();
  EccoDemo ecco;
  const auto plan = ecco.dir / "plan";
  ASSERT_EQ(ecco.plan(plan, 2).exit_code, 0);
  const auto jobs = run::read_plan(io::FileStore(plan)).jobs;
  test::SlurmCluster cluster;
  // Each job held back 0.5 s (test hook), so the cancel lands while units are mid-way.
  const auto r = cluster.run("GRANARY_TEST_TASK_DELAY_SECONDS=0.5 " + test::granary_binary() + " submit slurm " + plan.string());
  const auto job = submitted_job(r);
  ASSERT_FALSE(job.empty()) << r.out << r.err;
  auto results = [&] { return fs::exists(plan / "results") ? test::files_under(plan / "results").size() : 0; };
  for (int i = 0; i < 600 && results() < 2; ++i) std::this_thread::sleep_for(50ms);
  cluster.cancel(job);
  ASSERT_TRUE(cluster.wait(job, 60s)) << cluster.log_tails();
  const std::size_t done = results();
  ASSERT_GT(done, 0u);
  ASSERT_LT(done, jobs);
  for (const auto& f : test::files_under(ecco.demo() / "on-slurm")) EXPECT_EQ(f.find(".tmp"), std::string::npos) << f;
  // The report reads why the units stopped from Slurm's logs.
  const auto before = test::run_granary("report " + plan.string());
  EXPECT_THAT(before.out, HasSubstr("its unit's engine task ended: cancelled")) << before.out;

  auto retry = test::run_granary("retry " + plan.string());
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  submit_and_wait(cluster, plan / "retry-1");
  test::expect_same_products(ecco.demo() / "on-slurm", ecco.demo() / "products");
  auto report = test::run_granary("report " + plan.string() + " --json");
  const auto summary = json::parse(report.out);
  EXPECT_EQ(summary["totals"]["by_status"].value("SUCCESS", 0), static_cast<int>(jobs));
  EXPECT_TRUE(summary["next_commands"].empty());
}

}  // namespace
}  // namespace granary
