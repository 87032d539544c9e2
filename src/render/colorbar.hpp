#pragma once
// A horizontal colour bar with tick labels and the units underneath.
#include <string>

#include "render/color_scale.hpp"
#include "render/image.hpp"

namespace granary::render {

// Height in pixels that draw_colorbar uses (bar, ticks, labels, units).
int colorbar_height();
// Draws the bar across [x, x + width) starting at row y.
void draw_colorbar(Image& image, int x, int y, int width, const ColorScale& scale, const std::string& units);

}  // namespace granary::render
