#include "recipes/ecco/locations.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "io/store.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

bool is_remote(const std::string& uri) { return io::is_s3_uri(uri); }

std::string join_uri(const std::string& base, const std::string& relative) {
  if (base.empty()) return relative;
  return base.back() == '/' ? base + relative : base + "/" + relative;
}

ScratchDir::ScratchDir(const std::string& purpose) {
  std::error_code ec;
  auto tmp = fs::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string pattern = (tmp / ("granary-" + purpose + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) fail("{}: cannot make a scratch directory ({})", pattern, std::strerror(errno));
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
  if (ec) spdlog::warn("{}: cannot remove the scratch directory ({})", path_.string(), ec.message());
}

void download_directory(const std::string& uri, const fs::path& dir, const std::string& what) {
  auto store = io::open_store(uri);
  std::size_t copied = 0;
  for (const auto& object : store->list("")) {
    if (object.key.find('/') != std::string::npos) continue;
    files::write_atomic(dir / object.key, store->get(object.key), files::Sync::No);
    ++copied;
  }
  if (!copied) fail("{}: {} not found (no objects under this prefix)", uri, what);
}

void download_object(const std::string& uri, const fs::path& file, const std::string& what) {
  auto store = io::open_store(io::parent_uri(uri));
  const auto key = io::basename_of(uri);
  if (!store->exists(key)) fail("{}: {} not found (no such object)", uri, what);
  files::write_atomic(file, store->get(key), files::Sync::No);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace granary::ecco
