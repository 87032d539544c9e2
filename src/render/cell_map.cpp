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
    healpix::nest2ang(nest, field.order, field.latitude, lat, lon);
    sum += lat;
  }
  return sum < 0 ? Projection::SouthPolar : Projection::NorthPolar;
}

Image render_cell_map(const CellField& field, const MapProjection& projection, const ColorScale& scale,
                      const MapDecor& decor, int size) {
  if (field.nest.empty()) fail("{}: no cells with data (count > 0)", field.variable);
  std::vector<std::vector<Point>> polygons;
  polygons.reserve(field.nest.size());
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto nest : field.nest) {
    std::vector<Point> polygon;
    for (const auto& p : cell_outline(nest, field.order)) {
      // Outlines are drawn in the kernel's frame; the map is geodetic.
      const Point q = projection.forward(healpix::geodetic_latitude(p.lat, field.latitude), p.lon);
      xmin = std::min(xmin, q.x), xmax = std::max(xmax, q.x), ymin = std::min(ymin, q.y), ymax = std::max(ymax, q.y);
      polygon.push_back(q);
    }
    polygons.push_back(std::move(polygon));
  }
  const MapFrame frame = MapFrame::around(xmin, xmax, ymin, ymax, size);
  Image map(frame.width, frame.height, Rgba{235, 240, 245});
  if (decor.graticule) draw_graticule(map, projection, frame);
  for (std::size_t k = 0; k < polygons.size(); ++k) {
    double left = std::numeric_limits<double>::infinity(), right = -left, top = left, bottom = -left;
    for (auto& p : polygons[k]) {
      p = frame.to_pixel(p);
      left = std::min(left, p.x), right = std::max(right, p.x), top = std::min(top, p.y), bottom = std::max(bottom, p.y);
    }
    const Rgba colour = scale.color(field.values[k]);
    if (right - left < 1.5 && bottom - top < 1.5)
      map.fill_rect(static_cast<int>(std::floor((left + right) / 2 - 0.5)), static_cast<int>(std::floor((top + bottom) / 2 - 0.5)), 2, 2, colour);
    else
      map.fill_polygon(polygons[k], colour);
  }
  if (decor.coastlines) draw_coastlines(map, projection, frame, *decor.coastlines);
  return map;
}

}  // namespace granary::render
