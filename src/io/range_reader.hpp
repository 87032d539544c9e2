#pragma once
// Positional reads of one object, callable from many threads at once. Format readers (HDF5
// chunk reads) use it so that the same code reads a local file (pread) or, through a Store,
// byte ranges of a remote object.
//
// Every reader keeps the read economy of its object (docs/storage.md, "Read economy"):
// * bytes_fetched: bytes transferred from storage: every read() (a pread, a ranged GET),
//   whatever asked for it (a block cache fetching a whole block counts the whole block);
// * requests: read() calls, plus the HEAD that sized an object of a store;
// * bytes_needed: the bytes the reader's users declared they needed (note_needed: libhdf5's
//   metadata reads, the stored bytes of the chunks a job decoded), overlaps counted once.
// read_amplification = bytes_fetched / bytes_needed: 1 for a reader that fetches exactly what
// is needed; a block cache, a read-ahead or reading a chunk twice raise it.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace granary::io {

class Store;
struct S3Options;

// One entry of a read trace: a need (what a user asked for) or a fetch (what storage sent).
struct TracedRead {
  enum class Kind : char { Need = 'n', Fetch = 'f' } kind;
  std::uint64_t offset = 0, length = 0;
};

// Whether readers record a trace: set by the environment variable GRANARY_READ_TRACE (a
// directory the ATL06 cell job writes one trace file per granule into; bench/read_sim.py).
bool read_tracing_enabled();

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  virtual const std::string& name() const = 0;  // for messages
  virtual std::uint64_t size() const = 0;
  // Fills `out` with bytes [offset, offset + out.size()); an object too short is an error
  // naming the object (a truncated file). One request, counted as fetched.
  virtual void read(std::uint64_t offset, std::span<std::byte> out) const = 0;

  // Declares that bytes [offset, offset + length) were needed. Thread-safe.
  void note_needed(std::uint64_t offset, std::uint64_t length) const;

  std::uint64_t bytes_fetched() const { return bytes_fetched_.load(std::memory_order_relaxed); }
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t bytes_needed() const;
  // Needs and fetches in the order they happened, recorded while tracing is on (from the
  // start when read_tracing_enabled(), or from record_trace(true)).
  void record_trace(bool on) { tracing_.store(on, std::memory_order_relaxed); }
  std::vector<TracedRead> trace() const;
  // Writes trace() as text: a "# object <name> size <n>" line, then one "need|fetch offset length" line per entry.
  void write_trace(const std::string& path) const;

 protected:
  RangeReader();
  void count_fetch(std::uint64_t offset, std::uint64_t bytes) const;
  void count_request() const { requests_.fetch_add(1, std::memory_order_relaxed); }

 private:
  mutable std::atomic<std::uint64_t> bytes_fetched_{0}, requests_{0};
  std::atomic<bool> tracing_;
  mutable std::mutex mutex_;                           // guards needed_ and trace_
  mutable std::map<std::uint64_t, std::uint64_t> needed_;  // disjoint, non-touching [start, end)
  mutable std::vector<TracedRead> trace_;
};

std::unique_ptr<RangeReader> open_local_file(const std::string& path);
// One object of a store (its size is asked once, here: one request); the reader keeps the store alive.
std::unique_ptr<RangeReader> open_store_object(std::shared_ptr<const Store> store, const std::string& key);
// "path", "file://path" or "s3://bucket/key" (reached with `s3`: credentials, endpoint).
std::unique_ptr<RangeReader> open_uri(const std::string& uri, const S3Options& s3);

}  // namespace granary::io
