#pragma once
// Runs a program without a shell (argv[0] looked up on PATH), stdin from /dev/null, and
// collects its stdout and stderr, killing it at a deadline: for helpers granary calls
// (a profile's credential_process, sbatch) that must never hang a run.
#include <chrono>
#include <string>
#include <vector>

namespace granary {

struct ProcessOutput {
  int spawn_error = 0;  // errno-like: the program could not start (ENOENT: not on PATH)
  int status = 0;       // waitpid status, when it started
  bool timed_out = false;
  std::string out, err;
};

ProcessOutput run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// Single-quotes `text` for a POSIX shell (scripts granary writes: sbatch, deploy.sh).
std::string shell_quote(const std::string& text);

// The path of the running granary binary (/proc/self/exe); throws granary::Error.
std::string running_binary();

}  // namespace granary
