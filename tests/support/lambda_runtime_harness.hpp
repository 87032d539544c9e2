#pragma once
// `granary lambda` served by the loopback Runtime API (tests/support/lambda_runtime_server.py),
// as AWS Lambda runs a custom runtime: the runtime process gets AWS_LAMBDA_RUNTIME_API and the
// function's variables, serves the queued events, and is stopped (SIGTERM, as Lambda's
// shutdown) when the harness goes.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/http_client.hpp"
#include "support/loopback_process.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

extern char** environ;

namespace granary::test {

class LambdaRuntimeHarness {
 public:
  // events: [{"event": {...}, "timeout_ms": N}, ...]
  explicit LambdaRuntimeHarness(const nlohmann::json& events)
      : events_file_(write_events(dir_, events)),
        server_({"/usr/bin/python3", std::string(GRANARY_SOURCE_DIR) + "/tests/support/lambda_runtime_server.py", "--events",
                 events_file_.string()},
                "the loopback Lambda Runtime API") {}
  ~LambdaRuntimeHarness() { stop_runtime(); }

  std::string endpoint() const { return "127.0.0.1:" + server_.port(); }

  // Starts `granary lambda` (extra: NAME=VALUE environment entries; args after "lambda").
  void start_runtime(const std::vector<std::string>& extra_env = {}, const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv{granary_binary(), "lambda"};
    argv.insert(argv.end(), args.begin(), args.end());
    start_program(argv, extra_env, /*inherit_environment=*/true);
  }

  // Starts any runtime program (a package's bootstrap in a chroot) with Lambda's variables,
  // `extra_env`, and this process's environment only when `inherit_environment`.
  void start_program(std::vector<std::string> argv_strings, const std::vector<std::string>& extra_env, bool inherit_environment) {
    std::vector<std::string> env_strings;
    if (inherit_environment)
      for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("AWS_LAMBDA_RUNTIME_API=" + endpoint());
    env_strings.push_back("AWS_LAMBDA_FUNCTION_NAME=granary-test");
    env_strings.push_back("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048");
    for (const auto& e : extra_env) env_strings.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&runtime_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) runtime_ = -1;
  }

  // The runtime's exit status if it has ended by itself within `seconds`, else -1.
  int wait_exit(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (runtime_ > 0 && std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(runtime_, &status, WNOHANG) == runtime_) {
        runtime_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

  void stop_runtime() {
    if (runtime_ > 0) {
      kill(runtime_, SIGTERM);
      waitpid(runtime_, nullptr, 0);
      runtime_ = -1;
    }
  }

  nlohmann::json state() const {
    io::HttpClient client;
    return nlohmann::json::parse(client.get("http://" + endpoint() + "/_control/state").body);
  }

  // Waits until `n` invocations are answered (or the runtime died / the time is up).
  nlohmann::json wait_answered(std::size_t n, double seconds = 120) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    auto s = state();
    while (s["answered"].get<std::size_t>() < n && std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (runtime_ > 0 && waitpid(runtime_, &status, WNOHANG) == runtime_) {
        runtime_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      s = state();
    }
    return s;
  }

  // The answers in the order the events were served.
  std::vector<nlohmann::json> answers_in_order(const nlohmann::json& s) const {
    std::map<int, nlohmann::json> by_index;
    for (const auto& [id, a] : s["answers"].items()) {
      auto copy = a;
      copy["request_id"] = id;
      by_index[a["index"].get<int>()] = copy;
    }
    std::vector<nlohmann::json> out;
    for (auto& [i, a] : by_index) out.push_back(a);
    return out;
  }

  std::string out() const { return files::read_text(stdout_path()); }
  std::string err() const { return files::read_text(stderr_path()); }
  const TempDir& dir() const { return dir_; }

 private:
  static std::filesystem::path write_events(const TempDir& dir, const nlohmann::json& events) {
    const auto path = dir / "events.json";
    std::ofstream(path) << events.dump();
    return path;
  }
  std::filesystem::path stdout_path() const { return dir_ / "runtime.out"; }
  std::filesystem::path stderr_path() const { return dir_ / "runtime.err"; }

  TempDir dir_;
  std::filesystem::path events_file_;
  LoopbackProcess server_;
  pid_t runtime_ = -1;
};

}  // namespace granary::test
