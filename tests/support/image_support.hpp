#pragma once
// Pixel counts for the tests that read rendered PNGs back.
#include <cstddef>
#include <cstdint>
#include <set>

#include "render/image.hpp"

namespace granary::test {

inline std::size_t distinct_colours(const render::Image& image) {
  std::set<std::uint32_t> colours;
  for (const auto& p : image.pixels()) colours.insert(p.r << 16 | p.g << 8 | p.b);
  return colours.size();
}

inline std::size_t count_colour(const render::Image& image, render::Rgba colour) {
  std::size_t n = 0;
  for (const auto& p : image.pixels()) n += p == colour;
  return n;
}

}  // namespace granary::test
