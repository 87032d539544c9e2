#include "recipes/ecco/metadata_json.hpp"

#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::ecco::metadata_json {

nlohmann::json parse(const std::string& text, const std::string& source) {
  require_json_depth(text, source);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's message already says "at line L, column C".
    fail("{}: invalid JSON: {}", source, e.what());
  }
}

std::vector<nlohmann::json> entries(const nlohmann::json& root, const std::string& source) {
  if (!root.is_array()) fail("{}: expected a JSON list of objects at the top level, got {}", source, root.type_name());
  std::vector<nlohmann::json> out;
  out.reserve(root.size());
  for (std::size_t i = 0; i < root.size(); ++i) {
    if (!root[i].is_object()) fail("{}: entry {} is a {}, expected an object", source, i, root[i].type_name());
    out.push_back(root[i]);
  }
  return out;
}

std::string where(const std::string& source, std::size_t index, const nlohmann::json& entry) {
  auto name = entry.find("name");
  if (name != entry.end() && name->is_string()) return fmt::format("{}: entry {} ('{}')", source, index, name->get<std::string>());
  return fmt::format("{}: entry {}", source, index);
}

std::string required_string(const nlohmann::json& entry, const std::string& key, const std::string& source,
                            std::size_t index) {
  auto it = entry.find(key);
  if (it == entry.end()) fail("{}: missing required key '{}'", where(source, index, entry), key);
  if (!it->is_string())
    fail("{}: key '{}' must be a string, got {}", where(source, index, entry), key, it->type_name());
  return it->get<std::string>();
}

std::string optional_string(const nlohmann::json& entry, const std::string& key, const std::string& source,
                            std::size_t index) {
  auto it = entry.find(key);
  if (it == entry.end()) return {};
  if (!it->is_string())
    fail("{}: key '{}' must be a string, got {}", where(source, index, entry), key, it->type_name());
  return it->get<std::string>();
}

std::string trim(const std::string& text) {
  const char* blanks = " \t\r\n";
  auto first = text.find_first_not_of(blanks);
  if (first == std::string::npos) return {};
  auto last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    auto item = trim(text.substr(start, comma - start));
    if (!item.empty()) items.push_back(std::move(item));
    start = comma + 1;
  }
  return items;
}

}  // namespace granary::ecco::metadata_json
