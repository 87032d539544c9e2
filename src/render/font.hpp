#pragma once
// A small embedded bitmap font (printable ASCII) for titles and colour-bar labels, so a quick
// look needs no font files at run time.
#include <string_view>

#include "render/image.hpp"

namespace granary::render {

inline constexpr int kGlyphWidth = 6;
inline constexpr int kGlyphHeight = 10;

// Pixel width of text drawn at `scale` (each glyph pixel becomes scale x scale pixels).
int text_width(std::string_view text, int scale = 1);
// Draws text with its top-left corner at (x, y); characters outside ASCII 32..126 draw as '?'.
void draw_text(Image& image, int x, int y, std::string_view text, Rgba colour, int scale = 1);

}  // namespace granary::render
