#include "render/cell_map.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grids/healpix/morton.hpp"
#include "render/healpix_outline.hpp"
#include "util/error.hpp"

namespace granary::render {

Projection resolve_projection(Projection requested, const CellField& field) {
  if (requested != Projection::Auto) return requested;
  double sum = 0;
  for (const auto nest : field.nest) {
    double lat = 0, lon = 0;
    healpix::nest2ang(nest, field.order, lat, lon);
    sum += lat;
  }
  return sum < 0 ? Projection::SouthPolar : Projection::NorthPolar;
}

Image render_cell_map(const CellField& field, const MapProjection& projection, const ColorScale& scale, int size) {
  if (field.nest.empty()) fail("{}: no cells with data (count > 0)", field.variable);
  std::vector<std::vector<Point>> polygons;
  polygons.reserve(field.nest.size());
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto nest : field.nest) {
    std::vector<Point> polygon;
    for (const auto& p : cell_outline(nest, field.order)) {
      const Point q = projection.forward(p.lat, p.lon);
      xmin = std::min(xmin, q.x), xmax = std::max(xmax, q.x), ymin = std::min(ymin, q.y), ymax = std::max(ymax, q.y);
      polygon.push_back(q);
    }
    polygons.push_back(std::move(polygon));
  }
  // A 5% margin around the cells; square pixels, the longer side `size` pixels.
  const double span = std::max(xmax - xmin, ymax - ymin);
  const double margin = 0.05 * span;
  xmin -= margin, xmax += margin, ymin -= margin, ymax += margin;
  const double pixel = (span + 2 * margin) / size;
  const int width = std::max(1, static_cast<int>(std::ceil((xmax - xmin) / pixel)));
  const int height = std::max(1, static_cast<int>(std::ceil((ymax - ymin) / pixel)));
  Image map(width, height, Rgba{235, 240, 245});
  for (std::size_t k = 0; k < polygons.size(); ++k) {
    for (auto& p : polygons[k]) p = Point{(p.x - xmin) / pixel, (ymax - p.y) / pixel};
    const Rgba colour = scale.color(field.values[k]);
    map.fill_polygon(polygons[k], colour);
    // A cell smaller than a pixel may cover no pixel centre; it still shows as one pixel.
    Point centre;
    for (const auto& p : polygons[k]) centre.x += p.x / polygons[k].size(), centre.y += p.y / polygons[k].size();
    map.set(static_cast<int>(centre.x), static_cast<int>(centre.y), colour);
  }
  return map;
}

}  // namespace granary::render
