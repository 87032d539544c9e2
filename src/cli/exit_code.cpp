#include "cli/commands.hpp"

namespace granary::cli {
// In the library with the commands that set it, so their tests link without main.cpp.
int exit_code = 0;
}  // namespace granary::cli

#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"

namespace granary::cli {

int run_exit_code(bool interrupted, bool failed, std::size_t unavailable) {
  if (interrupted) return kExitInterrupted;
  if (unavailable > 0) {
    spdlog::error("{} job(s) failed because a service or resource stayed unavailable (see their errors above): run the "
                  "same command again once it is back; it resumes",
                  unavailable);
    return kExitUnavailable;
  }
  return failed ? kExitJobsFailed : kExitOk;
}

}  // namespace granary::cli
