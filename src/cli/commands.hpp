#pragma once
// Each recipe/tool adds its subcommands to the root app. A command's callback returns
// the process exit code through `exit_code` (0 ok, 1 some jobs failed, 2 bad usage/input).
#include <CLI/CLI.hpp>

namespace granary::cli {

extern int exit_code;

void add_ecco_commands(CLI::App& root);

}  // namespace granary::cli
