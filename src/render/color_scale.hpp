#pragma once
// Values -> colours: a colour map stretched over [lo, hi], and how the range is chosen.
#include <optional>
#include <span>
#include <string>

#include "render/colormap.hpp"
#include "render/image.hpp"

namespace granary::render {

struct ColorScale {
  double lo = 0, hi = 1;
  Colormap map = Colormap::Viridis;
  // Non-finite values are "no data" and get kLandGrey.
  Rgba color(double value) const;
};

// The 2nd..98th percentile of the finite values, so a few outliers do not wash out the map;
// a constant field gets a unit-wide range around its value. No finite value is an error
// naming `what`.
ColorScale percentile_scale(std::span<const float> values, Colormap map, const std::string& what);
// "lo,hi" with lo < hi, both finite.
ColorScale parse_range(const std::string& text, Colormap map);

}  // namespace granary::render
