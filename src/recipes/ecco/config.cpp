#include "recipes/ecco/config.hpp"

#include <cctype>
#include <optional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "recipes/ecco/iso_text.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/uri_scheme.hpp"

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
  auto m = split_iso_text(text);
  if (!m) return {};
  int month = std::stoi(m->month), day = std::stoi(m->day);
  int hour = m->hour ? std::stoi(*m->hour) : 0, minute = m->minute ? std::stoi(*m->minute) : 0;
  int second = m->second ? std::stoi(*m->second) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return {};
  return fmt::format("{}-{}-{}T{:02}:{:02}:{:02}{}", m->year, m->month, m->day, hour, minute, second,
                     m->fraction ? "." + *m->fraction : "");
}

// A local path (resolved against `base`) or an s3:// URI, never a path made of a URI.
std::string resolve_location(std::string text, const fs::path& base, const std::string& where) {
  if (text.empty()) fail("{} is an empty path", where);
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
  } else if (auto scheme = uri_scheme(text)) {
    fail("{} is '{}': the {}:// scheme is not supported (give a local path or an s3://bucket/prefix URI)", where,
         text, *scheme);
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

namespace {

// The status of a local path, failing (naming the config and key) when the OS cannot look it up
// for any reason other than its absence.
fs::file_status local_status(const std::string& source, const std::string& key, const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && status.type() != fs::file_type::not_found)
    fail("{}: '{}' is {}: {}", source, key, path, ec.message());
  return status;
}

}  // namespace

RunConfig load_run_config(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && status.type() != fs::file_type::not_found) fail("{}: config file: {}", path.string(), ec.message());
  if (!fs::is_regular_file(status)) fail("{}: config file not found", path.string());
  // Absolute, so the paths it resolves (and the reports quoting them) do not depend on the
  // directory a worker or a later reader runs in.
  auto config = parse_run_config(files::read_text(path), fs::absolute(path).lexically_normal());
  const std::string source = config.source.string();
  for (const auto& [key, location] :
       std::initializer_list<std::pair<const char*, const std::string*>>{{"model_output_dir", &config.model_output_dir},
                                                                          {"processed_output_dir", &config.processed_output_dir},
                                                                          {"mapping_factors", &config.mapping_factors},
                                                                          {"metadata_dir", &config.metadata_dir},
                                                                          {"grid_dir", &config.grid_dir}})
    if (!uri_scheme(*location)) local_status(source, key, *location);
  if (config.podaac_csv && !uri_scheme(*config.podaac_csv)) local_status(source, "podaac_csv", *config.podaac_csv);
  return config;
}

void require_local_directory(const RunConfig& config, const std::string& key, const std::string& dir) {
  if (uri_scheme(dir)) return;
  const std::string source = config.source.string();
  if (!fs::is_directory(local_status(source, key, dir)))
    fail("{}: '{}' is {}: directory not found", source, key, dir);
}

}  // namespace granary::ecco
