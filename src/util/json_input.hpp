#pragma once
// Reading untrusted JSON (files, events, service answers).
//  * A bound on nesting, checked before parsing: nlohmann's parser is iterative, but dump(),
//    comparison and granary's own readers recurse once per level, so 100,000 '[' parse fine
//    and then overflow the stack.
//  * The text of any parse failure: nlohmann throws parse_error for bad syntax but
//    out_of_range for a number beyond a double (1e309), so catch json::exception, never
//    only parse_error, and describe it with json_error_detail.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace granary {

// Far deeper than any document granary reads (umm_json pages nest about 10 levels).
inline constexpr std::size_t kMaxJsonDepth = 128;

// The byte offset at which nesting first exceeds max_depth, or npos. One linear pass that
// skips strings (and their escapes), so brackets inside strings do not count.
std::size_t json_too_deep_at(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// Throws granary::Error "<source>: JSON nested deeper than N levels (at byte B)". Never quotes
// the text: events and credential answers carry secrets.
void require_json_depth(std::string_view text, const std::string& source, std::size_t max_depth = kMaxJsonDepth);

// "syntax error at byte 12" | "a number beyond the range of a double" | nlohmann's text. Never
// quotes the document (events and credential answers carry secrets).
std::string json_error_detail(const nlohmann::json::exception& e);

// The number j holds as a T, when T holds it exactly: an integer in T's range, or a float with
// no fraction in range (6.0). nlohmann's get<T>() casts any number, which is undefined for a
// float beyond T's range (-3e28 as int64_t; UBSan, found by atl06_json_fuzz) and truncates 6.5.
template <typename T, typename Json>
std::optional<T> json_integer(const Json& j) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if (j.is_number_unsigned()) {
    const auto v = j.template get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    const auto v = j.template get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (j.is_number_float()) {
    const long double v = j.template get<double>();
    if (std::isfinite(v) && v == std::trunc(v) && v >= static_cast<long double>(std::numeric_limits<T>::min()) &&
        v <= static_cast<long double>(std::numeric_limits<T>::max()))
      return static_cast<T>(v);
  }
  return std::nullopt;
}

[[noreturn]] void fail_json_integer(const std::string& what, const std::string& min, const std::string& max,
                                    const std::string& got);

// json_integer or granary::Error "<what> must be an integer in [min, max] (got <j>)".
template <typename T, typename Json>
T require_json_integer(const Json& j, const std::string& what) {
  if (auto v = json_integer<T>(j)) return *v;
  const std::string got = j.dump();
  fail_json_integer(what, std::to_string(std::numeric_limits<T>::min()), std::to_string(std::numeric_limits<T>::max()),
                    got.size() > 40 ? got.substr(0, 40) + "..." : got);
}

}  // namespace granary
