#include "run/lambda_runtime_api.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace granary::run::lambda {
namespace {

io::HttpOptions next_options() {
  io::HttpOptions o;
  o.timeout_seconds = 0;  // the call returns when an event arrives, however long that is
  o.connect_timeout_seconds = 10;
  o.follow_redirects = false;
  o.user_agent = "granary-lambda-runtime";
  return o;
}

io::HttpOptions post_options() {
  io::HttpOptions o;
  o.timeout_seconds = 60;
  o.connect_timeout_seconds = 10;
  o.follow_redirects = false;
  o.user_agent = "granary-lambda-runtime";
  o.retry.initial_backoff = std::chrono::milliseconds(50);
  o.retry.max_backoff = std::chrono::seconds(1);
  o.retry.max_attempts = 4;
  return o;
}

std::string error_body(const ErrorReport& error) {
  return nlohmann::json{{"errorMessage", error.message}, {"errorType", error.type}, {"stackTrace", nlohmann::json::array()}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::chrono::steady_clock::time_point RuntimeInvocation::steady_deadline() const {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(remaining_ms());
}

std::int64_t RuntimeInvocation::remaining_ms() const {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return deadline_ms - now;
}

RuntimeApi::RuntimeApi(std::string endpoint)
    : base_("http://" + endpoint + "/2018-06-01"), next_client_(next_options()), post_client_(post_options()) {}

RuntimeApi RuntimeApi::from_environment() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api)
    granary::fail("granary lambda: AWS_LAMBDA_RUNTIME_API is not set: this is the Lambda runtime, run by AWS Lambda "
                  "(or give --event FILE to run one event here)");
  return RuntimeApi(api);
}

RuntimeInvocation RuntimeApi::next() {
  auto response = next_client_.get(base_ + "/runtime/invocation/next");
  if (response.status != 200)
    granary::fail("Lambda Runtime API: GET /runtime/invocation/next answered {}", response.status);
  RuntimeInvocation out;
  out.request_id = response.header("lambda-runtime-aws-request-id");
  if (out.request_id.empty()) granary::fail("Lambda Runtime API: the next invocation has no Lambda-Runtime-Aws-Request-Id");
  const auto deadline = response.header("lambda-runtime-deadline-ms");
  char* end = nullptr;
  out.deadline_ms = std::strtoll(deadline.c_str(), &end, 10);
  if (deadline.empty() || *end != '\0')
    granary::fail("Lambda Runtime API: invocation {} has no usable Lambda-Runtime-Deadline-Ms ('{}')", out.request_id, deadline);
  out.function_arn = response.header("lambda-runtime-invoked-function-arn");
  out.trace_id = response.header("lambda-runtime-trace-id");
  out.body = std::move(response.body);
  return out;
}

void RuntimeApi::post(const std::string& path, const std::string& body, const io::HttpHeaders& headers) {
  auto response = post_client_.request("POST", base_ + path, headers, body);
  // 202 Accepted is the documented answer; 413 means the response was too large (6 MB).
  if (response.status < 200 || response.status >= 300)
    granary::fail("Lambda Runtime API: POST {} answered {}: {}", path, response.status, response.body.substr(0, 300));
}

void RuntimeApi::respond(const std::string& request_id, const std::string& body) {
  post(fmt::format("/runtime/invocation/{}/response", request_id), body, {{"Content-Type", "application/json"}});
}

void RuntimeApi::fail(const std::string& request_id, const ErrorReport& error) {
  post(fmt::format("/runtime/invocation/{}/error", request_id), error_body(error),
       {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", error.type}});
}

void RuntimeApi::init_error(const ErrorReport& error) {
  post("/runtime/init/error", error_body(error),
       {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", error.type}});
}

}  // namespace granary::run::lambda
