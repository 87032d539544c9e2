#include "render/colorbar.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "render/font.hpp"

namespace granary::render {
namespace {
constexpr int kBarHeight = 14, kTickLength = 4, kGap = 2, kTicks = 6;
}

double round_ticks_step(double lo, double hi) {
  const double raw = (hi - lo) / (kTicks - 1);
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

std::vector<double> round_ticks(double lo, double hi) {
  const double step = round_ticks_step(lo, hi);
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k += 1) ticks.push_back(k * step == 0 ? 0.0 : k * step);
  return ticks;
}

std::string tick_label(double value, double step) {
  // Enough decimals to tell neighbouring ticks apart, no more.
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)) + (std::fmod(step / std::pow(10.0, std::floor(std::log10(step))), 1.0) > 1e-9 ? 1 : 0));
  return fmt::format("{:.{}f}", value, decimals);
}

int colorbar_height() { return kBarHeight + kTickLength + kGap + kGlyphHeight + kGap + kGlyphHeight; }

void draw_colorbar(Image& image, int x, int y, int width, const ColorScale& scale, const std::string& units) {
  for (int col = 0; col < width; ++col) {
    const double t = width > 1 ? static_cast<double>(col) / (width - 1) : 0.5;
    image.fill_rect(x + col, y, 1, kBarHeight, colormap_color(scale.map, t));
  }
  image.outline_rect(x, y, width, kBarHeight, kBlack);
  const int label_y = y + kBarHeight + kTickLength + kGap;
  const double span = scale.hi - scale.lo;
  int previous_right = x - 1000;
  for (const double value : round_ticks(scale.lo, scale.hi)) {
    const int tx = x + static_cast<int>(std::lround((value - scale.lo) / span * (width - 1)));
    image.fill_rect(tx, y + kBarHeight, 1, kTickLength, kBlack);
    const std::string label = tick_label(value, round_ticks_step(scale.lo, scale.hi));
    // Labels stay inside the bar's extent at both ends and never overlap.
    const int lx = std::clamp(tx - text_width(label) / 2, x, x + width - text_width(label));
    if (lx <= previous_right + kGlyphWidth) continue;
    draw_text(image, lx, label_y, label, kBlack);
    previous_right = lx + text_width(label);
  }
  if (!units.empty()) {
    const std::string text = fmt::format("[{}]", units);
    draw_text(image, x + (width - text_width(text)) / 2, label_y + kGlyphHeight + kGap, text, kBlack);
  }
}

}  // namespace granary::render
