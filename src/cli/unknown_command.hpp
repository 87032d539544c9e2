#pragma once
// CLI11 answers "granary bogus" (or "granary ecco bogus") with "A subcommand is required",
// which does not say what was wrong. This names the word that is not a command, lists the
// commands at that level and suggests a near miss ("did you mean 'run'?").
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace granary::cli {

// For a command line `app` failed to parse: the message when a word stands where a command
// was expected, else nullopt (other mistakes keep CLI11's message).
std::optional<std::string> unknown_command_message(const CLI::App& app);

}  // namespace granary::cli
