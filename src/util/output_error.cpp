#include "util/output_error.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace granary::files {

namespace {
// Free space below this, right after a write failed, is a full disk: a library's failed write
// is at most a chunk or a buffer, so a disk with more room left failed for another reason.
constexpr unsigned long long kNearlyFullBytes = 16ull << 20;
}  // namespace

std::optional<std::string> output_errno_cause(int err) {
  switch (err) {
    case ENOSPC:
      return "no space left on device (disk full)";
    case EDQUOT:
      return "disk quota exceeded (disk full for this user)";
    case EROFS:
      return "read-only file system";
    case EACCES:
      return "permission denied (the output directory is not writable)";
    default:
      return std::nullopt;
  }
}

std::optional<std::string> output_filesystem_cause(const std::filesystem::path& dir) {
  const std::string d = dir.empty() ? std::string(".") : dir.string();
  struct statvfs vfs {};
  if (::statvfs(d.c_str(), &vfs) != 0) return std::nullopt;
  if (vfs.f_flag & ST_RDONLY) return output_errno_cause(EROFS);
  if (::access(d.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS)) return output_errno_cause(errno);
  const unsigned long long free_bytes = static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize;
  if (free_bytes < kNearlyFullBytes)
    return fmt::format("no space left on device (disk full: {} bytes free)", free_bytes);
  return std::nullopt;
}

void output_failed(const std::filesystem::path& path, const std::string& what, int err) {
  if (auto cause = output_errno_cause(err)) throw OutputUnavailable(fmt::format("{}: {}: {}", path.string(), what, *cause));
  throw Error(fmt::format("{}: {} ({})", path.string(), what, std::strerror(err)));
}

}  // namespace granary::files
