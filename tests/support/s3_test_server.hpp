#pragma once
// An S3 server on loopback for as long as this object lives (it also exits by itself if the
// test process dies), one of two:
//  * Strict: tests/support/s3_server.py, our own in-memory S3 subset that checks every SigV4
//    signature byte for byte and injects faults (/_control/fail): for fault injection.
//  * S3rver: @20minutes/s3rver from npm (tools/s3rver), a third-party implementation that
//    also verifies SigV4: so that granary is not only tested against what we wrote.
// Header-only: the test binary is built from the *_test.cpp files and test_support.cpp.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/s3_http.hpp"
#include "io/s3_store.hpp"
#include "support/loopback_process.hpp"
#include "util/error.hpp"

namespace granary::test {

enum class S3ServerKind { Strict, S3rver };

inline const char* to_string(S3ServerKind kind) { return kind == S3ServerKind::Strict ? "strict" : "s3rver"; }

struct S3ServerOptions {
  S3ServerKind kind = S3ServerKind::Strict;
  std::vector<std::string> buckets;
  std::vector<io::s3::Credentials> credentials;  // the keys the server accepts
  std::string region = "us-east-1";
  int page_size = 1000;      // most keys per ListObjectsV2 page (small values force paging; strict only)
  bool public_read = false;  // accept unsigned GET and HEAD (strict only)
};

class S3TestServer {
 public:
  // Whether the server can run here: /usr/bin/python3, or node with tools/s3rver installed.
  static bool available(S3ServerKind kind = S3ServerKind::Strict) {
    if (kind == S3ServerKind::Strict) return access("/usr/bin/python3", X_OK) == 0;
    return access(node().c_str(), X_OK) == 0 && access((s3rver_dir() + "/node_modules/@20minutes/s3rver").c_str(), F_OK) == 0;
  }
  static std::string why_unavailable(S3ServerKind kind) {
    return kind == S3ServerKind::Strict ? "/usr/bin/python3 is needed for the S3 test server"
                                        : "node and tools/s3rver (npm ci, scripts/install-deps.sh) are needed for s3rver";
  }

  // Starts the server; throws granary::Error when it does not come up.
  explicit S3TestServer(const S3ServerOptions& options) : kind_(options.kind), region_(options.region) {
    std::vector<std::string> args;
    std::string script;
    if (kind_ == S3ServerKind::Strict) {
      script = std::string(GRANARY_SOURCE_DIR) + "/tests/support/s3_server.py";
      args = {"/usr/bin/python3", script, "--region", options.region, "--page-size", std::to_string(options.page_size)};
      for (const auto& b : options.buckets) args.insert(args.end(), {"--bucket", b});
      for (const auto& c : options.credentials)
        args.insert(args.end(), {"--credential", c.access_key_id + ":" + c.secret_access_key +
                                                     (c.session_token.empty() ? "" : ":" + c.session_token)});
      if (options.public_read) args.push_back("--public-read");
    } else {
      script = s3rver_dir() + "/serve.cjs";
      char dir_template[] = "/tmp/granary-s3rver-XXXXXX";
      if (!mkdtemp(dir_template)) fail("cannot make a directory for s3rver");
      data_dir_ = dir_template;
      args = {node(), script, "--dir", data_dir_};
      for (const auto& b : options.buckets) args.insert(args.end(), {"--bucket", b});
      for (const auto& c : options.credentials)
        args.insert(args.end(), {"--credential", c.access_key_id + ":" + c.secret_access_key});
    }
    process_ = std::make_unique<LoopbackProcess>(std::move(args), script);
    endpoint_ = "http://127.0.0.1:" + process_->port();
  }
  ~S3TestServer() {
    process_.reset();  // stopped before its data directory goes
    if (!data_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(data_dir_, ec);
    }
  }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  S3ServerKind kind() const { return kind_; }
  // Fault injection and request counters exist only on the strict server.
  bool can_inject() const { return kind_ == S3ServerKind::Strict; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

  // POST /_control/fail?..., /_control/clear or /_control/stats; returns the counters.
  nlohmann::json control(const std::string& path_and_query) const {
    if (!can_inject()) fail("control {}: only the strict server has control endpoints", path_and_query);
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
           "' AWS_PROFILE= AWS_EC2_METADATA_DISABLED=true ";
  }

  // The AWS CLI (Debian's awscli) pointed at this server with `keys`, as a command prefix:
  // run_command(server.aws_cli(keys) + "s3 ls s3://bucket --recursive").
  std::string aws_cli(const io::s3::Credentials& keys) const {
    return "env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL_S3=" + endpoint_ + " AWS_REGION=" + region_ +
           " AWS_ACCESS_KEY_ID='" + keys.access_key_id + "' AWS_SECRET_ACCESS_KEY='" + keys.secret_access_key + "'" +
           (keys.session_token.empty() ? std::string() : " AWS_SESSION_TOKEN='" + keys.session_token + "'") +
           " AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="
           " /usr/bin/aws --endpoint-url " + endpoint_ + " ";
  }
  static bool aws_cli_available() { return access("/usr/bin/aws", X_OK) == 0; }

 private:
  static std::string node() { return access("/usr/bin/node", X_OK) == 0 ? "/usr/bin/node" : "/usr/local/bin/node"; }
  static std::string s3rver_dir() { return std::string(GRANARY_SOURCE_DIR) + "/tools/s3rver"; }

  S3ServerKind kind_;
  std::unique_ptr<LoopbackProcess> process_;
  std::string endpoint_, region_, data_dir_;
};

}  // namespace granary::test
