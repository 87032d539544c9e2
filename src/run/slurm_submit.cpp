#include "run/slurm_submit.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "io/store.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

extern char** environ;

namespace granary::run {
namespace {

constexpr auto kSbatchTimeout = std::chrono::seconds(120);

struct Output {
  int status = 0;
  bool timed_out = false;
  std::string out, err;
};

// Runs words (argv[0] looked up on PATH) and collects stdout and stderr; errno-like rc when
// it cannot start (ENOENT: not on PATH).
int run(const std::vector<std::string>& words, Output& result) {
  std::vector<char*> argv;
  for (const auto& w : words) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return errno;
  if (pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    close(out[0]);
    close(out[1]);
    return e;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (rc == 0) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_count = 2;
    const auto deadline = std::chrono::steady_clock::now() + kSbatchTimeout;
    while (open_count > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const int ready = left.count() > 0 ? poll(fds, 2, static_cast<int>(left.count())) : 0;
      if (ready == 0) {
        kill(pid, SIGKILL);
        result.timed_out = true;
        break;
      }
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int k = 0; k < 2; ++k) {
        if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buffer[4096];
        const ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
        if (n > 0) {
          sinks[k]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[k].fd = -1;
          --open_count;
        }
      }
    }
    while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
    }
  }
  close(out[0]);
  close(err[0]);
  return rc;
}

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

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
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
  Output result;
  const int rc = run({"sbatch", "--parsable", script.string()}, result);
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
