#include "render/colormap.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "util/error.hpp"

namespace granary::render {
namespace {

struct Rgb {
  unsigned char r, g, b;
};

// matplotlib's viridis sampled at 64 evenly spaced points (the map is CC0).
constexpr Rgb kViridis[] = {
    {68, 1, 84},
    {70, 7, 90},
    {71, 13, 96},
    {71, 19, 101},
    {72, 24, 106},
    {72, 29, 111},
    {72, 35, 116},
    {72, 40, 120},
    {71, 45, 123},
    {70, 50, 126},
    {69, 55, 129},
    {68, 59, 132},
    {66, 64, 134},
    {64, 69, 136},
    {62, 73, 137},
    {61, 78, 138},
    {58, 83, 139},
    {56, 88, 140},
    {54, 92, 141},
    {52, 96, 141},
    {50, 100, 142},
    {49, 104, 142},
    {47, 108, 142},
    {45, 112, 142},
    {44, 115, 142},
    {42, 119, 142},
    {41, 123, 142},
    {39, 127, 142},
    {38, 130, 142},
    {36, 134, 142},
    {35, 138, 141},
    {33, 142, 141},
    {32, 146, 140},
    {31, 150, 139},
    {31, 154, 138},
    {31, 158, 137},
    {31, 161, 135},
    {33, 165, 133},
    {35, 169, 131},
    {38, 173, 129},
    {42, 176, 127},
    {47, 180, 124},
    {53, 183, 121},
    {59, 187, 117},
    {66, 190, 113},
    {74, 193, 109},
    {82, 197, 105},
    {90, 200, 100},
    {101, 203, 94},
    {110, 206, 88},
    {119, 209, 83},
    {129, 211, 77},
    {139, 214, 70},
    {149, 216, 64},
    {160, 218, 57},
    {170, 220, 50},
    {181, 222, 43},
    {192, 223, 37},
    {202, 225, 31},
    {213, 226, 26},
    {223, 227, 24},
    {234, 229, 26},
    {244, 230, 30},
    {253, 231, 37},
};

// Dark blue -> blue -> near-white at the centre -> red -> dark red; symmetric in lightness
// so equal anomalies of opposite sign look equally strong.
constexpr Rgb kBalance[] = {
    {24, 28, 67},   {31, 60, 140},  {40, 103, 190}, {100, 150, 205}, {168, 196, 222},
    {241, 236, 236}, {226, 172, 160}, {206, 110, 92}, {176, 49, 45},  {128, 18, 38},
    {60, 9, 18},
};

Rgba interpolate(std::span<const Rgb> table, double t) {
  if (!std::isfinite(t)) t = 0;
  const double pos = std::clamp(t, 0.0, 1.0) * static_cast<double>(table.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), table.size() - 2);
  const double f = pos - static_cast<double>(i);
  auto mix = [f](unsigned char a, unsigned char b) {
    return static_cast<std::uint8_t>(std::lround(a + f * (static_cast<double>(b) - a)));
  };
  const Rgb a = table[i], b = table[i + 1];
  return Rgba{mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), 255};
}

}  // namespace

Colormap parse_colormap(const std::string& name) {
  if (name == "viridis") return Colormap::Viridis;
  if (name == "balance") return Colormap::Balance;
  fail("colour map '{}' is not one of viridis, balance", name);
}

Rgba colormap_color(Colormap map, double t) {
  return map == Colormap::Viridis ? interpolate(kViridis, t) : interpolate(kBalance, t);
}

}  // namespace granary::render
