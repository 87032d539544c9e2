#pragma once
// One exception type for bad input and failed operations. The message always names the
// thing (file, URI, job) and the problem, so a user can act on it without a debugger.
#include <stdexcept>
#include <string>
#include <fmt/format.h>

namespace granary {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// fail("{}: {} bytes, expected {}", path, n, m) throws granary::Error.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace granary
