#include "io/range_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/store.hpp"
#include "util/error.hpp"

namespace granary::io {
namespace {

class LocalFile final : public RangeReader {
 public:
  explicit LocalFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail("{}: cannot open ({})", path_, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("{}: cannot stat ({})", path_, std::strerror(errno));
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~LocalFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  const std::string& name() const override { return path_; }
  std::uint64_t size() const override { return size_; }
  void read(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset + out.size() > size_)
      fail("{}: truncated: needs bytes up to {} but the file has {}", path_, offset + out.size(), size_);
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("{}: read failed at offset {} ({})", path_, offset + done, n < 0 ? std::strerror(errno) : "end of file");
      done += static_cast<std::size_t>(n);
    }
    bytes_read_ += out.size();
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

class StoreObject final : public RangeReader {
 public:
  StoreObject(const Store& store, std::string key) : store_(store), key_(std::move(key)) {
    name_ = store_.uri() + "/" + key_;
    auto s = store_.size(key_);
    if (!s) fail("{}: not found", name_);
    size_ = *s;
  }
  const std::string& name() const override { return name_; }
  std::uint64_t size() const override { return size_; }
  void read(std::uint64_t offset, std::span<std::byte> out) const override {
    auto bytes = store_.get_range(key_, offset, out.size());
    if (bytes.size() != out.size()) fail("{}: short read at offset {}", name_, offset);
    std::memcpy(out.data(), bytes.data(), out.size());
    bytes_read_ += out.size();
  }

 private:
  const Store& store_;
  std::string key_, name_;
  std::uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<RangeReader> open_local_file(const std::string& path) { return std::make_unique<LocalFile>(path); }

std::unique_ptr<RangeReader> open_store_object(const Store& store, const std::string& key) {
  return std::make_unique<StoreObject>(store, key);
}

}  // namespace granary::io
