#include "util/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/output_error.hpp"
#include "util/user_paths.hpp"
#include "util/uri_scheme.hpp"

namespace granary::files {
namespace fs = std::filesystem;

std::vector<std::byte> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail("{}: cannot open ({})", path.string(), std::strerror(errno));
  auto size = static_cast<std::size_t>(in.tellg());
  std::vector<std::byte> bytes(size);
  in.seekg(0);
  if (size && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    fail("{}: read failed after {} of {} bytes", path.string(), in.gcount(), size);
  return bytes;
}

std::string read_text(const fs::path& path) {
  auto bytes = read_all(path);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

fs::path temp_sibling(const fs::path& final_path) {
  static std::atomic<unsigned> counter{0};
  auto name = final_path.filename().string() + fmt::format(".part-{}-{}", getpid(), counter++);
  return final_path.parent_path() / name;
}

namespace {

// What the OS answers about a path the user got wrong: a name too long, a parent that is a
// file, no permission, a symlink loop (bad input), unlike a full or failing disk.
bool refused_path(const std::error_code& ec) {
  if (ec.category() != std::generic_category() && ec.category() != std::system_category()) return false;
  switch (ec.value()) {
    case ENAMETOOLONG: case ENOTDIR: case EEXIST: case EACCES: case EPERM: case ELOOP: return true;
    default: return false;
  }
}

constexpr std::size_t kMaxName = 255;  // NAME_MAX of Linux file systems

}  // namespace

fs::file_status user_path_status(const fs::path& path, const std::string& what) {
  for (const auto& part : path)
    if (part.native().size() > kMaxName)
      fail("{} {}: a name in it is {} bytes long, more than the {} a file system allows", what, path.string(),
           part.native().size(), kMaxName);
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && status.type() != fs::file_type::not_found) fail("{} {}: {}", what, path.string(), ec.message());
  return status;
}

void check_writable(const std::string& location, Kind kind, const std::string& what) {
  if (location.empty() || uri_scheme(location)) return;
  const fs::path path(location);
  const auto status = user_path_status(path, what);
  if (kind == Kind::Directory && fs::exists(status) && !fs::is_directory(status))
    fail("{} {}: exists and is not a directory", what, path.string());
  if (kind == Kind::File && fs::is_directory(status)) fail("{} {}: is a directory", what, path.string());
  // The nearest existing directory: it must be one, and writable (the path or its parents
  // are created in it).
  fs::path dir = kind == Kind::Directory && fs::exists(status) ? path : path.parent_path();
  if (dir.empty()) dir = ".";
  for (;;) {
    const auto s = user_path_status(dir, what);
    if (fs::exists(s)) {
      if (!fs::is_directory(s)) fail("{} {}: {} is not a directory", what, path.string(), dir.string());
      if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        // Read-only or not writable: the output's disk, not the input (exit 3, issue 13).
        const int err = errno;
        if (auto cause = output_errno_cause(err))
          throw OutputUnavailable(fmt::format("{} {}: cannot write in {}: {}", what, path.string(), dir.string(), *cause));
        fail("{} {}: cannot write in {} ({})", what, path.string(), dir.string(), std::strerror(err));
      }
      return;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) return;
    dir = dir.parent_path();
  }
}

void publish_atomic(const fs::path& final_path, const std::function<void(const fs::path&)>& produce, Sync sync) {
  const fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  if (final_path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    // A full, read-only or unwritable disk is a resource (exit 3); a path the OS refuses
    // (a name too long, a parent that is a file) is bad input (exit 2).
    if (ec && !output_errno_cause(ec.value()) && refused_path(ec))
      fail("{}: cannot create its directory {} ({})", final_path.string(), dir.string(), ec.message());
    if (ec) output_failed(final_path, fmt::format("cannot create its directory {}", dir.string()), ec.value());
  }
  auto tmp = temp_sibling(final_path);
  auto remove_tmp = [&] {
    std::error_code ec;
    fs::remove(tmp, ec);
  };
  try {
    produce(tmp);
    if (sync == Sync::Yes) {
      // fsync reports a write the kernel could not place (ENOSPC on NFS, quotas) that write() did not.
      int fd = ::open(tmp.c_str(), O_RDONLY);
      if (fd >= 0 && ::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        output_failed(final_path, "cannot flush to disk", err);
      }
      if (fd >= 0) ::close(fd);
    }
    std::error_code ec;
    fs::rename(tmp, final_path, ec);
    if (ec) output_failed(final_path, fmt::format("cannot rename {} into place", tmp.filename().string()), ec.value());
  } catch (const UnavailableError&) {
    remove_tmp();
    throw;
  } catch (const fs::filesystem_error& e) {
    remove_tmp();
    output_failed(final_path, fmt::format("cannot write ({})", e.what()), e.code().value());
  } catch (const std::exception& e) {
    // A library (netCDF-C, HDF5) may report a full or read-only disk as a generic write error:
    // ask the filesystem before the temporary is removed (which frees its space).
    auto cause = output_filesystem_cause(dir);
    remove_tmp();
    if (cause) throw OutputUnavailable(fmt::format("{}: cannot write: {} ({})", final_path.string(), *cause, e.what()));
    throw;
  } catch (...) {
    remove_tmp();
    throw;
  }
}

void write_atomic(const fs::path& final_path, std::span<const std::byte> bytes, Sync sync) {
  publish_atomic(final_path, [&](const fs::path& tmp) {
    // Plain POSIX calls, so that the errno of the call that failed is the one reported. The
    // messages name the output, not its temporary name.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) output_failed(final_path, "cannot create", errno);
    const auto* p = reinterpret_cast<const char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : ENOSPC;  // write() of 0 bytes for a non-empty buffer: no room
        ::close(fd);
        output_failed(final_path, "write failed", err);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) output_failed(final_path, "write failed", errno);
  }, sync);
}

void write_atomic(const fs::path& final_path, const std::string& text, Sync sync) {
  write_atomic(final_path, std::as_bytes(std::span(text.data(), text.size())), sync);
}

long temporary_owner(const std::string& name) {
  // "<name>.part-<pid>-<counter>": both numbers all digits, the name before them non-empty.
  const auto dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return 0;
  const auto part = name.rfind(".part-", dash);
  if (part == std::string::npos || part == 0 || part + 6 >= dash) return 0;
  auto digits = [&](std::size_t from, std::size_t to) {
    if (to - from > 9) return false;  // a pid_t, not a huge number
    for (auto i = from; i < to; ++i)
      if (name[i] < '0' || name[i] > '9') return false;
    return true;
  };
  if (!digits(part + 6, dash) || !digits(dash + 1, name.size())) return 0;
  return std::stol(name.substr(part + 6, dash - part - 6));
}

namespace {

// kill(pid, 0) sends nothing: it fails with ESRCH only when no such process exists (EPERM
// means it exists but belongs to someone else, so it counts as alive). A zombie (killed,
// not yet reaped by a parent or an init that may never reap it) will not write again either.
bool process_gone(long pid) {
  if (::kill(static_cast<pid_t>(pid), 0) == -1) return errno == ESRCH;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto name_end = line.rfind(')');  // "pid (comm) S ...": comm may hold spaces and ')'
  return name_end != std::string::npos && line.size() > name_end + 2 && line[name_end + 2] == 'Z';
}

}  // namespace

std::size_t remove_stale_temporaries(const fs::path& dir, bool recursive) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::size_t removed = 0;
  auto consider = [&](const fs::directory_entry& entry) {
    std::error_code e;
    if (!entry.is_regular_file(e)) return;
    const long pid = temporary_owner(entry.path().filename().string());
    if (pid <= 0 || !process_gone(pid)) return;
    if (fs::remove(entry.path(), e)) ++removed;
    else if (e) spdlog::warn("{}: cannot remove a stale temporary file ({})", entry.path().string(), e.message());
  };
  const auto options = fs::directory_options::skip_permission_denied;
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, options, ec), end; !ec && it != end; it.increment(ec)) consider(*it);
  } else {
    for (fs::directory_iterator it(dir, options, ec), end; !ec && it != end; it.increment(ec)) consider(*it);
  }
  if (ec) spdlog::warn("{}: looking for stale temporary files stopped early ({})", dir.string(), ec.message());
  if (removed)
    spdlog::info("{}: removed {} temporary file(s) that killed runs left behind (*.part-PID-N)", dir.string(), removed);
  return removed;
}

std::string sha256_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open for checksum", path.string());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace granary::files
