#include "render/image.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"

namespace granary::render {

Image::Image(int width, int height, Rgba background)
    : width_(width), height_(height), background_(background) {
  if (width <= 0 || height <= 0 || width > 20000 || height > 20000)
    fail("image size {}x{} is outside 1..20000", width, height);
  pixels_.assign(static_cast<std::size_t>(width) * height, background);
}

void Image::set(int x, int y, Rgba colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  pixels_[static_cast<std::size_t>(y) * width_ + x] = colour;
}

Rgba Image::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return background_;
  return pixels_[static_cast<std::size_t>(y) * width_ + x];
}

void Image::fill_rect(int x, int y, int w, int h, Rgba colour) {
  const int x0 = std::max(x, 0), x1 = std::min(x + w, width_);
  const int y0 = std::max(y, 0), y1 = std::min(y + h, height_);
  for (int yy = y0; yy < y1; ++yy)
    std::fill(pixels_.begin() + static_cast<std::ptrdiff_t>(yy) * width_ + x0,
              pixels_.begin() + static_cast<std::ptrdiff_t>(yy) * width_ + x1, colour);
}

void Image::outline_rect(int x, int y, int w, int h, Rgba colour) {
  fill_rect(x, y, w, 1, colour);
  fill_rect(x, y + h - 1, w, 1, colour);
  fill_rect(x, y, 1, h, colour);
  fill_rect(x + w - 1, y, 1, h, colour);
}

void Image::fill_polygon(std::span<const Point> vertices, Rgba colour) {
  if (vertices.size() < 3) return;
  double ymin = vertices[0].y, ymax = ymin;
  for (const auto& p : vertices) ymin = std::min(ymin, p.y), ymax = std::max(ymax, p.y);
  const int row0 = std::max(0, static_cast<int>(std::ceil(ymin - 0.5)));
  const int row1 = std::min(height_ - 1, static_cast<int>(std::floor(ymax - 0.5)));
  std::vector<double> crossings;
  for (int row = row0; row <= row1; ++row) {
    const double yc = row + 0.5;
    crossings.clear();
    for (std::size_t i = 0, j = vertices.size() - 1; i < vertices.size(); j = i++) {
      const Point a = vertices[j], b = vertices[i];
      // Half-open in y so a vertex on the scan line is counted once.
      if ((a.y <= yc) != (b.y <= yc)) crossings.push_back(a.x + (yc - a.y) / (b.y - a.y) * (b.x - a.x));
    }
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
      const int x0 = std::max(0, static_cast<int>(std::ceil(crossings[k] - 0.5)));
      const int x1 = std::min(width_ - 1, static_cast<int>(std::floor(crossings[k + 1] - 0.5)));
      for (int x = x0; x <= x1; ++x) pixels_[static_cast<std::size_t>(row) * width_ + x] = colour;
    }
  }
}

void Image::draw_line(Point from, Point to, Rgba colour) {
  if (!std::isfinite(from.x) || !std::isfinite(from.y) || !std::isfinite(to.x) || !std::isfinite(to.y)) return;
  // Clip to the canvas first (Liang-Barsky), so a line from far off the map costs nothing.
  double dx = to.x - from.x, dy = to.y - from.y, t0 = 0, t1 = 1;
  const double p[] = {-dx, dx, -dy, dy};
  const double q[] = {from.x + 1, width_ + 1 - from.x, from.y + 1, height_ + 1 - from.y};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0) return;
      continue;
    }
    const double t = q[k] / p[k];
    if (p[k] < 0) t0 = std::max(t0, t);
    else t1 = std::min(t1, t);
    if (t0 > t1) return;
  }
  const Point a{from.x + t0 * dx, from.y + t0 * dy};
  dx *= t1 - t0, dy *= t1 - t0;
  const int steps = std::max(1, static_cast<int>(std::ceil(std::max(std::abs(dx), std::abs(dy)))));
  for (int s = 0; s <= steps; ++s) {
    const double f = static_cast<double>(s) / steps;
    set(static_cast<int>(std::floor(a.x + f * dx)), static_cast<int>(std::floor(a.y + f * dy)), colour);
  }
}

void Image::blit(const Image& source, int x, int y) {
  for (int yy = 0; yy < source.height(); ++yy)
    for (int xx = 0; xx < source.width(); ++xx) set(x + xx, y + yy, source.at(xx, yy));
}

}  // namespace granary::render
