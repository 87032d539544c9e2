#include "run/lambda_log_lines.hpp"

#include <cstdlib>
#include <regex>

#include <nlohmann/json.hpp>

#include "run/lambda_event.hpp"

namespace granary::run::lambda {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "102.25 ms" -> 102.25; nullopt when the value does not start with a number.
std::optional<double> leading_number(std::string_view value) {
  const std::string text(trim(value));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  return v;
}

double number_or(const json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string string_or_empty(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A JSON object message, unwrapped from the JSON log format's {"message": ...} when the
// function's own line sits inside it; discarded when the message is no JSON object.
json json_message(std::string_view message) {
  message = trim(message);
  if (message.empty() || message.front() != '{') return json::value_t::discarded;
  auto j = json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return json::value_t::discarded;
  if (!j.contains("event_type") && !j.contains("type") && j.contains("message")) {
    const auto& inner = j["message"];
    if (inner.is_object()) return inner;
    if (inner.is_string()) {
      auto parsed = json::parse(inner.get<std::string>(), nullptr, false);
      if (parsed.is_object()) return parsed;
    }
  }
  return j;
}

std::optional<PlatformReport> parse_json_report(const json& j) {
  if (string_or_empty(j, "type") != "platform.report" || !j.contains("record") || !j["record"].is_object()) return std::nullopt;
  const auto& record = j["record"];
  PlatformReport r;
  r.request_id = string_or_empty(record, "requestId");
  if (r.request_id.empty()) return std::nullopt;
  const json metrics = record.value("metrics", json::object());
  r.duration_ms = number_or(metrics, "durationMs", 0);
  r.billed_duration_ms = number_or(metrics, "billedDurationMs", 0);
  r.memory_size_mb = number_or(metrics, "memorySizeMB", 0);
  r.max_memory_used_mb = number_or(metrics, "maxMemoryUsedMB", 0);
  if (metrics.contains("initDurationMs") && metrics["initDurationMs"].is_number())
    r.init_duration_ms = metrics["initDurationMs"].get<double>();
  r.status = string_or_empty(record, "status");
  r.error_type = string_or_empty(record, "errorType");
  return r;
}

}  // namespace

std::optional<PlatformReport> parse_report_line(std::string_view message) {
  message = trim(message);
  if (!message.empty() && message.front() == '{') {
    const auto j = json_message(message);
    return j.is_object() ? parse_json_report(j) : std::nullopt;
  }
  if (!message.starts_with("REPORT RequestId:")) return std::nullopt;
  // The fields are tab-separated on the wire, but copies often hold spaces: find every
  // label (longest first, so "Billed Duration" is not read as "Duration") and take the text
  // up to the next label as its value.
  static const std::regex label(
      "(RequestId|Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Duration|Memory Size|"
      "Max Memory Used|Status|Error Type|XRAY TraceId|SegmentId|Sampled): ");
  const std::string text(message);
  std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> found;  // name, [value start, label start)
  for (auto it = std::sregex_iterator(text.begin(), text.end(), label); it != std::sregex_iterator(); ++it)
    found.push_back({(*it)[1].str(), {static_cast<std::size_t>(it->position() + it->length()), static_cast<std::size_t>(it->position())}});
  PlatformReport r;
  bool has_duration = false, has_memory = false;
  for (std::size_t k = 0; k < found.size(); ++k) {
    const auto start = found[k].second.first;
    const auto end = k + 1 < found.size() ? found[k + 1].second.second : text.size();
    const std::string_view value = trim(std::string_view(text).substr(start, end - start));
    const auto& name = found[k].first;
    const auto number = leading_number(value);
    if (name == "RequestId") {
      r.request_id = std::string(value.substr(0, value.find_first_of(" \t")));
    } else if (name == "Duration" && number) {
      r.duration_ms = *number;
      has_duration = true;
    } else if (name == "Billed Duration" && number) {
      r.billed_duration_ms = *number;
    } else if (name == "Memory Size" && number) {
      r.memory_size_mb = *number;
      has_memory = true;
    } else if (name == "Max Memory Used" && number) {
      r.max_memory_used_mb = *number;
    } else if (name == "Init Duration" && number) {
      r.init_duration_ms = *number;
    } else if (name == "Status") {
      r.status = std::string(value);
    } else if (name == "Error Type") {
      r.error_type = std::string(value);
    }
  }
  if (r.request_id.empty() || !has_duration || !has_memory) return std::nullopt;
  return r;
}

std::optional<TimeoutLine> parse_timeout_line(std::string_view message) {
  static const std::regex timed_out(R"((\S+)\s+(?:Error:\s+)?Task timed out after ([0-9.]+) seconds)");
  const std::string text(message);
  std::smatch m;
  if (!std::regex_search(text, m, timed_out)) return std::nullopt;
  return TimeoutLine{m[1].str(), std::strtod(m[2].str().c_str(), nullptr)};
}

std::optional<RuntimeExitLine> parse_runtime_exit_line(std::string_view message) {
  static const std::regex exited(R"(RequestId:\s*(\S+)\s+(?:Error:\s*)?((?:Runtime exited|Process exited)[^\n\r]*))");
  const std::string text(message);
  std::smatch m;
  if (!std::regex_search(text, m, exited)) return std::nullopt;
  RuntimeExitLine out;
  out.request_id = m[1].str();
  out.detail = std::string(trim(m[2].str()));
  out.killed = out.detail.find("signal: killed") != std::string::npos;
  out.out_of_memory = text.find("Runtime.OutOfMemory") != std::string::npos;
  return out;
}

std::optional<GranaryLine> parse_granary_line(std::string_view message) {
  const auto j = json_message(message);
  if (!j.is_object()) return std::nullopt;
  GranaryLine g;
  g.event_type = string_or_empty(j, "event_type");
  if (g.event_type != kInvocationEvent && g.event_type != kCompleteEvent) return std::nullopt;
  g.request_id = string_or_empty(j, "request_id");
  if (g.request_id.empty()) return std::nullopt;
  g.kind = string_or_empty(j, "kind");
  g.key = string_or_empty(j, "key");
  g.plan = string_or_empty(j, "plan");
  if (const auto it = j.find("index"); it != j.end() && it->is_number_unsigned()) g.index = it->get<std::size_t>();
  if (const auto it = j.find("jobs"); it != j.end() && it->is_array())
    for (const auto& id : *it)
      if (id.is_string()) g.jobs.push_back(id.get<std::string>());
  g.status = string_or_empty(j, "status");
  g.error = string_or_empty(j, "error");
  g.duration_s = number_or(j, "duration_s", 0);
  return g;
}

}  // namespace granary::run::lambda
