#pragma once
// AWS's JSON APIs beyond S3 (Lambda's Invoke, CloudWatch Logs): where the service is, and
// one signed request with the retry policy every client of ours shares. Requests are
// signed with SigV4 by libcurl (io/s3_http's send_once, with the service's scope) using the
// storage layer's credential chain, so the same keys, profiles and endpoints work.
//
// Endpoints are found as the AWS SDKs find them: an explicit URL (--endpoint), else
// AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_LOGS), else
// AWS_ENDPOINT_URL, else https://<service>.<region>.amazonaws.com.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"
#include "io/retry_policy.hpp"
#include "util/unavailable_error.hpp"

namespace granary::io::aws {

struct ServiceEndpoint {
  std::string url;     // scheme://host[:port], no trailing slash
  std::string source;  // "--endpoint", "AWS_ENDPOINT_URL_LAMBDA", ..., "default"
};

// `service` is the SigV4 name ("lambda", "logs"); `env_suffix` the SDKs' variable suffix
// ("LAMBDA", "LOGS").
ServiceEndpoint resolve_service_endpoint(const std::string& explicit_url, const std::string& service,
                                         const std::string& env_suffix, const std::string& region,
                                         const s3::EnvLookup& env = s3::process_env);

struct ServiceResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  int attempts = 0;
  std::string header(const std::string& lower_name) const;
};

// AWS's name for what went wrong: x-amzn-ErrorType ("TooManyRequestsException:http://..."
// cut at the colon), else the JSON body's "__type" or "Type" (after any '#'), else "".
std::string error_type(const ServiceResponse& response);
// "429 TooManyRequestsException: Rate exceeded" from the status, error_type and the body's
// "message" / "Message" / "errorMessage".
std::string describe_error(const ServiceResponse& response);

// A service answered with an error that retries did not cure (or that is not worth one):
// a 4xx is the caller's (bad keys, no such function); 429 and 5xx after retries are
// unavailability.
class ServiceError : public Error {
 public:
  ServiceError(const std::string& what, ServiceResponse response) : Error(what), response_(std::move(response)) {}
  const ServiceResponse& response() const { return response_; }

 private:
  ServiceResponse response_;
};
class ServiceUnavailable : public UnavailableError {
 public:
  using UnavailableError::UnavailableError;
};

struct ServiceOptions {
  std::string service;  // SigV4 scope: "lambda", "logs"
  std::string region;
  std::string endpoint;  // from resolve_service_endpoint
  std::shared_ptr<s3::CredentialProvider> credentials;  // nullptr or none: unsigned
  RetryPolicy retry{.max_attempts = 8, .initial_backoff = std::chrono::milliseconds(200),
                    .max_backoff = std::chrono::seconds(20)};
  long quiet_seconds = 60;  // see s3::HttpRequest::quiet_seconds (0 for Lambda's Invoke)
  long timeout_seconds = 0;  // see s3::HttpRequest::timeout_seconds (0: no limit)
  // Retries are logged at warn; false logs them at debug, for a caller that counts them
  // itself (through on_retryable) and would otherwise flood the log (a throttled fleet).
  bool warn_on_retry = true;
  // Called in the calling thread for each attempt that came to a retryable answer (status
  // 429 or 5xx) or to none (status 0, a transport fault), the last attempt included: what
  // it was. For counters; may be empty.
  std::function<void(long status, const std::string& problem)> on_retryable;
};

// Thread-safe: every thread signs with the provider's current keys and uses its own curl
// handle (one connection per thread, so a pool of N threads holds at most N sockets).
class ServiceClient {
 public:
  explicit ServiceClient(ServiceOptions options);

  // One call, retried on transport faults, 429 and 5xx (full-jitter backoff, Retry-After
  // honoured). Returns the final response whatever its status; throws TransportError when
  // the last attempt got no response. `path_and_query` is in SigV4 canonical form.
  ServiceResponse send(const std::string& method, const std::string& path_and_query,
                       const std::vector<std::string>& headers, const std::string& body) const;

  // The AWS JSON 1.1 protocol (CloudWatch Logs): POST / with X-Amz-Target: <target>.
  // Returns the parsed answer; throws ServiceError (4xx) or ServiceUnavailable (429/5xx
  // after retries, or no answer) naming the service and the call.
  nlohmann::json call_json(const std::string& target, const nlohmann::json& request) const;

  const ServiceOptions& options() const { return options_; }

 private:
  ServiceOptions options_;
};

}  // namespace granary::io::aws
