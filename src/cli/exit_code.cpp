#include "cli/commands.hpp"

namespace granary::cli {
// In the library with the commands that set it, so their tests link without main.cpp.
int exit_code = 0;
}  // namespace granary::cli
