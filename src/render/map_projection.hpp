#pragma once
// (lat, lon) -> map plane coordinates for the HEALPix cell maps: polar stereographic through
// PROJ (EPSG:3031 Antarctic, EPSG:3413 NSIDC Arctic) or plate carree (x = lon, y = lat).
#include <memory>
#include <string>

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
  std::string name() const;

 private:
  struct Proj;
  Projection projection_;
  std::unique_ptr<Proj> proj_;
};

}  // namespace granary::render
