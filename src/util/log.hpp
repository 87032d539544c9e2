#pragma once
// Logging: human-readable lines on a terminal, JSON lines with --log-format json.
// Secrets never reach a logger: callers pass redacted values (see io/credentials).
#include <string>
#include <spdlog/spdlog.h>

namespace granary::log {

enum class Format { Text, Json };

// Configures the default spdlog logger (stderr). level: trace|debug|info|warn|error.
void setup(Format format, const std::string& level);
Format format();
// True when stderr is a terminal and text logging is on (progress bars are drawn then).
bool interactive();
// False when the environment sets NO_COLOR to a non-empty value (https://no-color.org):
// then nothing granary prints holds an ANSI escape sequence (no colours, and the progress
// bar is redrawn with spaces instead of erase-to-end-of-line).
bool colour();

}  // namespace granary::log
