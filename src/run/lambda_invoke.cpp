#include "run/lambda_invoke.hpp"

#include <fmt/format.h>

#include "io/s3_http.hpp"
#include "util/json_input.hpp"

namespace granary::run::lambda {

using nlohmann::json;

std::string invoke_path(const std::string& function, const std::string& qualifier) {
  std::string path = "/2015-03-31/functions/" + io::s3::uri_encode(function, /*keep_slash=*/false) + "/invocations";
  if (!qualifier.empty()) path += "?" + io::s3::canonical_query({{"Qualifier", qualifier}});
  return path;
}

io::RetryPolicy invoke_retry_policy() {
  return {.max_attempts = 10, .initial_backoff = std::chrono::milliseconds(250), .max_backoff = std::chrono::seconds(30)};
}

io::aws::ServiceOptions invoke_service_options(const std::string& region, const std::string& endpoint,
                                               std::shared_ptr<io::s3::CredentialProvider> credentials) {
  io::aws::ServiceOptions o;
  o.service = "lambda";
  o.region = region;
  o.endpoint = endpoint;
  o.credentials = std::move(credentials);
  o.retry = invoke_retry_policy();
  o.quiet_seconds = 0;
  o.timeout_seconds = 960;  // Lambda stops a function at 900 s; past this the answer is lost
  o.warn_on_retry = false;
  return o;
}

std::string function_error_reason(const std::string& function_error, const std::string& body) {
  const auto j = json_too_deep_at(body) == std::string::npos ? json::parse(body, nullptr, /*allow_exceptions=*/false)
                                                               : json(json::value_t::discarded);
  std::string type, message;
  if (j.is_object()) {
    if (j.contains("errorType") && j["errorType"].is_string()) type = j["errorType"].get<std::string>();
    if (j.contains("errorMessage") && j["errorMessage"].is_string()) message = j["errorMessage"].get<std::string>();
  }
  std::string reason = "Lambda " + (function_error.empty() ? std::string("error") : function_error);
  if (!type.empty()) reason += ": " + type;
  if (!message.empty()) reason += ": " + message;
  if (type.empty() && message.empty() && !body.empty()) reason += ": " + body.substr(0, 500);
  return reason;
}

namespace {

std::string hint_for(long status, const std::string& function) {
  if (status == 404) return " (check --function, --qualifier and --region)";
  // AWS signs a Lambda path's ':' encoded twice; libcurl's SigV4 signs the path as sent.
  if (status == 403 && function.find(':') != std::string::npos)
    return " (an ARN or name:alias cannot be signed here: give the function's name, with --region and --qualifier)";
  if (status == 401 || status == 403) return " (check the AWS credentials, their permission lambda:InvokeFunction, and --region)";
  return "";
}

}  // namespace

InvokeOutcome invoke(const io::aws::ServiceClient& client, const std::string& function, const std::string& qualifier,
                  const json& event) {
  const std::string body = event.dump();
  InvokeOutcome out;
  io::aws::ServiceResponse response;
  try {
    response = client.send("POST", invoke_path(function, qualifier),
                           {"Content-Type: application/json", "X-Amz-Invocation-Type: RequestResponse", "X-Amz-Log-Type: None"},
                           body);
  } catch (const io::TransportError& e) {
    out.kind = InvokeOutcome::Kind::Unavailable;
    out.error = fmt::format("Lambda invoke of {}: {}", function, e.what());
    return out;
  }
  out.attempts = response.attempts;
  out.request_id = response.header("x-amzn-requestid");
  if (io::retryable_status(response.status)) {
    out.kind = InvokeOutcome::Kind::Unavailable;
    out.error = fmt::format("Lambda invoke of {}: {} (after {} attempt(s))", function, io::aws::describe_error(response),
                            response.attempts);
    return out;
  }
  if (response.status < 200 || response.status >= 300)
    throw io::aws::ServiceError(fmt::format("Lambda function {} at {}: {}{}", function, client.options().endpoint,
                                            io::aws::describe_error(response), hint_for(response.status, function)),
                                response);
  out.function_error = response.header("x-amz-function-error");
  if (!out.function_error.empty()) {
    out.kind = InvokeOutcome::Kind::FunctionError;
    out.error = function_error_reason(out.function_error, response.body);
    return out;
  }
  try {
    require_json_depth(response.body, "the answer");
    out.response = UnitResponse::from_json(json::parse(response.body));
  } catch (const std::exception& e) {
    out.kind = InvokeOutcome::Kind::FunctionError;
    out.error = fmt::format("Lambda answer of {} is not a plan unit's response ({}): is it granary's function?", function,
                            e.what());
  }
  return out;
}

}  // namespace granary::run::lambda
