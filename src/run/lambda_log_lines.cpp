#include "run/lambda_log_lines.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "run/lambda_event.hpp"

namespace granary::run::lambda {
namespace {

using nlohmann::json;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

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
  // Scanned left to right, one label at a time (no std::regex: its per-character recursion
  // overflows the stack on a long line, and these lines come from the network).
  static constexpr std::array<std::string_view, 13> kLabels{
      "RequestId", "Billed Restore Duration", "Restore Duration", "Billed Duration", "Init Duration", "Duration",
      "Memory Size", "Max Memory Used", "Status", "Error Type", "XRAY TraceId", "SegmentId", "Sampled"};
  const std::string_view text = message;
  std::vector<std::pair<std::string_view, std::pair<std::size_t, std::size_t>>> found;  // name, [value start, label start)
  for (std::size_t i = 0; i < text.size();) {
    bool matched = false;
    for (const auto name : kLabels) {
      const std::string_view rest = text.substr(i);
      if (rest.starts_with(name) && rest.substr(name.size()).starts_with(": ")) {
        found.push_back({name, {i + name.size() + 2, i}});
        i += name.size() + 2;
        matched = true;
        break;
      }
    }
    if (!matched) ++i;
  }
  PlatformReport r;
  bool has_duration = false, has_memory = false;
  for (std::size_t k = 0; k < found.size(); ++k) {
    const auto start = found[k].second.first;
    const auto end = k + 1 < found.size() ? found[k + 1].second.second : text.size();
    const std::string_view value = trim(text.substr(start, end - start));
    const auto name = found[k].first;
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

// "<id>\s+[Error:\s+]Task timed out after <[0-9.]+> seconds", the first that holds, found
// by a linear scan from each "Task timed out after " (the id is the word before it, or before
// a bare "Error:" before it).
std::optional<TimeoutLine> parse_timeout_line(std::string_view text) {
  static constexpr std::string_view kPhrase = "Task timed out after ";
  // [start, end) of the word that ends where the blanks before `at` begin; nullopt when
  // there are no blanks or no word.
  auto word_before = [&](std::size_t at) -> std::optional<std::pair<std::size_t, std::size_t>> {
    std::size_t end = at;
    while (end > 0 && is_space(text[end - 1])) --end;
    if (end == at || end == 0) return std::nullopt;
    std::size_t start = end;
    while (start > 0 && !is_space(text[start - 1])) --start;
    return std::pair{start, end};
  };
  for (auto at = text.find(kPhrase); at != std::string_view::npos; at = text.find(kPhrase, at + 1)) {
    std::size_t n = at + kPhrase.size(), n_end = n;
    while (n_end < text.size() && (is_digit(text[n_end]) || text[n_end] == '.')) ++n_end;
    if (n_end == n || !text.substr(n_end).starts_with(" seconds")) continue;
    const auto word = word_before(at);
    if (!word) continue;
    std::pair<std::size_t, std::size_t> id = *word;
    if (text.substr(word->first, word->second - word->first) == "Error:")
      if (const auto before = word_before(word->first)) id = *before;  // the id precedes "Error:"
    return TimeoutLine{std::string(text.substr(id.first, id.second - id.first)),
                       std::strtod(std::string(text.substr(n, n_end - n)).c_str(), nullptr)};
  }
  return std::nullopt;
}

// "RequestId:\s*<id>\s+[Error:\s*](Runtime exited|Process exited)<to the end of the line>",
// the first that holds, found by a linear scan from each "RequestId:".
std::optional<RuntimeExitLine> parse_runtime_exit_line(std::string_view text) {
  static constexpr std::string_view kKey = "RequestId:";
  for (auto at = text.find(kKey); at != std::string_view::npos;) {
    std::size_t i = at + kKey.size();
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t id_start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    const std::size_t id_end = i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (id_end > id_start && i > id_end) {
      std::string_view rest = text.substr(i);
      if (rest.starts_with("Error:")) {
        std::size_t k = 6;
        while (k < rest.size() && is_space(rest[k])) ++k;
        rest.remove_prefix(k);
      }
      if (rest.starts_with("Runtime exited") || rest.starts_with("Process exited")) {
        RuntimeExitLine out;
        out.request_id = std::string(text.substr(id_start, id_end - id_start));
        out.detail = std::string(trim(rest.substr(0, rest.find_first_of("\n\r"))));
        out.killed = out.detail.find("signal: killed") != std::string::npos;
        out.out_of_memory = text.find("Runtime.OutOfMemory") != std::string_view::npos;
        return out;
      }
    }
    // A later "RequestId:" inside the same id reads the same id and fails the same way; only
    // one that ends where the id ends reads another: skip to it.
    at = text.find(kKey, std::max(at + 1, id_end - kKey.size()));
  }
  return std::nullopt;
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
