#include "cli/parallelism_option.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "cli/commands.hpp"

namespace granary::cli {

int parse_parallelism(const std::string& label, const std::string& text) {
  int value = -1;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0 || value > kMaxParallelism)
    throw UsageError(fmt::format("{} must be a whole number from 1 to {}, or 0 for one per core (got '{}')", label,
                                 kMaxParallelism, text));
  return value;
}

CLI::Option* add_parallelism_option(CLI::App& cmd, const std::string& names, int& target, const std::string& help) {
  std::string label = names;
  std::replace(label.begin(), label.end(), ',', '/');
  auto* option = cmd.add_option_function<std::string>(
      names, [&target, label](const std::string& text) { target = parse_parallelism(label, text); }, help);
  option->type_name("N");
  return option;
}

}  // namespace granary::cli
