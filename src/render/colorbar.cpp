#include "render/colorbar.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "render/font.hpp"

namespace granary::render {
namespace {
constexpr int kBarHeight = 14, kTickLength = 4, kGap = 2, kTicks = 5;
}

int colorbar_height() { return kBarHeight + kTickLength + kGap + kGlyphHeight + kGap + kGlyphHeight; }

void draw_colorbar(Image& image, int x, int y, int width, const ColorScale& scale, const std::string& units) {
  for (int col = 0; col < width; ++col) {
    const double t = width > 1 ? static_cast<double>(col) / (width - 1) : 0.5;
    image.fill_rect(x + col, y, 1, kBarHeight, colormap_color(scale.map, t));
  }
  image.outline_rect(x, y, width, kBarHeight, kBlack);
  const int label_y = y + kBarHeight + kTickLength + kGap;
  for (int k = 0; k < kTicks; ++k) {
    const double f = static_cast<double>(k) / (kTicks - 1);
    const int tx = x + static_cast<int>(f * (width - 1));
    image.fill_rect(tx, y + kBarHeight, 1, kTickLength, kBlack);
    const std::string label = fmt::format("{:.4g}", scale.lo + f * (scale.hi - scale.lo));
    // Labels stay inside the bar's extent at both ends.
    const int lx = std::clamp(tx - text_width(label) / 2, x, x + width - text_width(label));
    draw_text(image, lx, label_y, label, kBlack);
  }
  if (!units.empty()) {
    const std::string text = fmt::format("[{}]", units);
    draw_text(image, x + (width - text_width(text)) / 2, label_y + kGlyphHeight + kGap, text, kBlack);
  }
}

}  // namespace granary::render
