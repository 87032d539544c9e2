#pragma once
// tests/support/lambda_invoke_server.py on loopback for as long as this object lives: a
// Lambda Invoke endpoint that checks SigV4, counts invocations and in-flight requests, and
// injects throttles, 5xx, dropped connections and function errors. Header-only, like
// s3_test_server.hpp.
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/http_client.hpp"
#include "support/loopback_process.hpp"

namespace granary::test {

struct LambdaServerOptions {
  std::vector<io::s3::Credentials> credentials;  // the keys it accepts
  std::vector<std::string> functions{"granary"};
  std::string region = "us-east-1";
  double delay_seconds = 0.05;  // how long each invocation takes
  bool write_results = false;   // write results/<id>.json as the function would
  std::string run_command{};    // run per invocation ({plan}, {index}) instead of answering itself
  std::string ok_exit_codes = "0";
  std::string expect_s3_credentials{};  // KEY:SECRET:TOKEN every event must carry
  int concurrency_limit = 0;
};

class LambdaTestServer {
 public:
  static bool available() { return access("/usr/bin/python3", X_OK) == 0; }

  explicit LambdaTestServer(const LambdaServerOptions& o) : region_(o.region) {
    const std::string script = std::string(GRANARY_SOURCE_DIR) + "/tests/support/lambda_invoke_server.py";
    std::vector<std::string> args{"/usr/bin/python3", script, "--region", o.region, "--delay", std::to_string(o.delay_seconds),
                                  "--ok-exit-codes", o.ok_exit_codes, "--concurrency-limit", std::to_string(o.concurrency_limit)};
    for (const auto& c : o.credentials)
      args.insert(args.end(), {"--credential", c.access_key_id + ":" + c.secret_access_key +
                                                   (c.session_token.empty() ? "" : ":" + c.session_token)});
    for (const auto& f : o.functions) args.insert(args.end(), {"--function", f});
    if (o.write_results) args.push_back("--write-results");
    if (!o.run_command.empty()) args.insert(args.end(), {"--run-command", o.run_command});
    if (!o.expect_s3_credentials.empty()) args.insert(args.end(), {"--expect-s3-credentials", o.expect_s3_credentials});
    process_ = std::make_unique<LoopbackProcess>(std::move(args), script, 10'000);
    endpoint_ = "http://127.0.0.1:" + process_->port();
  }
  LambdaTestServer(const LambdaTestServer&) = delete;
  LambdaTestServer& operator=(const LambdaTestServer&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

  // POST /_control/<what>?<query> (fail, function-error, clear); returns the counters.
  nlohmann::json control(const std::string& what, const std::string& query = {}) const {
    io::HttpClient http;
    return nlohmann::json::parse(http.request("POST", endpoint_ + "/_control/" + what + (query.empty() ? "" : "?" + query)).body);
  }
  nlohmann::json stats() const {
    io::HttpClient http;
    return nlohmann::json::parse(http.get(endpoint_ + "/_control/stats").body);
  }

 private:
  std::string region_;
  std::string endpoint_;
  std::unique_ptr<LoopbackProcess> process_;
};

}  // namespace granary::test
