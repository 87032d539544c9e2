#include "io/file_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::io {
namespace fs = std::filesystem;

FileStore::FileStore(fs::path root) : root_(std::move(root)) {}

fs::path FileStore::path_of(const std::string& key) const {
  return key.empty() ? root_ : root_ / key;
}

std::vector<ObjectInfo> FileStore::list(const std::string& prefix) const {
  std::vector<ObjectInfo> out;
  // Walk only the deepest directory the prefix names, not the whole root.
  auto slash = prefix.rfind('/');
  fs::path start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) fail("{}: cannot list ({})", start.string(), ec.message());
    if (!it->is_regular_file()) continue;
    // A writer's temporary sibling ("x.part-PID-N") is not an object until it is renamed.
    if (files::temporary_owner(it->path().filename().string()) != 0) continue;
    auto key = fs::relative(it->path(), root_).generic_string();
    if (key.compare(0, prefix.size(), prefix) == 0) out.push_back({key, it->file_size()});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
  return out;
}

std::optional<std::uint64_t> FileStore::size(const std::string& key) const {
  std::error_code ec;
  auto p = path_of(key);
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return fs::file_size(p, ec);
}

std::vector<std::byte> FileStore::get(const std::string& key) const {
  return files::read_all(path_of(key));
}

std::vector<std::byte> FileStore::get_range(const std::string& key, std::uint64_t offset,
                                            std::uint64_t length) const {
  auto p = path_of(key);
  std::ifstream in(p, std::ios::binary);
  if (!in) fail("{}: cannot open ({})", p.string(), std::strerror(errno));
  std::vector<std::byte> bytes(length);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(length));
  if (static_cast<std::uint64_t>(in.gcount()) != length)
    fail("{}: truncated: wanted bytes [{}, {}) but the file ends at {}", p.string(), offset,
         offset + length, offset + static_cast<std::uint64_t>(in.gcount()));
  return bytes;
}

void FileStore::put(const std::string& key, std::span<const std::byte> bytes) {
  // Objects are atomic (rename) but not fsynced one by one: see files::Sync.
  files::write_atomic(path_of(key), bytes, files::Sync::No);
}

void FileStore::remove(const std::string& key) {
  std::error_code ec;
  fs::remove(path_of(key), ec);
}

std::optional<std::string> FileStore::local_path(const std::string& key) const {
  return path_of(key).string();
}

}  // namespace granary::io
