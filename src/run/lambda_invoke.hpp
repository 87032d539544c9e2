#pragma once
// One synchronous invocation of granary's Lambda function for one unit of a plan, through
// Lambda's Invoke API (docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
//   POST /2015-03-31/functions/<name>/invocations[?Qualifier=Q]
//   X-Amz-Invocation-Type: RequestResponse, the event as the body.
// What can come back, and what each means for the unit's jobs:
//   200                           the function's UnitResponse (run/lambda_event.hpp)
//   200 + X-Amz-Function-Error    the function failed (Unhandled: timed out, out of memory,
//                                 crashed; Handled: it reported an error): its jobs FAILED
//   429, 5xx, no answer           retried with backoff (io::aws::ServiceClient); after the
//                                 last attempt the service is unavailable
//   any other 4xx                 the caller's mistake (no such function, bad keys, not
//                                 allowed): thrown as io::aws::ServiceError, never retried
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "io/aws_service.hpp"
#include "io/retry_policy.hpp"
#include "run/lambda_event.hpp"

namespace granary::run::lambda {

// The Invoke path in SigV4 canonical form: the name (or ARN) URI-encoded as one segment.
std::string invoke_path(const std::string& function, const std::string& qualifier = {});

// Lambda throttles a fleet that starts faster than its concurrency allows: more attempts
// and longer waits than S3's policy, Retry-After honoured up to the cap.
io::RetryPolicy invoke_retry_policy();

// The service options of an orchestrator's client: SigV4 scope "lambda", no quiet-transfer
// limit (a synchronous invocation says nothing for up to 15 minutes), a total limit a
// little over Lambda's 900 s, retries counted by the caller and logged at debug.
io::aws::ServiceOptions invoke_service_options(const std::string& region, const std::string& endpoint,
                                               std::shared_ptr<io::s3::CredentialProvider> credentials);

struct InvokeOutcome {
  enum class Kind {
    Answered,       // `response` holds the function's answer
    FunctionError,  // the function failed, or answered something that is no UnitResponse
    Unavailable,    // 429 / 5xx / no answer after every retry
  };
  Kind kind = Kind::Answered;
  std::optional<UnitResponse> response;
  std::string request_id;      // x-amzn-RequestId
  std::string function_error;  // X-Amz-Function-Error: "Unhandled" or "Handled"
  std::string error;           // FunctionError, Unavailable: the reason, for the jobs' results
  int attempts = 0;
};

// Sends `event`. Throws io::aws::ServiceError (naming the function) for a 4xx other than 429.
InvokeOutcome invoke(const io::aws::ServiceClient& client, const std::string& function, const std::string& qualifier,
                  const nlohmann::json& event);

// "Lambda Unhandled: Sandbox.Timedout: Task timed out after 3.00 seconds" from a function
// error's answer ({"errorMessage", "errorType", ...}); the body itself when it is not that.
std::string function_error_reason(const std::string& function_error, const std::string& body);

}  // namespace granary::run::lambda
