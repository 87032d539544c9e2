#include "render/figure.hpp"

#include <algorithm>

#include "render/colorbar.hpp"
#include "render/font.hpp"

namespace granary::render {
namespace {
constexpr int kMargin = 12, kTitleScale = 2;
}

Image compose_figure(const Image& map, const std::string& title, const ColorScale& scale, const std::string& units) {
  const int title_height = kGlyphHeight * kTitleScale;
  const int width = std::max(map.width(), text_width(title, kTitleScale)) + 2 * kMargin;
  const int height = kMargin + title_height + kMargin + map.height() + kMargin + colorbar_height() + kMargin;
  Image page(width, height, kWhite);
  draw_text(page, (width - text_width(title, kTitleScale)) / 2, kMargin, title, kBlack, kTitleScale);
  const int map_x = (width - map.width()) / 2, map_y = kMargin + title_height + kMargin;
  page.blit(map, map_x, map_y);
  page.outline_rect(map_x - 1, map_y - 1, map.width() + 2, map.height() + 2, kBlack);
  const int bar_width = std::max(120, map.width() * 2 / 3);
  draw_colorbar(page, (width - bar_width) / 2, map_y + map.height() + kMargin, bar_width, scale, units);
  return page;
}

}  // namespace granary::render
