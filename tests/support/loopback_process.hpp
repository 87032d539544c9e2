#pragma once
// A test server process on loopback: started with posix_spawn, it prints the port it bound
// on its first line; stopped (SIGTERM, then reaped) when this object goes. The servers also
// exit by themselves when the test process dies. Header-only, like the servers' wrappers.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "util/error.hpp"

extern char** environ;

namespace granary::test {

class LoopbackProcess {
 public:
  // Runs args (args[0] is the program's path); throws granary::Error naming `what` when it
  // does not start or reports no port within `timeout_ms`.
  LoopbackProcess(std::vector<std::string> args, const std::string& what, int timeout_ms = 30'000) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) fail("{}: cannot make a pipe", what);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    pollfd ready{out[0], POLLIN, 0};
    char c;
    while (rc == 0 && poll(&ready, 1, timeout_ms) == 1 && read(out[0], &c, 1) == 1 && c != '\n') port_ += c;
    close(out[0]);
    if (rc != 0) {
      pid_ = -1;
      fail("cannot start {}", what);
    }
    if (port_.empty()) fail("{} did not report its port", what);
  }
  ~LoopbackProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  LoopbackProcess(const LoopbackProcess&) = delete;
  LoopbackProcess& operator=(const LoopbackProcess&) = delete;

  const std::string& port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::string port_;
};

}  // namespace granary::test
