#include "util/json_input.hpp"

#include "util/error.hpp"

namespace granary {

std::size_t json_too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

void require_json_depth(std::string_view text, const std::string& source, std::size_t max_depth) {
  if (const auto at = json_too_deep_at(text, max_depth); at != std::string_view::npos)
    fail("{}: JSON nested deeper than {} levels (at byte {})", source, max_depth, at);
}

std::string json_error_detail(const nlohmann::json::exception& e) {
  if (const auto* p = dynamic_cast<const nlohmann::json::parse_error*>(&e))
    return "syntax error at byte " + std::to_string(p->byte);
  if (e.id == 406) return "a number beyond the range of a double";
  return "invalid JSON (nlohmann error " + std::to_string(e.id) + ")";
}

void fail_json_integer(const std::string& what, const std::string& min, const std::string& max, const std::string& got) {
  fail("{} must be an integer in [{}, {}] (got {})", what, min, max, got);
}

}  // namespace granary
