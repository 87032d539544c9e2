#pragma once
// Positional reads of one object, callable from many threads at once. Format readers (HDF5
// chunk reads) use it so that the same code reads a local file (pread) or, through a Store,
// byte ranges of a remote object.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace granary::io {

class Store;

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  virtual const std::string& name() const = 0;  // for messages
  virtual std::uint64_t size() const = 0;
  // Fills `out` with bytes [offset, offset + out.size()); an object too short is an error
  // naming the object (a truncated file).
  virtual void read(std::uint64_t offset, std::span<std::byte> out) const = 0;
  std::uint64_t bytes_read() const { return bytes_read_; }

 protected:
  mutable std::uint64_t bytes_read_ = 0;  // statistics only; races only blur the count
};

std::unique_ptr<RangeReader> open_local_file(const std::string& path);
std::unique_ptr<RangeReader> open_store_object(const Store& store, const std::string& key);

}  // namespace granary::io
