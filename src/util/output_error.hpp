#pragma once
// A local output that cannot be written because its filesystem is full, over quota or
// read-only, or its directory refuses this process: a resource, not the input, so it is
// UnavailableError (exit 3), and a rerun once space (or write access) is back resumes.
#include <filesystem>
#include <optional>
#include <string>

#include "util/unavailable_error.hpp"

namespace granary {

class OutputUnavailable : public UnavailableError {
 public:
  using UnavailableError::UnavailableError;
};

namespace files {

// The cause, in words, when errno `err` says the filesystem refused a write (ENOSPC, EDQUOT,
// EROFS, EACCES); nullopt for any other errno.
std::optional<std::string> output_errno_cause(int err);

// What the filesystem holding `dir` says right now: read-only, not writable by this process,
// or (nearly) no space left; nullopt when none holds. For libraries (netCDF-C, HDF5) that
// report a full disk as a generic "HDF error": asked right after their call failed, before
// the temporary file is removed, it tells the truth instead of guessing from their text.
std::optional<std::string> output_filesystem_cause(const std::filesystem::path& dir);

// Throws OutputUnavailable ("<path>: <what>: <cause>") when errno `err` is one of the causes
// above, granary::Error ("<path>: <what> (<strerror>)") otherwise.
[[noreturn]] void output_failed(const std::filesystem::path& path, const std::string& what, int err);

}  // namespace files
}  // namespace granary
