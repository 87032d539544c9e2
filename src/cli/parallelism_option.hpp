#pragma once
// -j: how many worker processes (run, catalog) or threads (single jobs) a command uses.
// One parser for every command, so a bad value always gets the same one-line message
// instead of CLI11's range text, and every command accepts the same values.
#include <string>

#include <CLI/CLI.hpp>

namespace granary::cli {

// 0 means the default (every core), as for `xargs -P 0` or `parallel -j 0`; more than this
// is a typo (100000 processes would fork-bomb the machine), not a wish.
inline constexpr int kMaxParallelism = 1024;

// Adds `names` (e.g. "-j,--workers") storing into `target`; a value that is not a whole number
// in [0, kMaxParallelism] throws UsageError("-j/--workers must be ... (got 'abc')").
CLI::Option* add_parallelism_option(CLI::App& cmd, const std::string& names, int& target, const std::string& help);

// The value of `text` for the option called `label` ("-j/--workers"); throws UsageError.
int parse_parallelism(const std::string& label, const std::string& text);

}  // namespace granary::cli
