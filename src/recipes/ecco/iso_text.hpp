#pragma once
// The text forms of an ISO 8601 time that ECCO configs accept, split into their digit groups:
//   YYYY-MM-DD[(T| )HH:MM[:SS[.f+]]][Z]
// A linear scan, not std::regex, whose per-character recursion a long config value overflowed.
#include <optional>
#include <string>
#include <string_view>

namespace granary::ecco {

struct IsoText {
  std::string year, month, day;             // 4, 2 and 2 digits
  std::optional<std::string> hour, minute;  // 2 digits each, both or neither
  std::optional<std::string> second;        // 2 digits
  std::optional<std::string> fraction;      // the digits after the '.', at least one
};

std::optional<IsoText> split_iso_text(std::string_view text);

}  // namespace granary::ecco
