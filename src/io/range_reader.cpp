#include "io/range_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "io/s3_store.hpp"
#include "io/store.hpp"
#include "util/error.hpp"

namespace granary::io {

bool read_tracing_enabled() {
  static const bool on = [] {
    const char* dir = std::getenv("GRANARY_READ_TRACE");
    return dir && *dir;
  }();
  return on;
}

RangeReader::RangeReader() : tracing_(read_tracing_enabled()) {}

void RangeReader::count_fetch(std::uint64_t offset, std::uint64_t bytes) const {
  bytes_fetched_.fetch_add(bytes, std::memory_order_relaxed);
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (tracing_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(mutex_);
    trace_.push_back({TracedRead::Kind::Fetch, offset, bytes});
  }
}

void RangeReader::note_needed(std::uint64_t offset, std::uint64_t length) const {
  if (length == 0) return;
  std::uint64_t lo = offset, hi = offset + length;
  std::lock_guard lock(mutex_);
  if (tracing_.load(std::memory_order_relaxed)) trace_.push_back({TracedRead::Kind::Need, offset, length});
  // Merge with every stored interval that overlaps or touches [lo, hi).
  auto it = needed_.upper_bound(lo);
  if (it != needed_.begin() && std::prev(it)->second >= lo) --it;
  while (it != needed_.end() && it->first <= hi) {
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    it = needed_.erase(it);
  }
  needed_.emplace(lo, hi);
}

std::uint64_t RangeReader::bytes_needed() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& [lo, hi] : needed_) total += hi - lo;
  return total;
}

std::vector<TracedRead> RangeReader::trace() const {
  std::lock_guard lock(mutex_);
  return trace_;
}

void RangeReader::write_trace(const std::string& path) const {
  std::ofstream out(path);
  out << "# object " << name() << " size " << size() << "\n";
  for (const auto& t : trace()) out << (t.kind == TracedRead::Kind::Need ? "need " : "fetch ") << t.offset << ' ' << t.length << '\n';
  if (!out) fail("{}: cannot write the read trace", path);
}

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
    count_fetch(offset, out.size());
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Thread-safe as the stores are: their const operations share no mutable state (the S3
// driver keeps one curl handle per thread).
class StoreObject final : public RangeReader {
 public:
  StoreObject(std::shared_ptr<const Store> store, std::string key) : store_(std::move(store)), key_(std::move(key)) {
    name_ = store_->uri() + "/" + key_;
    auto s = store_->size(key_);
    count_request();  // the HEAD
    if (!s) fail("{}: not found", name_);
    size_ = *s;
  }
  const std::string& name() const override { return name_; }
  std::uint64_t size() const override { return size_; }
  void read(std::uint64_t offset, std::span<std::byte> out) const override {
    auto bytes = store_->get_range(key_, offset, out.size());
    if (bytes.size() != out.size()) fail("{}: short read at offset {}", name_, offset);
    std::memcpy(out.data(), bytes.data(), out.size());
    count_fetch(offset, out.size());
  }

 private:
  std::shared_ptr<const Store> store_;
  std::string key_, name_;
  std::uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<RangeReader> open_local_file(const std::string& path) { return std::make_unique<LocalFile>(path); }

std::unique_ptr<RangeReader> open_store_object(std::shared_ptr<const Store> store, const std::string& key) {
  return std::make_unique<StoreObject>(std::move(store), key);
}

std::unique_ptr<RangeReader> open_uri(const std::string& uri, const S3Options& s3) {
  if (!is_s3_uri(uri)) return open_local_file(uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri);
  const auto slash = uri.find('/', 5);
  if (slash == std::string::npos || slash + 1 == uri.size()) fail("{}: not an object URI (expected s3://bucket/key)", uri);
  return open_store_object(open_s3_store(uri.substr(0, slash), s3), uri.substr(slash + 1));
}

}  // namespace granary::io
