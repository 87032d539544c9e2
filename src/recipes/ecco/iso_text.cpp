#include "recipes/ecco/iso_text.hpp"

namespace granary::ecco {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Takes exactly `n` digits at `i`, advancing it; nullopt (and `i` unchanged) otherwise.
std::optional<std::string> digits(std::string_view t, std::size_t& i, std::size_t n) {
  if (t.size() - i < n) return std::nullopt;
  for (std::size_t k = 0; k < n; ++k)
    if (!digit(t[i + k])) return std::nullopt;
  std::string out(t.substr(i, n));
  i += n;
  return out;
}

bool take(std::string_view t, std::size_t& i, char c) {
  if (i < t.size() && t[i] == c) return ++i, true;
  return false;
}

}  // namespace

std::optional<IsoText> split_iso_text(std::string_view t) {
  IsoText out;
  std::size_t i = 0;
  auto y = digits(t, i, 4);
  if (!y || !take(t, i, '-')) return std::nullopt;
  auto mo = digits(t, i, 2);
  if (!mo || !take(t, i, '-')) return std::nullopt;
  auto d = digits(t, i, 2);
  if (!d) return std::nullopt;
  out.year = *y, out.month = *mo, out.day = *d;
  if (i < t.size() && (t[i] == 'T' || t[i] == ' ')) {
    ++i;
    out.hour = digits(t, i, 2);
    if (!out.hour || !take(t, i, ':')) return std::nullopt;
    out.minute = digits(t, i, 2);
    if (!out.minute) return std::nullopt;
    if (take(t, i, ':')) {
      out.second = digits(t, i, 2);
      if (!out.second) return std::nullopt;
      if (take(t, i, '.')) {
        std::size_t begin = i;
        while (i < t.size() && digit(t[i])) ++i;
        if (i == begin) return std::nullopt;
        out.fraction = std::string(t.substr(begin, i - begin));
      }
    }
  }
  take(t, i, 'Z');
  if (i != t.size()) return std::nullopt;
  return out;
}

}  // namespace granary::ecco
