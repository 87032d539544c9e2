#include "run/slurm_submit.hpp"

#include <sys/wait.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "io/store.hpp"
#include "util/error.hpp"
#include "util/subprocess.hpp"
#include "util/unavailable_error.hpp"

namespace granary::run {
namespace {

constexpr auto kSbatchTimeout = std::chrono::seconds(120);


std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

// sbatch's own words for "the controller did not answer": a rerun may succeed.
bool controller_unreachable(const std::string& err) {
  for (std::string_view s : {"Unable to contact slurm controller", "Socket timed out", "Connection refused",
                             "Zero Bytes were transmitted", "Communication connection failure"})
    if (err.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

PlanHeader read_submittable_plan(const std::string& plan_uri) {
  const auto dir = io::open_store(plan_uri);
  auto plan = read_plan(*dir);
  if (plan.units == 0) fail("{}/plan.json: the plan has no units (0 jobs): nothing to submit", dir->uri());
  return plan;
}

void check_slurm_options(const SlurmOptions& o) {
  if (o.parallel < 0) fail("--parallel {}: must be 0 (no limit) or a positive number of array tasks", o.parallel);
  if (o.cpus_per_task < 1) fail("--cpus-per-task {}: must be at least 1", o.cpus_per_task);
  const std::pair<const char*, const std::string*> texts[] = {
      {"--partition", &o.partition}, {"--time", &o.time}, {"--mem", &o.mem}, {"--account", &o.account}};
  for (const auto& [flag, value] : texts)
    for (char c : *value)
      if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' || c == '\\' || c == '#')
        fail("{} \"{}\": spaces, quotes, backslashes and '#' are not allowed in a Slurm option", flag, *value);
}

std::string work_command(const std::string& granary_binary, const std::string& plan_uri) {
  return fmt::format("exec {} work {} -j \"${{SLURM_CPUS_PER_TASK:-1}}\"", shell_quote(granary_binary), shell_quote(plan_uri));
}

std::string slurm_script(const PlanHeader& plan, const SlurmOptions& o, const std::filesystem::path& logs_dir,
                         const std::string& command) {
  // Job names and #SBATCH values are read by sbatch, not by a shell: keep them to safe characters.
  auto safe = [](std::string s) {
    for (char& c : s)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    return s;
  };
  std::string name = "granary-" + safe(plan.recipe) + (plan.log_name.empty() ? "" : "-" + safe(plan.log_name));
  std::string s = "#!/bin/bash\n";
  s += "# Written by granary submit slurm: one array task per unit of the plan.\n";
  s += fmt::format("#SBATCH --job-name={}\n", name);
  s += fmt::format("#SBATCH --array=0-{}{}\n", plan.units - 1, o.parallel > 0 ? fmt::format("%{}", o.parallel) : "");
  s += fmt::format("#SBATCH --output={}\n", (logs_dir / "slurm-%A_%a.out").string());
  s += fmt::format("#SBATCH --error={}\n", (logs_dir / "slurm-%A_%a.err").string());
  s += "#SBATCH --ntasks=1\n";
  s += fmt::format("#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.time.empty()) s += fmt::format("#SBATCH --time={}\n", o.time);
  if (!o.mem.empty()) s += fmt::format("#SBATCH --mem={}\n", o.mem);
  if (!o.account.empty()) s += fmt::format("#SBATCH --account={}\n", o.account);
  s += "set -euo pipefail\n";
  s += command + "\n";
  return s;
}

std::string sbatch_submit(const std::filesystem::path& script) {
  const auto result = run_process({"sbatch", "--parsable", script.string()}, kSbatchTimeout);
  const int rc = result.spawn_error;
  if (rc == ENOENT) fail("{}: sbatch not found on PATH: run on a Slurm login node, or use --dry-run to only write the script", script.string());
  if (rc != 0) throw UnavailableError(fmt::format("{}: cannot run sbatch ({})", script.string(), std::strerror(rc)));
  const std::string err = trimmed(result.err);
  if (result.timed_out)
    throw UnavailableError(fmt::format("{}: sbatch did not answer within {} s{}{}", script.string(), kSbatchTimeout.count(),
                                       err.empty() ? "" : ": ", err));
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
    const std::string message = fmt::format("{}: sbatch failed (status {}){}{}", script.string(),
                                            WIFEXITED(result.status) ? WEXITSTATUS(result.status) : -1, err.empty() ? "" : ": ", err);
    if (controller_unreachable(err)) throw UnavailableError(message);
    fail("{}", message);
  }
  // --parsable prints "jobid" or "jobid;cluster".
  std::string id = trimmed(result.out);
  id = id.substr(0, id.find(';'));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    fail("{}: sbatch printed no job id (stdout \"{}\")", script.string(), trimmed(result.out));
  return id;
}

}  // namespace granary::run
