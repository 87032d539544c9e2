#include "render/color_scale.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "util/error.hpp"

namespace granary::render {

Rgba ColorScale::color(double value) const {
  if (!std::isfinite(value)) return kLandGrey;
  return colormap_color(map, (value - lo) / (hi - lo));
}

ColorScale percentile_scale(std::span<const float> values, Colormap map, const std::string& what) {
  std::vector<float> finite;
  finite.reserve(values.size());
  for (const float v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) fail("{}: no finite values to draw", what);
  auto quantile = [&](double q) {
    const auto k = static_cast<std::size_t>(std::llround(q * static_cast<double>(finite.size() - 1)));
    std::nth_element(finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(k), finite.end());
    return static_cast<double>(finite[k]);
  };
  double lo = quantile(0.02), hi = quantile(0.98);
  if (!(hi > lo)) lo -= 0.5, hi += 0.5;
  return ColorScale{lo, hi, map};
}

ColorScale parse_range(const std::string& text, Colormap map) {
  const auto comma = text.find(',');
  if (comma == std::string::npos) fail("--range '{}': expected lo,hi", text);
  const std::string a = text.substr(0, comma), b = text.substr(comma + 1);
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double lo = std::strtod(a.c_str(), &end_a), hi = std::strtod(b.c_str(), &end_b);
  if (a.empty() || b.empty() || *end_a != '\0' || *end_b != '\0' || !std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
    fail("--range '{}': expected two finite numbers lo,hi with lo < hi", text);
  return ColorScale{lo, hi, map};
}

}  // namespace granary::render
