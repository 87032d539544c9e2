#pragma once
// (lat, lon) -> map plane coordinates for the HEALPix cell maps: polar stereographic through
// PROJ (EPSG:3031 Antarctic, EPSG:3413 NSIDC Arctic) or plate carree (x = lon, y = lat).
#include <memory>
#include <optional>
#include <string>

#include "render/healpix_outline.hpp"
#include "render/image.hpp"

namespace granary::render {

enum class Projection { Auto, PlateCarree, SouthPolar, NorthPolar };

// "auto", "platecarree", "south-polar", "north-polar"; otherwise a granary::Error.
Projection parse_projection(const std::string& name);

class MapProjection {
 public:
  explicit MapProjection(Projection projection);  // not Auto
  ~MapProjection();
  MapProjection(const MapProjection&) = delete;
  MapProjection& operator=(const MapProjection&) = delete;

  // Map-plane point, y to the north (metres for the polar projections, degrees otherwise).
  Point forward(double lat_deg, double lon_deg) const;
  // The (lat, lon) of a map-plane point; nullopt where the projection has none.
  std::optional<LatLon> inverse(Point map) const;
  Projection projection() const { return projection_; }
  bool polar() const { return projection_ == Projection::SouthPolar || projection_ == Projection::NorthPolar; }
  std::string name() const;

 private:
  struct Proj;
  Projection projection_;
  std::unique_ptr<Proj> proj_;
};

// Which part of the map plane an image shows: pixel (0, 0)'s top-left corner is at
// (x_min, y_max), pixels are square, `pixel` map units wide.
struct MapFrame {
  double x_min = 0, y_max = 0, pixel = 1;
  int width = 0, height = 0;

  Point to_pixel(Point map) const { return {(map.x - x_min) / pixel, (y_max - map.y) / pixel}; }
  Point to_map(Point pixel_xy) const { return {x_min + pixel_xy.x * pixel, y_max - pixel_xy.y * pixel}; }
  // The frame around [x0, x1] x [y0, y1] with `margin` (a fraction of the longer side) on
  // every side, its longer side `size` pixels.
  static MapFrame around(double x0, double x1, double y0, double y1, int size, double margin = 0.05);
};

}  // namespace granary::render
