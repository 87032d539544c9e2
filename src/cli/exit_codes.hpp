#pragma once
// granary's exit codes, one meaning each (README "Exit codes", `granary --help`).
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

// For `granary --help`'s footer.
inline const char* exit_codes_help() {
  return "Exit codes:\n"
         "  0    everything done\n"
         "  1    some jobs failed, the rest are done (see the run report); a rerun resumes\n"
         "  2    the command line or an input (file, config) is wrong\n"
         "  3    a service or resource stayed unavailable after retries (S3, CMR, Lambda,\n"
         "       Earthdata, credentials): run the same command again; it resumes\n"
         "  70   internal error: a bug in granary, please report it\n"
         "  130  interrupted (SIGINT or SIGTERM); finished jobs are kept and a rerun resumes\n";
}

}  // namespace granary::cli
