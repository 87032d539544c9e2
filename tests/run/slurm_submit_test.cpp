// granary submit slurm: the sbatch script for a plan, its checks, and a real submission to
// the test cluster (tests/support/slurm_cluster) whose array tasks run a test command.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "io/s3_store.hpp"
#include "run/slurm_submit.hpp"
#include "support/s3_test_server.hpp"
#include "support/slurm_cluster.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::test {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path fake_plan(const TempDir& tmp, const std::string& plan_json) {
  const auto plan = tmp / "plan";
  fs::create_directories(plan);
  std::ofstream(plan / "plan.json") << plan_json;
  return plan;
}

const std::string kPlanJson =
    R"({"format": "granary-plan/1", "recipe": "ecco", "parameters": {}, "jobs": 7, "units": 3,
        "command": "granary plan ecco ...", "created": "2026-12-03T00:00:00Z", "log_name": ""})";

TEST(SlurmScript, ArrayOfUnitsWithParallelLimitLogsAndResources) {
  run::PlanHeader plan;
  plan.recipe = "atl06";
  plan.log_name = "cycle21";
  plan.units = 5;
  run::SlurmOptions o;
  o.parallel = 2;
  o.partition = "compute";
  o.time = "01:30:00";
  o.mem = "4G";
  o.account = "proj42";
  o.cpus_per_task = 4;
  const auto script = run::slurm_script(plan, o, "/shared/P/logs", run::work_command("/opt/granary/bin/granary", "/shared/P"));
  EXPECT_EQ(script,
            "#!/bin/bash\n"
            "# Written by granary submit slurm: one array task per unit of the plan.\n"
            "#SBATCH --job-name=granary-atl06-cycle21\n"
            "#SBATCH --array=0-4%2\n"
            "#SBATCH --output=/shared/P/logs/slurm-%A_%a.out\n"
            "#SBATCH --error=/shared/P/logs/slurm-%A_%a.err\n"
            "#SBATCH --ntasks=1\n"
            "#SBATCH --cpus-per-task=4\n"
            "#SBATCH --partition=compute\n"
            "#SBATCH --time=01:30:00\n"
            "#SBATCH --mem=4G\n"
            "#SBATCH --account=proj42\n"
            "set -euo pipefail\n"
            "exec '/opt/granary/bin/granary' work '/shared/P' -j \"${SLURM_CPUS_PER_TASK:-1}\"\n");
}

TEST(SlurmScript, NoParallelLimitAndNoOptionalResources) {
  run::PlanHeader plan;
  plan.recipe = "ecco";
  plan.units = 1;
  const auto script = run::slurm_script(plan, {}, "/p/logs", "true");
  EXPECT_NE(script.find("#SBATCH --job-name=granary-ecco\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --array=0-0\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --cpus-per-task=1\n"), std::string::npos) << script;
  for (const char* absent : {"%", "--partition", "--time", "--mem", "--account"})
    EXPECT_EQ(script.find(std::string("#SBATCH ") + absent), std::string::npos) << absent << "\n" << script;
}

TEST(SlurmScript, QuotesPathsForTheShell) {
  EXPECT_EQ(run::shell_quote("/a b/it's"), "'/a b/it'\\''s'");
  EXPECT_EQ(run::work_command("/g", "/p q"), "exec '/g' work '/p q' -j \"${SLURM_CPUS_PER_TASK:-1}\"");
}

TEST(SlurmScript, BadOptionsAreRejectedByName) {
  run::SlurmOptions o;
  o.parallel = -1;
  EXPECT_NE(error_of([&] { run::check_slurm_options(o); }).find("--parallel -1"), std::string::npos);
  o = {};
  o.cpus_per_task = 0;
  EXPECT_NE(error_of([&] { run::check_slurm_options(o); }).find("--cpus-per-task 0"), std::string::npos);
  o = {};
  o.partition = "a\n#SBATCH --x";
  EXPECT_NE(error_of([&] { run::check_slurm_options(o); }).find("--partition"), std::string::npos);
}

TEST(SlurmPlanHeader, ReadsRecipeUnitsAndLogName) {
  TempDir tmp;
  const auto plan = fake_plan(tmp, R"({"format": "granary-plan/1", "recipe": "atl06", "jobs": 40, "units": 12, "log_name": "t1"})");
  const auto h = run::read_submittable_plan(plan.string());
  EXPECT_EQ(h.recipe, "atl06");
  EXPECT_EQ(h.units, 12u);
  EXPECT_EQ(h.log_name, "t1");
}

TEST(SlurmPlanHeader, MissingMalformedOrEmptyPlanIsNamed) {
  TempDir tmp;
  EXPECT_NE(error_of([&] { run::read_submittable_plan(tmp.path().string()); }).find("plan.json is missing"), std::string::npos);
  auto plan = fake_plan(tmp, "{not json");
  EXPECT_NE(error_of([&] { run::read_submittable_plan(plan.string()); }).find("plan.json"), std::string::npos);
  std::ofstream(plan / "plan.json") << R"({"format": "granary-plan/1", "recipe": "ecco", "jobs": 0, "units": 0})";
  EXPECT_NE(error_of([&] { run::read_submittable_plan(plan.string()); }).find("plan.json: the plan has no units"), std::string::npos);
  std::ofstream(plan / "plan.json") << R"({"format": "granary-plan/1", "units": 2, "jobs": 2})";
  EXPECT_NE(error_of([&] { run::read_submittable_plan(plan.string()); }).find("plan.json: bad plan header"), std::string::npos);
}

TEST(SubmitSlurmCommand, DryRunPrintsTheScriptAndWritesNothing) {
  TempDir tmp;
  const auto plan = fake_plan(tmp, kPlanJson);
  const auto r = run_granary("submit slurm " + plan.string() + " --parallel 2 --time 00:10:00 --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("#SBATCH --array=0-2%2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("#SBATCH --time=00:10:00\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("#SBATCH --output=" + (plan / "logs").string() + "/slurm-%A_%a.out\n"), std::string::npos) << r.out;
  // The running binary, by its absolute path: the array tasks do not inherit a PATH with it.
  const auto binary = fs::canonical(granary_binary()).string();
  EXPECT_NE(r.out.find("exec '" + binary + "' work '" + plan.string() + "'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sbatch --parsable '" + (plan / "slurm" / "submit.sbatch").string() + "'"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(plan / "slurm"));
  EXPECT_FALSE(fs::exists(plan / "logs"));
}

TEST(SubmitSlurmCommand, BadInputExitsTwoWithAClearMessage) {
  TempDir tmp;
  auto r = run_granary("submit slurm " + tmp.path().string() + " --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(tmp.path().string() + ": no plan here (plan.json is missing"), std::string::npos) << r.err;
  const auto plan = fake_plan(tmp, kPlanJson);
  r = run_granary("submit slurm " + plan.string() + " --parallel -1 --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--parallel -1"), std::string::npos) << r.err;
  r = run_granary("submit slurm s3://bucket/plan --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--script-dir"), std::string::npos) << r.err;
}

TEST(SubmitSlurmCommand, NoSbatchOnPathIsAClearError) {
  TempDir tmp;
  const auto plan = fake_plan(tmp, kPlanJson);
  const auto r = run_command("PATH=/nonexistent " + granary_binary() + " submit slurm " + plan.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sbatch not found on PATH"), std::string::npos) << r.err;
}

TEST(SubmitSlurmCommand, UnreachableControllerExitsThree) {
  if (!SlurmCluster::available()) GTEST_SKIP() << SlurmCluster::why_unavailable();
  TempDir tmp;
  const auto plan = fake_plan(tmp, kPlanJson);
  // A controller address nobody listens on (port 1 on loopback), with a short message timeout.
  std::ofstream(tmp / "slurm.conf") << "ClusterName=nobody\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=1\n"
                                    << "AuthType=auth/munge\nAuthInfo=socket=" << (tmp / "no.sock").string() << "\n"
                                    << "MessageTimeout=2\nNodeName=localhost CPUs=1\nPartitionName=p Nodes=localhost Default=YES\n";
  const auto r = run_command("SLURM_CONF=" + (tmp / "slurm.conf").string() + " timeout 60 " + granary_binary() +
                             " submit slurm " + plan.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("Unable to contact slurm controller"), std::string::npos) << r.err;
}

// An s3:// plan: plan.json read through S3 (the strict loopback server), the script and the
// logs in --script-dir, the array tasks given the s3:// URI.
const io::s3::Credentials kPlanKeys{"AKIDSLURMPLANTEST", "slurm/plan+secret", ""};

TEST(SubmitSlurmCommand, AnS3PlanPutsScriptAndLogsInScriptDir) {
  if (!S3TestServer::available()) GTEST_SKIP() << S3TestServer::why_unavailable(S3ServerKind::Strict);
  S3TestServer server({.buckets = {"plans"}, .credentials = {kPlanKeys}});
  auto store = io::open_s3_store("s3://plans/p1", server.options(kPlanKeys));
  const auto view = std::as_bytes(std::span(kPlanJson));
  store->put("plan.json", {view.begin(), view.end()});
  TempDir tmp;
  const auto dir = tmp / "slurm";
  auto r = run_command(server.env(kPlanKeys) + granary_binary() + " submit slurm s3://plans/p1 --script-dir " + dir.string() +
                       " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("#SBATCH --array=0-2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("#SBATCH --output=" + (dir / "logs").string() + "/slurm-%A_%a.out\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" work 's3://plans/p1' "), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir));
  // Without --dry-run the script and the logs directory are written before sbatch is asked
  // (here it is not on PATH).
  r = run_command(server.env(kPlanKeys) + "PATH=/nonexistent " + granary_binary() + " submit slurm s3://plans/p1 --script-dir " +
                  dir.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sbatch not found on PATH"), std::string::npos) << r.err;
  EXPECT_NE(files::read_text(dir / "submit.sbatch").find(" work 's3://plans/p1' "), std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir / "logs"));
  // A prefix without plan.json is named.
  r = run_command(server.env(kPlanKeys) + granary_binary() + " submit slurm s3://plans/none --script-dir " + dir.string() +
                  " --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("s3://plans/none: no plan here (plan.json is missing"), std::string::npos) << r.err;
}

// The hook replaces `granary work P` in the script; restored when the test ends.
struct WorkCommandHook {
  explicit WorkCommandHook(const std::string& command) { setenv("GRANARY_SLURM_WORK_COMMAND", command.c_str(), 1); }
  ~WorkCommandHook() { unsetenv("GRANARY_SLURM_WORK_COMMAND"); }
};

TEST(SubmitSlurmCommand, SubmitsOneArrayTaskPerUnitToARealCluster) {
  if (!SlurmCluster::available()) GTEST_SKIP() << SlurmCluster::why_unavailable();
  SlurmCluster cluster;
  TempDir tmp;
  const auto plan = fake_plan(tmp, kPlanJson);
  const auto out = tmp / "out";
  fs::create_directories(out);
  WorkCommandHook hook("echo \"unit $SLURM_ARRAY_TASK_ID\" > " + out.string() + "/unit-$SLURM_ARRAY_TASK_ID; echo done");
  const auto r = cluster.run(granary_binary() + " submit slurm " + plan.string() + " --parallel 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("submitted Slurm job ([0-9]+): 3 array tasks"))) << r.out;
  const std::string job = m[1];
  EXPECT_NE(r.out.find("squeue -j " + job), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("granary status"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(plan / "slurm" / "submit.sbatch"));
  ASSERT_TRUE(cluster.wait(job, 60s)) << cluster.log_tails();
  const auto tasks = cluster.tasks(job);
  ASSERT_EQ(tasks.size(), 3u) << cluster.log_tails();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tasks[i].state, "COMPLETED") << "task " << i;
    EXPECT_EQ(files::read_text(out / ("unit-" + std::to_string(i))), "unit " + std::to_string(i) + "\n");
    // Each task's stdout and stderr land in P/logs, named by job and index.
    const auto log = plan / "logs" / ("slurm-" + job + "_" + std::to_string(i) + ".out");
    ASSERT_TRUE(fs::exists(log)) << log;
    EXPECT_EQ(files::read_text(log), "done\n");
    EXPECT_TRUE(fs::exists(plan / "logs" / ("slurm-" + job + "_" + std::to_string(i) + ".err")));
  }
}

TEST(SubmitSlurmCommand, SbatchRejectingTheScriptShowsItsMessage) {
  if (!SlurmCluster::available()) GTEST_SKIP() << SlurmCluster::why_unavailable();
  SlurmCluster cluster;
  TempDir tmp;
  const auto plan = fake_plan(tmp, kPlanJson);
  const auto r = cluster.run(granary_binary() + " submit slurm " + plan.string() + " --partition nosuchpartition");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("sbatch failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nvalid partition"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace granary::test
