#pragma once
// granary's exit codes, one meaning each (README "Exit codes", `granary --help`).
#include <cstddef>

#include "util/error.hpp"

namespace granary::cli {

constexpr int kExitOk = 0;            // everything asked for is done
constexpr int kExitJobsFailed = 1;    // some jobs failed, the rest are done; a rerun resumes
constexpr int kExitBadInput = 2;      // the command line or an input (file, config) is wrong
constexpr int kExitUnavailable = 3;   // a service or resource stayed unavailable after retries
constexpr int kExitInternal = 70;     // a bug in granary (EX_SOFTWARE)
constexpr int kExitInterrupted = 130; // SIGINT/SIGTERM cut the run short (128 + SIGINT, the shell's
                                      // convention); finished jobs are kept and a rerun resumes

// A command that has nothing to keep when SIGINT/SIGTERM cuts it short throws this: main
// prints the message and exits kExitInterrupted.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// A run's code: interrupted first; then 3 when some failed jobs failed because a service or
// resource stayed unavailable (run::failed_unavailable: S3, a full or read-only output disk),
// since running the same command again once it is back finishes them; then 1 for other failures.
// Logs why when it is 3.
int run_exit_code(bool interrupted, bool failed, std::size_t unavailable);

// For `granary --help`'s footer.
inline const char* exit_codes_help() {
  return "Exit codes:\n"
         "  0    everything done\n"
         "  1    some jobs failed, the rest are done (see the run report); a rerun resumes\n"
         "  2    the command line or an input (file, config) is wrong\n"
         "  3    a service or resource stayed unavailable after retries (S3, CMR, Lambda,\n"
         "       Earthdata, credentials, a full or read-only output disk): run the same\n"
         "       command again once it is back; it resumes\n"
         "  70   internal error: a bug in granary, please report it\n"
         "  130  interrupted (SIGINT or SIGTERM); finished jobs are kept and a rerun resumes\n";
}

}  // namespace granary::cli
