#pragma once
// An RGBA raster with the few drawing primitives the quick-look maps need: rectangles,
// filled polygons (HEALPix cells, LLC tiles) and lines (frames, colour-bar ticks).
#include <cstdint>
#include <span>
#include <vector>

namespace granary::render {

struct Rgba {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Rgba&) const = default;
};

inline constexpr Rgba kWhite{255, 255, 255};
inline constexpr Rgba kBlack{0, 0, 0};
// Land / no-data grey: distinct from every colour of viridis and balance.
inline constexpr Rgba kLandGrey{160, 160, 160};

struct Point {
  double x = 0, y = 0;
};

class Image {
 public:
  Image(int width, int height, Rgba background = kWhite);

  int width() const { return width_; }
  int height() const { return height_; }
  // Out-of-canvas coordinates are ignored by set and read as background by at.
  void set(int x, int y, Rgba colour);
  Rgba at(int x, int y) const;
  const std::vector<Rgba>& pixels() const { return pixels_; }
  Rgba* data() { return pixels_.data(); }  // row-major RGBA, for decoders

  void fill_rect(int x, int y, int w, int h, Rgba colour);
  void outline_rect(int x, int y, int w, int h, Rgba colour);
  // Even-odd fill of the pixels whose centres lie inside the polygon (no gaps or overlaps
  // between polygons that share edges, so adjacent cells tile the plane).
  void fill_polygon(std::span<const Point> vertices, Rgba colour);
  void draw_line(Point from, Point to, Rgba colour);
  // Copies `source` with its top-left corner at (x, y).
  void blit(const Image& source, int x, int y);

 private:
  int width_, height_;
  Rgba background_;
  std::vector<Rgba> pixels_;
};

}  // namespace granary::render
