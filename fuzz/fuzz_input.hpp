#pragma once
// What every harness asserts: a granary reader given any bytes either succeeds or throws
// granary::Error (a clear message naming the input, exit 2 or 3 in the CLI). Any other
// exception escapes to libFuzzer, which reports it as a crash: in the CLI it would be an
// "internal error" (exit 70), a bug. Memory errors and undefined behaviour are caught by
// ASan/UBSan, stack overflows and runaway allocations by libFuzzer (-rss_limit_mb,
// -malloc_limit_mb in scripts/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "util/error.hpp"

namespace granary::fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

template <typename F>
void input_errors_only(F&& f) {
  try {
    f();
  } catch (const granary::Error&) {
  }
}

}  // namespace granary::fuzz
