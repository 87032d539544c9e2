// granary submit slurm P (submit lambda: cli/submit_lambda_cmd.cpp): hands a plan to Slurm as one job array, one array task per unit,
// each running `granary work P` (the index from SLURM_ARRAY_TASK_ID). granary schedules
// nothing itself: Slurm queues, limits (--parallel) and retries what it is told to.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "io/store.hpp"
#include "run/slurm_submit.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/subprocess.hpp"

namespace granary::cli {
namespace {
namespace fs = std::filesystem;

struct SubmitSlurmOptions {
  std::string plan;
  std::string script_dir;
  bool dry_run = false;
  run::SlurmOptions slurm;
};

void submit_slurm(const SubmitSlurmOptions& o) {
  run::check_slurm_options(o.slurm);
  const bool remote = io::is_s3_uri(o.plan);
  if (remote && o.script_dir.empty())
    fail("{}: an s3:// plan needs --script-dir DIR, a local directory the Slurm nodes share, for the sbatch script and the logs",
         o.plan);
  const std::string plan_uri = remote ? o.plan : fs::absolute(o.plan).lexically_normal().string();
  const auto plan = run::read_submittable_plan(plan_uri);
  // Slurm writes the logs and reads the script from a file system the nodes share: the plan
  // directory itself when it is local, else --script-dir.
  const fs::path script_dir = o.script_dir.empty() ? fs::path(plan_uri) / "slurm" : fs::absolute(o.script_dir).lexically_normal();
  const fs::path logs_dir = remote ? script_dir / "logs" : fs::path(plan_uri) / "logs";
  const fs::path script_path = script_dir / "submit.sbatch";
  // Test hook (documented in docs/scale-out.md): replaces `granary work P` in the script, so
  // the tests can run a Slurm array before `granary work` exists on a branch.
  const char* hook = std::getenv("GRANARY_SLURM_WORK_COMMAND");
  const std::string command = hook && *hook ? std::string(hook) : run::work_command(running_binary(), plan_uri);
  const std::string script = run::slurm_script(plan, o.slurm, logs_dir, command);
  if (o.dry_run) {
    std::cout << script << fmt::format("\n# would write {} and run:\nsbatch --parsable {}\n", script_path.string(),
                                       run::shell_quote(script_path.string()))
              << std::flush;
    exit_code = 0;
    return;
  }
  std::error_code ec;
  for (const auto& dir : {script_dir, logs_dir}) {
    fs::create_directories(dir, ec);
    if (ec) fail("{}: cannot create the directory ({})", dir.string(), ec.message());
  }
  files::write_atomic(script_path, script);
  const std::string job = run::sbatch_submit(script_path);
  std::cout << fmt::format("submitted Slurm job {}: {} array task{} (one per unit of {}){}\n", job, plan.units,
                           plan.units == 1 ? "" : "s", plan_uri,
                           o.slurm.parallel > 0 ? fmt::format(", at most {} at once", o.slurm.parallel) : "")
            << fmt::format("  script: {}\n  logs:   {}/slurm-{}_<index>.out and .err\n", script_path.string(),
                           logs_dir.string(), job)
            << fmt::format("  watch:  granary status {}   or   squeue -j {}\n", run::shell_quote(o.plan), job)
            << std::flush;
  exit_code = 0;
}

}  // namespace

void add_submit_command(CLI::App& root) {
  auto* submit = root.add_subcommand("submit", "Hand a plan to an engine: a Slurm job array or Lambda invocations (one per unit)");
  submit->require_subcommand(1);
  auto o = std::make_shared<SubmitSlurmOptions>();
  auto* cmd = submit->add_subcommand(
      "slurm", "Write P/slurm/submit.sbatch (a job array running granary work P per unit) and submit it with sbatch");
  cmd->add_option("plan", o->plan, "Plan directory P (made by granary plan); local, or s3:// with --script-dir")->required();
  cmd->add_option("--parallel", o->slurm.parallel, "At most K array tasks at once (--array=0-(N-1)%K); 0: no limit")
      ->capture_default_str();
  cmd->add_option("--partition", o->slurm.partition, "Slurm partition (default: the cluster's default partition)");
  cmd->add_option("--time", o->slurm.time, "Time limit per array task, e.g. 02:00:00 (default: the partition's)");
  cmd->add_option("--mem", o->slurm.mem, "Memory per array task, e.g. 8G (default: the partition's)");
  cmd->add_option("--account", o->slurm.account, "Slurm account to charge");
  cmd->add_option("--cpus-per-task", o->slurm.cpus_per_task,
                  "Cores per array task; granary work runs that many jobs of its unit at once")
      ->capture_default_str();
  cmd->add_option("--script-dir", o->script_dir,
                  "Where the sbatch script goes (default P/slurm); for an s3:// plan also the logs (DIR/logs)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the script and the sbatch command; write and submit nothing");
  cmd->callback([o] { submit_slurm(*o); });
  add_submit_lambda_command(*submit);
}

}  // namespace granary::cli
