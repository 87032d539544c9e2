#include "formats/netcdf/ordered_parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace granary::nc {
namespace {

struct Slot {
  Buffer buffer;
  bool ready = false;
};

class OrderedRun {
 public:
  OrderedRun(std::size_t count, std::size_t window) : count_(count), slots_(window) {}

  void work(unsigned worker, const std::function<void(std::size_t, unsigned, Buffer&)>& produce) {
    while (true) {
      std::size_t index;
      {
        std::unique_lock lock(mutex_);
        slot_free_.wait(lock, [&] {
          return failed_ || next_claim_ >= count_ || next_claim_ < next_consume_ + slots_.size();
        });
        if (failed_ || next_claim_ >= count_) return;
        index = next_claim_++;
      }
      try {
        produce(index, worker, slots_[index % slots_.size()].buffer);
      } catch (...) {
        abort(std::current_exception());
        return;
      }
      std::lock_guard lock(mutex_);
      slots_[index % slots_.size()].ready = true;
      slot_ready_.notify_all();
    }
  }

  void drain(const std::function<void(std::size_t, const Buffer&)>& consume) {
    for (std::size_t index = 0; index < count_; ++index) {
      Slot& slot = slots_[index % slots_.size()];
      {
        std::unique_lock lock(mutex_);
        slot_ready_.wait(lock, [&] { return failed_ || slot.ready; });
        if (failed_) return;
      }
      try {
        consume(index, slot.buffer);
      } catch (...) {
        abort(std::current_exception());
        return;
      }
      std::lock_guard lock(mutex_);
      slot.ready = false;
      ++next_consume_;
      slot_free_.notify_all();
    }
  }

  void rethrow_failure() {
    if (error_) std::rethrow_exception(error_);
  }

  void abort(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!failed_) error_ = e;
    failed_ = true;
    slot_free_.notify_all();
    slot_ready_.notify_all();
  }

 private:
  const std::size_t count_;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable slot_free_, slot_ready_;
  std::size_t next_claim_ = 0, next_consume_ = 0;
  bool failed_ = false;
  std::exception_ptr error_;
};

}  // namespace

void run_ordered(std::size_t count, unsigned workers, std::size_t window,
                 const std::function<void(std::size_t, unsigned, Buffer&)>& produce,
                 const std::function<void(std::size_t, const Buffer&)>& consume) {
  if (count == 0) return;
  workers = std::max(workers, 1u);
  OrderedRun run(count, std::max<std::size_t>(window, 1));
  {
    std::vector<std::jthread> threads;
    try {
      for (unsigned w = 0; w < workers; ++w) threads.emplace_back([&, w] { run.work(w, produce); });
    } catch (...) {
      run.abort(std::current_exception());  // releases the threads already started
    }
    run.drain(consume);
  }  // joins the workers
  run.rethrow_failure();
}

}  // namespace granary::nc
