#pragma once
// A horizontal colour bar with tick labels and the units underneath.
#include <string>
#include <vector>

#include "render/color_scale.hpp"
#include "render/image.hpp"

namespace granary::render {

// Tick values at a round step (1, 2, 2.5 or 5 x 10^k) inside [lo, hi], at most six.
std::vector<double> round_ticks(double lo, double hi);
double round_ticks_step(double lo, double hi);
// The value with the decimals the step needs ("0.25", "1500").
std::string tick_label(double value, double step);

// Height in pixels that draw_colorbar uses (bar, ticks, labels, units).
int colorbar_height();
// Draws the bar across [x, x + width) starting at row y.
void draw_colorbar(Image& image, int x, int y, int width, const ColorScale& scale, const std::string& units);

}  // namespace granary::render
