#pragma once
// The scheme of a URI-like text ("gs" in "gs://b/x", "s3" in "s3:/b"): RFC 3986's
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ":/". A linear scan, not std::regex,
// whose per-character recursion a long value from a config file or command line overflowed.
#include <cctype>
#include <optional>
#include <string_view>

namespace granary {

inline std::optional<std::string_view> uri_scheme(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return std::nullopt;
  std::size_t i = 1;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.'))
    ++i;
  if (i + 1 < text.size() && text[i] == ':' && text[i + 1] == '/') return text.substr(0, i);
  return std::nullopt;
}

}  // namespace granary
