#pragma once
// tests/support/tcp_fault_proxy.py in front of a loopback server: the network's faults
// (a connection closed before the response, reset mid-response, stalled) on every n-th
// connection, which the server behind never sees. Header-only, like the servers' wrappers.
#include <string>

#include <nlohmann/json.hpp>

#include "support/loopback_process.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::test {

struct TcpFaultProxyOptions {
  std::string target_port;
  std::string modes = "close,reset,stall";
  int every = 3;
  int max_faults = 30;
  double stall_seconds = 4;
};

class TcpFaultProxy {
 public:
  explicit TcpFaultProxy(const TcpFaultProxyOptions& o)
      : process_({"/usr/bin/python3", std::string(GRANARY_SOURCE_DIR) + "/tests/support/tcp_fault_proxy.py", "--target",
                  o.target_port, "--modes", o.modes, "--every", std::to_string(o.every), "--max-faults",
                  std::to_string(o.max_faults), "--stall-seconds", std::to_string(o.stall_seconds), "--stats",
                  (dir_ / "stats.json").string()},
                 "the TCP fault proxy") {}
  std::string endpoint() const { return "http://127.0.0.1:" + process_.port(); }
  // {"connections", "faults", "close", "reset", "stall"}
  nlohmann::json stats() const {
    const auto path = dir_ / "stats.json";
    return std::filesystem::exists(path) ? nlohmann::json::parse(files::read_text(path)) : nlohmann::json::object();
  }

 private:
  TempDir dir_;
  LoopbackProcess process_;
};

}  // namespace granary::test
