#include "cli/unknown_command.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace granary::cli {
namespace {

// The deepest command the command line named: "granary ecco bogus" -> ecco.
const CLI::App* deepest_command(const CLI::App& app) {
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) at = at->get_subcommands().front();
  return at;
}

// "granary", "granary ecco".
std::string command_name(const CLI::App* app) {
  std::string name;
  for (; app->get_parent() != nullptr; app = app->get_parent()) name = " " + app->get_name() + name;
  return "granary" + name;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> unknown_command_message(const CLI::App& app) {
  const CLI::App* at = deepest_command(app);
  if (at->get_require_subcommand_min() == 0) return std::nullopt;  // a command that takes no subcommand
  const auto extras = at->remaining();
  const auto word = std::find_if(extras.begin(), extras.end(), [](const std::string& a) { return a.empty() || a[0] != '-'; });
  if (word == extras.end()) return std::nullopt;
  std::vector<std::string> names;
  std::string closest;
  std::size_t best = 3;  // suggest only a near miss (a typo), not any command
  for (const auto* sub : at->get_subcommands({})) {
    names.push_back(sub->get_name());
    if (auto d = edit_distance(*word, sub->get_name()); d < best) best = d, closest = sub->get_name();
  }
  const std::string name = command_name(at);
  return fmt::format("'{}' is not a {} command{} (commands: {}; see {} --help)", *word, name,
                     closest.empty() ? "" : fmt::format(": did you mean '{}'?", closest), fmt::join(names, ", "), name);
}

}  // namespace granary::cli
