#pragma once
// A real single-node Slurm cluster on localhost for the tests (issue 11): its own munged
// (key, socket), slurmctld and slurmd, configured under a temp directory and selected by
// SLURM_CONF, so it never touches a system Slurm. Started by the constructor (a few seconds),
// stopped by the destructor: the test's jobs cancelled, the daemons sent SIGTERM, then SIGKILL.
// No cgroups (proctrack/linuxproc, task/none) and no accounting database: finished jobs are
// read with `scontrol show job`, which keeps them for MinJobAge (600 s).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace granary::test {

// One array task (or a plain job) as scontrol shows it.
struct SlurmTask {
  long array_task_id = -1;  // -1 for a job that is not an array
  std::string state;        // COMPLETED, FAILED, CANCELLED, TIMEOUT, RUNNING, PENDING, ...
  int exit_code = -1;       // the script's exit status ("ExitCode=3:0" -> 3)
  int signal = 0;           // the signal that ended it ("ExitCode=0:15" -> 15)
};

class SlurmCluster {
 public:
  // True when munged, slurmctld, slurmd and the client commands are installed and this process
  // is root (slurmd runs jobs as their user); else why_unavailable() says what is missing.
  static bool available();
  static std::string why_unavailable();

  // Starts munged, slurmctld and slurmd and waits (bounded) until sinfo shows the node idle;
  // throws granary::Error with the daemons' log tails when it does not come up.
  explicit SlurmCluster(std::chrono::seconds startup_timeout = std::chrono::seconds(30));
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  // "SLURM_CONF=<dir>/slurm.conf " to put before a shell command line (sbatch, granary submit).
  std::string env() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  int cpus() const { return cpus_; }

  // Runs `command` (a shell line) with env() in front.
  CommandResult run(const std::string& command) const;

  // sbatch --parsable [extra_args] script; returns the job id, throws on failure.
  std::string submit(const std::filesystem::path& script, const std::string& extra_args = "");
  // Waits until no task of job_id is pending or running (squeue -j is empty); false on timeout.
  bool wait(const std::string& job_id, std::chrono::seconds timeout);
  void cancel(const std::string& job_id);
  // Every task of job_id (scontrol show job), sorted by array index.
  std::vector<SlurmTask> tasks(const std::string& job_id) const;

  // The daemons' pids while they run (munged, slurmctld, slurmd).
  std::vector<pid_t> daemon_pids() const;
  // Cancels every job, stops the daemons; idempotent (the destructor calls it).
  void stop();
  // The last lines of each daemon's log, for failure messages.
  std::string log_tails() const;

 private:
  void write_config();
  pid_t spawn(const std::vector<std::string>& args, const std::string& log_name);
  void wait_until_idle(std::chrono::seconds timeout);

  TempDir dir_;
  int cpus_ = 1;
  int ctld_port_ = 0, slurmd_port_ = 0;
  pid_t munged_ = -1, slurmctld_ = -1, slurmd_ = -1;
  bool stopped_ = false;
};

}  // namespace granary::test
