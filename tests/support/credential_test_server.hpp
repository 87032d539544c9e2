#pragma once
// tests/support/credential_server.py on loopback for as long as this object lives: the
// container endpoint, IMDSv2, NSIDC's s3credentials endpoint and the Earthdata Login host,
// each handing out the given keys in turn. Header-only, like s3_test_server.hpp.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/http_client.hpp"
#include "support/loopback_process.hpp"
#include "util/error.hpp"

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
    process_ = std::make_unique<LoopbackProcess>(std::move(args), script, 10'000);
    port_ = process_->port();
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
  std::unique_ptr<LoopbackProcess> process_;
  std::string port_;
};

}  // namespace granary::test
