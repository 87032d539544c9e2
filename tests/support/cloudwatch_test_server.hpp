#pragma once
// tests/support/cloudwatch_logs_server.py on loopback for as long as this object lives: a
// CloudWatch Logs FilterLogEvents endpoint that checks SigV4 (service "logs"), pages at a
// small size, and can throttle chosen calls. Header-only, like the other servers' wrappers.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/s3_http.hpp"
#include "support/loopback_process.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::test {

struct CloudWatchServerOptions {
  nlohmann::json groups = nlohmann::json::object();  // logGroupName -> [{timestamp, message, ...}]
  std::vector<io::s3::Credentials> credentials;      // the keys the server accepts
  std::string region = "us-east-1";
  int page_size = 3;
  std::vector<int> throttle_calls;  // FilterLogEvents calls (1-based) answered ThrottlingException
  bool empty_first_page = false;
};

class CloudWatchTestServer {
 public:
  static bool available() { return access("/usr/bin/python3", X_OK) == 0; }

  explicit CloudWatchTestServer(const CloudWatchServerOptions& options) : region_(options.region) {
    const auto events = dir_ / "events.json";
    std::ofstream(events) << options.groups.dump();
    const std::string script = std::string(GRANARY_SOURCE_DIR) + "/tests/support/cloudwatch_logs_server.py";
    std::vector<std::string> args = {"/usr/bin/python3", script, "--events", events.string(), "--region", options.region,
                                     "--page-size", std::to_string(options.page_size)};
    for (const auto& c : options.credentials)
      args.insert(args.end(), {"--credential", c.access_key_id + ":" + c.secret_access_key +
                                                   (c.session_token.empty() ? "" : ":" + c.session_token)});
    for (int n : options.throttle_calls) args.insert(args.end(), {"--throttle-call", std::to_string(n)});
    if (options.empty_first_page) args.push_back("--empty-first-page");
    process_ = std::make_unique<LoopbackProcess>(std::move(args), script);
    endpoint_ = "http://127.0.0.1:" + process_->port();
  }

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

  // requests, filter_calls, pages, events_sent, throttled, refused, not_found, requests_seen.
  nlohmann::json stats() const {
    auto response = io::s3::send_once({.method = "GET", .url = endpoint_ + "/_control/stats"}, nullptr);
    if (response.status != 200) fail("cloudwatch stats answered {}", response.status);
    return nlohmann::json::parse(response.text());
  }

  // Shell assignments that point a granary process at this server with `keys` (and nothing
  // from ~/.aws), to put before the command.
  std::string env(const io::s3::Credentials& keys) const {
    return "AWS_ENDPOINT_URL_LOGS=" + endpoint_ + " AWS_REGION=" + region_ + " AWS_ACCESS_KEY_ID='" + keys.access_key_id +
           "' AWS_SECRET_ACCESS_KEY='" + keys.secret_access_key + "' AWS_SESSION_TOKEN='" + keys.session_token +
           "' AWS_PROFILE= AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true ";
  }

 private:
  TempDir dir_;
  std::unique_ptr<LoopbackProcess> process_;
  std::string endpoint_, region_;
};

}  // namespace granary::test
