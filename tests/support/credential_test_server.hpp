#pragma once
// tests/support/credential_server.py on loopback for as long as this object lives: the
// container endpoint, IMDSv2, NSIDC's s3credentials endpoint and the Earthdata Login host,
// each handing out the given keys in turn. Header-only, like s3_test_server.hpp.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/http_client.hpp"
#include "util/error.hpp"

extern char** environ;

namespace granary::test {

struct CredentialServerOptions {
  std::vector<io::s3::Credentials> keys;  // handed out in turn, per service (the last repeats)
  double lifetime_seconds = 3600;          // each answer expires this long after it is given
  std::string container_token = "container-token";
  std::string earthdata_token = "earthdata-token";
  std::string urs_login = "user:password";
};

class CredentialTestServer {
 public:
  explicit CredentialTestServer(const CredentialServerOptions& options) {
    const std::string script = std::string(GRANARY_SOURCE_DIR) + "/tests/support/credential_server.py";
    std::vector<std::string> args{"/usr/bin/python3", script, "--lifetime", std::to_string(options.lifetime_seconds),
                                  "--container-token", options.container_token, "--earthdata-token",
                                  options.earthdata_token, "--urs-login", options.urs_login};
    for (const auto& k : options.keys)
      args.insert(args.end(), {"--credential", k.access_key_id + ":" + k.secret_access_key + ":" + k.session_token});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) fail("{}: cannot make a pipe", script);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    pollfd ready{out[0], POLLIN, 0};
    char c;
    while (rc == 0 && poll(&ready, 1, 10'000) == 1 && read(out[0], &c, 1) == 1 && c != '\n') port_ += c;
    close(out[0]);
    if (rc != 0) {
      pid_ = -1;
      fail("cannot start {}", script);
    }
    if (port_.empty()) fail("{} did not report its port", script);
  }
  ~CredentialTestServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  CredentialTestServer(const CredentialTestServer&) = delete;
  CredentialTestServer& operator=(const CredentialTestServer&) = delete;

  // The data host (NSIDC, container, IMDS) and the login host: one server, two names.
  std::string base() const { return "http://localhost:" + port_; }
  std::string login_host() const { return "127.0.0.1"; }
  std::string container_uri() const { return "http://127.0.0.1:" + port_ + "/ecs/credentials"; }
  std::string imds_endpoint() const { return "http://127.0.0.1:" + port_; }
  std::string earthdata_url() const { return base() + "/s3credentials"; }

  nlohmann::json stats() const {
    io::HttpClient http;
    return nlohmann::json::parse(http.get(base() + "/_control/stats").body);
  }

 private:
  pid_t pid_ = -1;
  std::string port_;
};

}  // namespace granary::test
