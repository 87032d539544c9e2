#include "render/map_projection.hpp"

#include <algorithm>
#include <cmath>

#include <proj.h>

#include "util/error.hpp"

namespace granary::render {

Projection parse_projection(const std::string& name) {
  if (name == "auto") return Projection::Auto;
  if (name == "platecarree") return Projection::PlateCarree;
  if (name == "south-polar") return Projection::SouthPolar;
  if (name == "north-polar") return Projection::NorthPolar;
  fail("projection '{}' is not one of auto, platecarree, south-polar, north-polar", name);
}

struct MapProjection::Proj {
  PJ_CONTEXT* context = nullptr;
  PJ* transform = nullptr;
  ~Proj() {
    if (transform) proj_destroy(transform);
    if (context) proj_context_destroy(context);
  }
};

MapProjection::MapProjection(Projection projection) : projection_(projection) {
  if (projection == Projection::Auto) fail("internal: MapProjection needs a resolved projection");
  if (projection == Projection::PlateCarree) return;
  proj_ = std::make_unique<Proj>();
  proj_->context = proj_context_create();
  const char* target = projection == Projection::SouthPolar ? "EPSG:3031" : "EPSG:3413";
  PJ* raw = proj_create_crs_to_crs(proj_->context, "EPSG:4326", target, nullptr);
  if (!raw) fail("PROJ: cannot create EPSG:4326 -> {}: {}", target, proj_context_errno_string(proj_->context, proj_context_errno(proj_->context)));
  // Longitude first, easting first, whatever the CRS definitions' axis order.
  proj_->transform = proj_normalize_for_visualization(proj_->context, raw);
  proj_destroy(raw);
  if (!proj_->transform) fail("PROJ: cannot normalise EPSG:4326 -> {}", target);
}

MapProjection::~MapProjection() = default;

Point MapProjection::forward(double lat_deg, double lon_deg) const {
  if (!proj_) return Point{lon_deg, lat_deg};
  const PJ_COORD out = proj_trans(proj_->transform, PJ_FWD, proj_coord(lon_deg, lat_deg, 0, 0));
  return Point{out.xy.x, out.xy.y};
}

std::optional<LatLon> MapProjection::inverse(Point map) const {
  if (!proj_) return LatLon{map.y, map.x};
  const PJ_COORD out = proj_trans(proj_->transform, PJ_INV, proj_coord(map.x, map.y, 0, 0));
  if (!std::isfinite(out.lp.lam) || !std::isfinite(out.lp.phi)) return std::nullopt;
  return LatLon{out.lp.phi, out.lp.lam};
}

MapFrame MapFrame::around(double x0, double x1, double y0, double y1, int size, double margin) {
  const double span = std::max(x1 - x0, y1 - y0);
  const double pad = margin * span;
  MapFrame frame;
  frame.x_min = x0 - pad;
  frame.y_max = y1 + pad;
  frame.pixel = span > 0 ? (span + 2 * pad) / size : 1.0;
  // The tolerance keeps the longer side at exactly `size` despite rounding.
  frame.width = std::max(1, static_cast<int>(std::ceil((x1 - x0 + 2 * pad) / frame.pixel - 1e-6)));
  frame.height = std::max(1, static_cast<int>(std::ceil((y1 - y0 + 2 * pad) / frame.pixel - 1e-6)));
  return frame;
}

std::string MapProjection::name() const {
  switch (projection_) {
    case Projection::SouthPolar: return "EPSG:3031";
    case Projection::NorthPolar: return "EPSG:3413";
    default: return "plate carree";
  }
}

}  // namespace granary::render
