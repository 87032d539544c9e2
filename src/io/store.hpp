#pragma once
// Storage drivers, modelled on tensorstore's kvstore: one small interface, a driver per
// scheme. Keys are '/'-separated paths relative to the store's root. Writes are atomic:
// a reader sees the whole object or nothing (temp + rename locally, single PUT or a
// completed multipart upload on S3).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace granary::io {

struct ObjectInfo {
  std::string key;      // relative to the store root
  std::uint64_t size = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // The URI of the root (e.g. "/data/out" or "s3://bucket/prefix").
  virtual std::string uri() const = 0;
  // Objects whose key starts with `prefix`, sorted by key.
  virtual std::vector<ObjectInfo> list(const std::string& prefix) const = 0;
  virtual std::optional<std::uint64_t> size(const std::string& key) const = 0;
  bool exists(const std::string& key) const { return size(key).has_value(); }
  virtual std::vector<std::byte> get(const std::string& key) const = 0;
  // Reads [offset, offset + length); a short object is an error naming the key.
  virtual std::vector<std::byte> get_range(const std::string& key, std::uint64_t offset,
                                           std::uint64_t length) const = 0;
  virtual void put(const std::string& key, std::span<const std::byte> bytes) = 0;
  virtual void remove(const std::string& key) = 0;
  // A local filesystem path for `key` when the store is local (netCDF-C and HDF5 need
  // paths); std::nullopt for remote stores.
  virtual std::optional<std::string> local_path(const std::string& key) const = 0;
};

// Opens "path", "file://path" or "s3://bucket/prefix".
std::unique_ptr<Store> open_store(const std::string& uri);

// Splits "dir/name" URIs: parent_uri("s3://b/p/x.nc") == "s3://b/p", basename == "x.nc".
std::string parent_uri(const std::string& uri);
std::string basename_of(const std::string& uri);
bool is_s3_uri(const std::string& uri);

}  // namespace granary::io
