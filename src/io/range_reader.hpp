#pragma once
// Positional reads of one object, callable from many threads at once. Format readers (HDF5
// chunk reads) use it so that the same code reads a local file (pread) or, through a Store,
// byte ranges of a remote object.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace granary::io {

class Store;
struct S3Options;

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  virtual const std::string& name() const = 0;  // for messages
  virtual std::uint64_t size() const = 0;
  // Fills `out` with bytes [offset, offset + out.size()); an object too short is an error
  // naming the object (a truncated file).
  virtual void read(std::uint64_t offset, std::span<std::byte> out) const = 0;
  // Statistics of the reads so far: bytes delivered, and read requests (ranged GETs on S3).
  std::uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }

 protected:
  void count_read(std::uint64_t bytes) const {
    bytes_read_.fetch_add(bytes, std::memory_order_relaxed);
    requests_.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  mutable std::atomic<std::uint64_t> bytes_read_{0}, requests_{0};
};

std::unique_ptr<RangeReader> open_local_file(const std::string& path);
// One object of a store (its size is asked once, here); the reader keeps the store alive.
std::unique_ptr<RangeReader> open_store_object(std::shared_ptr<const Store> store, const std::string& key);
// "path", "file://path" or "s3://bucket/key" (reached with `s3`: credentials, endpoint).
std::unique_ptr<RangeReader> open_uri(const std::string& uri, const S3Options& s3);

}  // namespace granary::io
