#pragma once
// The client side of AWS Lambda's Runtime API (docs.aws.amazon.com/lambda/latest/dg/
// runtimes-api.html), version 2018-06-01, at http://$AWS_LAMBDA_RUNTIME_API:
//   GET  /runtime/invocation/next            the next event (blocks; no client timeout)
//   POST /runtime/invocation/{id}/response   the function's answer
//   POST /runtime/invocation/{id}/error      a failed invocation (errorMessage, errorType)
//   POST /runtime/init/error                 start-up failed (before any next)
// One process, one client: the runtime loop is single-threaded; job workers forked from it
// never use it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "io/http_client.hpp"

namespace granary::run::lambda {

struct RuntimeInvocation {
  std::string request_id;       // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds
  std::string function_arn;     // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;         // Lambda-Runtime-Trace-Id (X-Ray), exported as _X_AMZN_TRACE_ID
  std::string body;             // the event
  // The deadline on this machine's steady clock (what timers compare against).
  std::chrono::steady_clock::time_point steady_deadline() const;
  // Milliseconds left, as Lambda's context.get_remaining_time_in_millis().
  std::int64_t remaining_ms() const;
};

// What the runtime reports for a failed invocation or start-up.
struct ErrorReport {
  std::string type;     // "Granary.DeadlineExceeded", "Granary.BadEvent", ...
  std::string message;  // never an event's content (they carry credentials)
};

class RuntimeApi {
 public:
  // `endpoint` is host:port (AWS_LAMBDA_RUNTIME_API's value).
  explicit RuntimeApi(std::string endpoint);
  // From AWS_LAMBDA_RUNTIME_API; throws granary::Error when it is not set (not in Lambda).
  static RuntimeApi from_environment();

  // Throws granary::Error when the answer lacks a request id (a broken Runtime API).
  RuntimeInvocation next();
  void respond(const std::string& request_id, const std::string& body);
  void fail(const std::string& request_id, const ErrorReport& error);
  void init_error(const ErrorReport& error);

 private:
  void post(const std::string& path, const std::string& body, const io::HttpHeaders& headers);
  std::string base_;
  io::HttpClient next_client_;  // no timeout: Lambda freezes the process while it waits
  io::HttpClient post_client_;
};

}  // namespace granary::run::lambda
