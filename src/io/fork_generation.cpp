#include "io/fork_generation.hpp"

#include <pthread.h>

#include <atomic>
#include <mutex>

#include "util/error.hpp"

namespace granary::io {
namespace {

std::atomic<unsigned> g_generation{0};

extern "C" void on_fork_child() { g_generation.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

unsigned fork_generation() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pthread_atfork(nullptr, nullptr, on_fork_child) != 0) fail("cannot register the fork handler");
  });
  return g_generation.load(std::memory_order_relaxed);
}

}  // namespace granary::io
