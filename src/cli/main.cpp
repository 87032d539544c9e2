// granary: Earth-science granules -> analysis-ready gridded datasets.
// Exit codes: 0 success, 1 some jobs failed (the rest finished; see the run report),
// 2 bad input (command line, files, config), 3 internal error.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace granary::cli {
int exit_code = 0;
}

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

// CLI11 answers "granary bogus" with "A subcommand is required"; this names the word that is
// not a command, lists the commands and suggests a close one. nullopt for other errors.
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

}  // namespace

int main(int argc, char** argv) {
  using namespace granary;
  CLI::App app{"granary: turns Earth-science granules into analysis-ready gridded datasets"};
  app.set_version_flag("--version", std::string("granary ") + GRANARY_VERSION);
  app.require_subcommand(1);
  std::string log_format = "text", log_level = "info";
  // Until the flags are read, messages (e.g. about the command line) go through the same
  // sink, so NO_COLOR holds for them too.
  log::setup(log::Format::Text, log_level);
  app.add_option("--log-format", log_format, "Log lines as text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.parse_complete_callback([&] {
    log::setup(log_format == "json" ? log::Format::Json : log::Format::Text, log_level);
  });
  cli::add_ecco_commands(app);
  cli::add_atl06_commands(app);
  cli::add_quicklook_command(app);
  cli::add_info_command(app);
  cli::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const cli::UsageError& e) {
    fmt::print(stderr, "granary: {}\n", e.what());
    return 2;
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed; a bad command line is bad input (exit 2), like
    // every other input error.
    if (e.get_exit_code() != 0) {
      if (auto message = unknown_command_message(app)) {
        fmt::print(stderr, "granary: {}\n", *message);
        return 2;
      }
    }
    const int printed = app.exit(e);
    return printed == 0 ? 0 : 2;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return 3;
  }
  return cli::exit_code;
}
