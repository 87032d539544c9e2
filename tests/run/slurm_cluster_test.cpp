// The test Slurm cluster itself (tests/support/slurm_cluster): real slurmctld/slurmd/munged
// on loopback run job arrays, report a failed task and a cancelled one, and leave no daemon.
#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/slurm_cluster.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::test {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

#define GRANARY_REQUIRE_SLURM() \
  if (!SlurmCluster::available()) GTEST_SKIP() << SlurmCluster::why_unavailable()

fs::path write_script(const fs::path& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/bash\n" << body;
  return path;
}

TEST(SlurmCluster, ArrayTasksAllRunAndWriteTheirIndex) {
  GRANARY_REQUIRE_SLURM();
  SlurmCluster cluster;
  TempDir work;
  const auto script = write_script(work / "array.sh",
                                   "#SBATCH --array=0-3\n#SBATCH --output=" + (work / "o-%A_%a.out").string() +
                                       "\necho \"$SLURM_ARRAY_TASK_ID\" > " + work.path().string() + "/task-$SLURM_ARRAY_TASK_ID\n");
  const auto job = cluster.submit(script);
  ASSERT_TRUE(cluster.wait(job, 60s)) << "job " << job << " still queued after 60 s\n" << cluster.log_tails();
  for (int i = 0; i < 4; ++i) {
    const auto file = work / ("task-" + std::to_string(i));
    ASSERT_TRUE(fs::exists(file)) << file << "\n" << cluster.log_tails();
    EXPECT_EQ(files::read_text(file), std::to_string(i) + "\n");
  }
  const auto tasks = cluster.tasks(job);
  ASSERT_EQ(tasks.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(tasks[i].array_task_id, i);
    EXPECT_EQ(tasks[i].state, "COMPLETED");
    EXPECT_EQ(tasks[i].exit_code, 0);
  }
}

TEST(SlurmCluster, ATaskThatExitsNonZeroIsReportedFailed) {
  GRANARY_REQUIRE_SLURM();
  SlurmCluster cluster;
  TempDir work;
  const auto script = write_script(work / "fail.sh", "#SBATCH --array=0-2\n#SBATCH --output=/dev/null\n"
                                                     "if [ \"$SLURM_ARRAY_TASK_ID\" = 1 ]; then exit 3; fi\n");
  const auto job = cluster.submit(script);
  ASSERT_TRUE(cluster.wait(job, 60s)) << cluster.log_tails();
  const auto tasks = cluster.tasks(job);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].state, "COMPLETED");
  EXPECT_EQ(tasks[1].state, "FAILED");
  EXPECT_EQ(tasks[1].exit_code, 3);
  EXPECT_EQ(tasks[2].state, "COMPLETED");
}

TEST(SlurmCluster, ACancelledRunningTaskIsSeenAsCancelled) {
  GRANARY_REQUIRE_SLURM();
  SlurmCluster cluster;
  TempDir work;
  const auto started = work / "started";
  const auto script = write_script(work / "sleep.sh", "#SBATCH --output=/dev/null\ntouch " + started.string() + "\nsleep 60\n");
  const auto job = cluster.submit(script);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!fs::exists(started) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(fs::exists(started)) << "the job did not start within 30 s\n" << cluster.log_tails();
  ASSERT_EQ(cluster.tasks(job).at(0).state, "RUNNING");
  const auto cancelled_at = std::chrono::steady_clock::now();
  cluster.cancel(job);
  ASSERT_TRUE(cluster.wait(job, 30s)) << cluster.log_tails();
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, 30s);  // not the sleep's 60 s
  const auto tasks = cluster.tasks(job);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].state, "CANCELLED");
}

TEST(SlurmCluster, StopsCleanlyLeavingNoDaemonNorJob) {
  GRANARY_REQUIRE_SLURM();
  SlurmCluster cluster;
  TempDir work;
  const auto pids = cluster.daemon_pids();
  ASSERT_EQ(pids.size(), 3u);
  for (pid_t p : pids) EXPECT_EQ(kill(p, 0), 0) << "daemon " << p << " not running";
  // A job still running when the cluster stops is cancelled with it.
  const auto marker = work / "still-running";
  cluster.submit(write_script(work / "long.sh", "#SBATCH --output=/dev/null\nsleep 120 && touch " + marker.string() + "\n"));
  const std::string dir = cluster.dir().string();
  cluster.stop();
  for (pid_t p : pids) {
    errno = 0;
    EXPECT_EQ(kill(p, 0), -1) << "daemon " << p << " still exists after stop()";
    EXPECT_EQ(errno, ESRCH);
  }
  // Nothing started for this cluster (daemons, slurmstepd, the job's sleep) is left: every one
  // of them has the cluster's directory on its command line or in SLURM_CONF.
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string text;
    for (const char* f : {"cmdline", "environ"}) {
      std::ifstream in(entry.path() / f, std::ios::binary);
      text += std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::ifstream stat(entry.path() / "stat");
    std::string stat_line;
    std::getline(stat, stat_line);
    const bool zombie = stat_line.find(") Z ") != std::string::npos;
    EXPECT_TRUE(zombie || text.find(dir) == std::string::npos) << "process " << name << " of the stopped cluster is still there";
  }
}

}  // namespace
}  // namespace granary::test
