#include "io/store.hpp"

#include "io/file_store.hpp"
#include "io/s3_store.hpp"
#include "util/error.hpp"

namespace granary::io {

bool is_s3_uri(const std::string& uri) { return uri.rfind("s3://", 0) == 0; }

std::unique_ptr<Store> open_store(const std::string& uri) {
  if (is_s3_uri(uri)) return open_s3_store(uri);
  std::string path = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
  return std::make_unique<FileStore>(path.empty() ? "." : path);
}

std::string parent_uri(const std::string& uri) {
  auto slash = uri.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return uri.substr(0, slash);
}

std::string basename_of(const std::string& uri) {
  auto slash = uri.find_last_of('/');
  return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

}  // namespace granary::io
