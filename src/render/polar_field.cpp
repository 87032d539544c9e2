#include "render/polar_field.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <numbers>

#include <nanoflann.hpp>

#include "grids/llc/sphere.hpp"
#include "util/error.hpp"

namespace granary::render {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Index of the value at (lat, lon) in a regular lat-lon grid, kNone outside it.
std::function<std::size_t(const LatLon&)> latlon_lookup(const NetcdfField& field) {
  if (field.latitudes.size() < 2 || field.longitudes.size() < 2)
    fail("{}: no latitude/longitude coordinates to place it on a polar map", field.variable);
  const double lat0 = field.latitudes.front(), dlat = field.latitudes[1] - field.latitudes[0];
  const double lon0 = field.longitudes.front(), dlon = field.longitudes[1] - field.longitudes[0];
  return [&field, lat0, dlat, lon0, dlon](const LatLon& p) {
    const long row = std::lround((p.lat - lat0) / dlat);
    const double turns = 360.0 / std::abs(dlon);
    long col = std::lround(std::remainder(p.lon - lon0, 360.0) / dlon);
    col = ((col % static_cast<long>(turns)) + static_cast<long>(turns)) % static_cast<long>(turns);
    if (row < 0 || row >= static_cast<long>(field.ny) || col >= static_cast<long>(field.nx)) return kNone;
    return static_cast<std::size_t>(row) * field.nx + static_cast<std::size_t>(col);
  };
}

struct Cloud {
  std::vector<llc::sphere::Vec3> xyz;
  std::size_t kdtree_get_point_count() const { return xyz.size(); }
  double kdtree_get_pt(std::uint32_t i, std::size_t dim) const { return xyz[i][dim]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};
using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, Cloud>, Cloud, 3, std::uint32_t>;

// Nearest LLC cell centre within about a cell's width; kNone farther away.
class NearestCell {
 public:
  explicit NearestCell(const NetcdfField& field) {
    if (field.cell_lat.empty()) fail("{}: no XC/YC cell centres to place it on a polar map", field.variable);
    cloud_.xyz.reserve(field.cell_lat.size());
    for (std::size_t k = 0; k < field.cell_lat.size(); ++k)
      cloud_.xyz.push_back(llc::sphere::to_xyz(field.cell_lon[k], field.cell_lat[k]));
    tree_ = std::make_unique<Tree>(3, cloud_);
    tree_->buildIndex();
    // LLC cells span 90/n degrees at the equator and less elsewhere.
    const double cell = (std::numbers::pi / 2) / static_cast<double>(field.nx);
    max_chord2_ = (1.5 * cell) * (1.5 * cell);
  }
  std::size_t operator()(const LatLon& p) const {
    const auto q = llc::sphere::to_xyz(p.lon, p.lat);
    std::uint32_t index = 0;
    double d2 = 0;
    tree_->knnSearch(q.data(), 1, &index, &d2);
    return d2 <= max_chord2_ ? index : kNone;
  }

 private:
  Cloud cloud_;
  std::unique_ptr<Tree> tree_;
  double max_chord2_ = 0;
};

}  // namespace

Image render_field_polar(const NetcdfField& field, const MapProjection& projection, const ColorScale& scale,
                         const MapDecor& decor, double edge_latitude, int size) {
  if (!projection.polar()) fail("internal: render_field_polar needs a polar projection");
  std::function<std::size_t(const LatLon&)> lookup;
  std::unique_ptr<NearestCell> nearest;
  if (field.kind == GridKind::LatLon) {
    lookup = latlon_lookup(field);
  } else {
    nearest = std::make_unique<NearestCell>(field);
    lookup = [&nearest](const LatLon& p) { return (*nearest)(p); };
  }
  const bool south = projection.projection() == Projection::SouthPolar;
  const double edge = south ? -std::abs(edge_latitude) : std::abs(edge_latitude);
  // The edge parallel is a circle around the pole; its radius frames the map.
  const Point pole = projection.forward(south ? -90 : 90, 0);
  double radius = 0;
  for (double lon = 0; lon < 360; lon += 45) {
    const Point p = projection.forward(edge, lon);
    radius = std::max(radius, std::hypot(p.x - pole.x, p.y - pole.y));
  }
  const MapFrame frame = MapFrame::around(pole.x - radius, pole.x + radius, pole.y - radius, pole.y + radius, size, 0.0);
  Image map(frame.width, frame.height, kWhite);
  for (int y = 0; y < frame.height; ++y)
    for (int x = 0; x < frame.width; ++x) {
      const auto ll = projection.inverse(frame.to_map({x + 0.5, y + 0.5}));
      if (!ll || (south ? ll->lat > edge : ll->lat < edge)) continue;
      const std::size_t k = lookup(*ll);
      if (k != kNone) map.set(x, y, scale.color(field.values[k]));
    }
  if (decor.graticule) draw_graticule(map, projection, frame);
  if (decor.coastlines) draw_coastlines(map, projection, frame, *decor.coastlines);
  return map;
}

}  // namespace granary::render
