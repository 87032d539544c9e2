#include "io/aws_service.hpp"

#include <algorithm>
#include <cstddef>
#include <span>

#include <fmt/format.h>

#include "io/credential_provider.hpp"
#include "io/s3_http.hpp"
#include "util/json_input.hpp"

namespace granary::io::aws {
namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string json_message(const nlohmann::json& body) {
  for (const char* key : {"message", "Message", "errorMessage"})
    if (body.contains(key) && body[key].is_string()) return body[key].get<std::string>();
  return {};
}

nlohmann::json parse_body(const std::string& body) {
  if (json_too_deep_at(body) != std::string::npos) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

ServiceEndpoint resolve_service_endpoint(const std::string& explicit_url, const std::string& service,
                                         const std::string& env_suffix, const std::string& region,
                                         const s3::EnvLookup& env) {
  if (!explicit_url.empty()) return {without_trailing_slash(explicit_url), "--endpoint"};
  const std::string specific = "AWS_ENDPOINT_URL_" + env_suffix;
  if (auto url = env(specific); url && !url->empty()) return {without_trailing_slash(*url), specific};
  if (auto url = env("AWS_ENDPOINT_URL"); url && !url->empty()) return {without_trailing_slash(*url), "AWS_ENDPOINT_URL"};
  return {fmt::format("https://{}.{}.amazonaws.com", service, region), "default"};
}

std::string ServiceResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string error_type(const ServiceResponse& response) {
  std::string type = response.header("x-amzn-errortype");
  if (type.empty()) {
    const auto body = parse_body(response.body);
    if (body.is_object())
      for (const char* key : {"__type", "Type", "code"})
        if (body.contains(key) && body[key].is_string()) {
          type = body[key].get<std::string>();
          break;
        }
  }
  if (auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  return type;
}

std::string describe_error(const ServiceResponse& response) {
  const auto body = parse_body(response.body);
  std::string message = body.is_object() ? json_message(body) : std::string();
  if (message.empty() && !body.is_object() && !response.body.empty() && response.body.size() < 200)
    message = response.body;
  std::string out = fmt::format("{}", response.status);
  if (auto type = error_type(response); !type.empty()) out += " " + type;
  if (!message.empty()) out += ": " + message;
  return out;
}

ServiceClient::ServiceClient(ServiceOptions options) : options_(std::move(options)) {
  options_.endpoint = without_trailing_slash(options_.endpoint);
}

ServiceResponse ServiceClient::send(const std::string& method, const std::string& path_and_query,
                                    const std::vector<std::string>& headers, const std::string& body) const {
  s3::HttpRequest request;
  request.method = method;
  request.url = options_.endpoint + path_and_query;
  request.headers = headers;
  request.body = std::as_bytes(std::span(body.data(), body.size()));
  request.quiet_seconds = options_.quiet_seconds;
  request.timeout_seconds = options_.timeout_seconds;

  ServiceResponse out;
  const std::string what = fmt::format("{} {}", options_.service, options_.endpoint);
  const RetryLog log{what, method + " " + path_and_query, options_.warn_on_retry};
  out.attempts = run_with_retries(options_.retry, log, [&](int) {
    // The keys are asked for on every attempt: a refresh between attempts is picked up.
    std::optional<s3::Signer> signer;
    if (options_.credentials)
      if (auto keys = options_.credentials->current()) signer = s3::Signer{options_.region, *keys, options_.service};
    s3::HttpResponse response;
    try {
      response = s3::send_once(request, signer ? &*signer : nullptr);
    } catch (const TransportError& e) {
      if (options_.on_retryable && e.retryable()) options_.on_retryable(0, e.what());
      throw;
    }
    out.status = response.status;
    out.headers = std::move(response.headers);
    out.body.assign(reinterpret_cast<const char*>(response.body.data()), response.body.size());
    if (!retryable_status(out.status)) return AttemptOutcome{};
    AttemptOutcome outcome{true, describe_error(out), out.header("retry-after")};
    if (options_.on_retryable) options_.on_retryable(out.status, outcome.problem);
    return outcome;
  });
  return out;
}

nlohmann::json ServiceClient::call_json(const std::string& target, const nlohmann::json& request) const {
  ServiceResponse response;
  try {
    response = send("POST", "/", {"Content-Type: application/x-amz-json-1.1", "X-Amz-Target: " + target}, request.dump());
  } catch (const TransportError& e) {
    throw ServiceUnavailable(fmt::format("{} {}: {}", options_.service, target, e.what()));
  }
  if (retryable_status(response.status))
    throw ServiceUnavailable(fmt::format("{} {} at {}: {} (after {} attempt(s))", options_.service, target,
                                         options_.endpoint, describe_error(response), response.attempts));
  if (response.status < 200 || response.status >= 300)
    throw ServiceError(fmt::format("{} {} at {}: {}", options_.service, target, options_.endpoint, describe_error(response)),
                       response);
  auto body = parse_body(response.body.empty() ? "{}" : response.body);
  if (body.is_discarded())
    throw ServiceUnavailable(fmt::format("{} {} at {}: the answer is not JSON", options_.service, target, options_.endpoint));
  return body;
}

}  // namespace granary::io::aws
