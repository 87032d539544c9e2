#include "recipes/ecco/config.hpp"

#include <cctype>
#include <optional>
#include <regex>
#include <set>

#include <yaml-cpp/yaml.h>

#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;
namespace {

const std::set<std::string> kRequiredKeys = {"ecco_version",     "model_output_dir", "processed_output_dir",
                                             "mapping_factors",  "metadata_dir",     "grid_dir",
                                             "model_start_time", "model_end_time"};

// YAML marks are 0-based; people count lines from 1.
int line_of(const YAML::Node& node) { return node.Mark().line + 1; }

// "1992-01-01", "1992-01-01T12:00", "1992-01-01T12:00:00[.fff][Z]" -> "YYYY-MM-DDTHH:MM:SS..."
// normalised so two times compare as strings; empty when the text is not such a time.
std::string normalized_iso_time(const std::string& text) {
  static const std::regex iso(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?Z?)");
  std::smatch m;
  if (!std::regex_match(text, m, iso)) return {};
  int month = std::stoi(m[2]), day = std::stoi(m[3]);
  int hour = m[4].matched ? std::stoi(m[4]) : 0, minute = m[5].matched ? std::stoi(m[5]) : 0;
  int second = m[6].matched ? std::stoi(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return {};
  return fmt::format("{}-{}-{}T{:02}:{:02}:{:02}{}", m[1].str(), m[2].str(), m[3].str(), hour, minute, second,
                     m[7].matched ? m[7].str() : "");
}

// A local path (resolved against `base`) or an s3:// URI, never a path made of a URI.
std::string resolve_location(std::string text, const fs::path& base, const std::string& where) {
  if (text.empty()) fail("{} is an empty path", where);
  static const std::regex scheme(R"(^([A-Za-z][A-Za-z0-9+.-]*):/)");
  std::smatch m;
  if (text.rfind("file://", 0) == 0) {
    text = text.substr(7);
    if (text.empty()) fail("{} is an empty path", where);
  } else if (text.rfind("s3://", 0) == 0) {
    const auto rest = text.substr(5);
    if (rest.empty() || rest[0] == '/')
      fail("{} is '{}': no bucket name (expected s3://bucket/prefix)", where, text);
    while (text.back() == '/') text.pop_back();
    return text;
  } else if (text.rfind("s3:", 0) == 0) {
    fail("{} is '{}': not an s3:// URI (expected s3://bucket/prefix)", where, text);
  } else if (std::regex_search(text, m, scheme)) {
    fail("{} is '{}': the {}:// scheme is not supported (give a local path or an s3://bucket/prefix URI)", where,
         text, m[1].str());
  }
  fs::path p = text;
  return (p.is_absolute() ? p : base / p).lexically_normal().string();
}

// YAML 1.1's booleans, which yaml-cpp reads as bool; anything else is not one.
std::optional<bool> parse_bool(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

}  // namespace

RunConfig parse_run_config(const std::string& yaml_text, const fs::path& source) {
  const std::string name = source.string();
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    fail("{}:{}: invalid YAML: {}", name, e.mark.line + 1, e.msg);
  }
  if (!root.IsMap()) fail("{}: expected a mapping of keys to values at the top level", name);

  std::map<std::string, std::string> values;
  std::map<std::string, int> lines;
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) fail("{}:{}: keys must be plain strings", name, line_of(entry.first));
    auto key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (value.IsNull()) {
      if (kRequiredKeys.count(key)) fail("{}:{}: '{}' is empty", name, line_of(entry.first), key);
      continue;
    }
    if (!value.IsScalar())
      fail("{}:{}: '{}' must be a string, not a {}", name, line_of(value), key,
           value.IsSequence() ? "list" : "mapping");
    if (!values.emplace(key, value.Scalar()).second)
      fail("{}:{}: '{}' is given twice", name, line_of(entry.first), key);
    lines[key] = line_of(entry.first);
  }
  for (const auto& key : kRequiredKeys)
    if (!values.count(key)) fail("{}: missing required key '{}'", name, key);

  const fs::path base = source.has_parent_path() ? source.parent_path() : fs::path(".");
  auto take = [&](const std::string& key) {
    auto text = values.at(key);
    values.erase(key);
    return text;
  };
  auto take_path = [&](const std::string& key) {
    const int line = lines.at(key);
    return resolve_location(take(key), base, fmt::format("{}:{}: '{}'", name, line, key));
  };

  RunConfig config;
  config.source = source;
  config.ecco_version = take("ecco_version");
  config.model_output_dir = take_path("model_output_dir");
  config.processed_output_dir = take_path("processed_output_dir");
  config.mapping_factors = take_path("mapping_factors");
  config.metadata_dir = take_path("metadata_dir");
  config.grid_dir = take_path("grid_dir");
  if (values.count("podaac_csv")) config.podaac_csv = take_path("podaac_csv");
  config.model_start_time = take("model_start_time");
  config.model_end_time = take("model_end_time");
  if (values.count("grid_mapping")) {
    const int line = lines.at("grid_mapping");
    const auto text = take("grid_mapping");
    const auto on = parse_bool(text);
    if (!on) fail("{}:{}: 'grid_mapping' must be true or false, not '{}'", name, line, text);
    config.grid_mapping = *on;
  }

  auto start = normalized_iso_time(config.model_start_time);
  auto end = normalized_iso_time(config.model_end_time);
  if (start.empty())
    fail("{}: model_start_time '{}' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)", name, config.model_start_time);
  if (end.empty())
    fail("{}: model_end_time '{}' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)", name, config.model_end_time);
  if (end <= start)
    fail("{}: model_end_time {} is not after model_start_time {}", name, config.model_end_time,
         config.model_start_time);
  if (config.ecco_version.empty()) fail("{}: 'ecco_version' is empty", name);

  config.product_strings = std::move(values);
  return config;
}

RunConfig load_run_config(const fs::path& path) {
  if (!fs::is_regular_file(path)) fail("{}: config file not found", path.string());
  // Absolute, so the paths it resolves (and the reports quoting them) do not depend on the
  // directory a worker or a later reader runs in.
  return parse_run_config(files::read_text(path), fs::absolute(path).lexically_normal());
}

}  // namespace granary::ecco
