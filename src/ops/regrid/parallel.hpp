#pragma once
// A minimal fork-safe parallel loop: plain std::threads, joined before returning (no pool
// survives the call, so a process may fork workers afterwards, which a TBB pool does not
// allow). Items are handed out one by one from an atomic counter, which balances uneven
// items (e.g. equator rows cost more than polar ones). The first exception is rethrown.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace granary::regrid {

inline int resolve_threads(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Calls body(item, worker) for item in [0, items), worker in [0, workers) identifying the
// calling thread (for per-thread scratch). Returns the number of workers used.
template <class Body>
int parallel_for_items(std::size_t items, int threads, Body&& body) {
  const int workers = static_cast<int>(std::clamp<std::size_t>(items, 1, resolve_threads(threads)));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run = [&](int worker) {
    try {
      for (std::size_t item; (item = next.fetch_add(1)) < items;) body(item, worker);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = items;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
    run(0);
  }
  if (error) std::rethrow_exception(error);
  return workers;
}

}  // namespace granary::regrid
