#pragma once
// tests/support/s3_server.py, a strict in-memory S3 subset that checks every SigV4
// signature, run on loopback for as long as this object lives (the server also exits by
// itself if the test process dies). Header-only: the test binary is built from the
// *_test.cpp files and test_support.cpp.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/s3_http.hpp"
#include "io/s3_store.hpp"
#include "util/error.hpp"

extern char** environ;

namespace granary::test {

struct S3ServerOptions {
  std::vector<std::string> buckets;
  std::vector<io::s3::Credentials> credentials;  // the keys the server accepts
  std::string region = "us-east-1";
  int page_size = 1000;      // most keys per ListObjectsV2 page (small values force paging)
  bool public_read = false;  // accept unsigned GET and HEAD
};

class S3TestServer {
 public:
  // Whether the server can run here (it needs /usr/bin/python3).
  static bool available() { return access("/usr/bin/python3", X_OK) == 0; }

  // Starts the server; throws granary::Error when it does not come up.
  explicit S3TestServer(const S3ServerOptions& options) : region_(options.region) {
    const std::string script = std::string(GRANARY_SOURCE_DIR) + "/tests/support/s3_server.py";
    std::vector<std::string> args{"/usr/bin/python3", script, "--region", options.region, "--page-size",
                                  std::to_string(options.page_size)};
    for (const auto& b : options.buckets) args.insert(args.end(), {"--bucket", b});
    for (const auto& c : options.credentials)
      args.insert(args.end(), {"--credential", c.access_key_id + ":" + c.secret_access_key +
                                                   (c.session_token.empty() ? "" : ":" + c.session_token)});
    if (options.public_read) args.push_back("--public-read");
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
    std::string port;
    pollfd ready{out[0], POLLIN, 0};
    char c;
    while (rc == 0 && poll(&ready, 1, 10'000) == 1 && read(out[0], &c, 1) == 1 && c != '\n') port += c;
    close(out[0]);
    if (rc != 0) {
      pid_ = -1;
      fail("cannot start {}", script);
    }
    if (port.empty()) fail("{} did not report its port", script);
    endpoint_ = "http://127.0.0.1:" + port;
  }
  ~S3TestServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

  // POST /_control/fail?..., /_control/clear or /_control/stats; returns the counters.
  nlohmann::json control(const std::string& path_and_query) const {
    auto response = io::s3::send_once({.method = "POST", .url = endpoint_ + path_and_query}, nullptr);
    if (response.status != 200) fail("control {} answered {}", path_and_query, response.status);
    return nlohmann::json::parse(response.text());
  }
  nlohmann::json stats() const { return control("/_control/stats"); }

  // Store options that reach this server with `keys`.
  io::S3Options options(const io::s3::Credentials& keys) const {
    io::S3Options o;
    o.endpoint = endpoint_;
    o.region = region_;
    o.credentials = keys;
    return o;
  }

  // Shell assignments that point a granary process at this server with `keys` (and no
  // profile from ~/.aws), to put before the command.
  std::string env(const io::s3::Credentials& keys) const {
    return "AWS_ENDPOINT_URL_S3=" + endpoint_ + " AWS_REGION=" + region_ + " AWS_ACCESS_KEY_ID='" + keys.access_key_id +
           "' AWS_SECRET_ACCESS_KEY='" + keys.secret_access_key + "' AWS_SESSION_TOKEN='" + keys.session_token +
           "' AWS_PROFILE= ";
  }

 private:
  pid_t pid_ = -1;
  std::string endpoint_, region_;
};

}  // namespace granary::test
