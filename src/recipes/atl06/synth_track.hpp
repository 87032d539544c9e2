#pragma once
// The physical model of the synthetic ATL06 generator: a ground track is a great circle of
// an orbit inclined 92 degrees (ICESat-2's), beams are parallel small circles offset
// cross-track, and heights come from one smooth ice-sheet surface shared by every granule
// (so crossing tracks agree). Positions are unit vectors on a sphere of radius kEarthRadius.
#include <array>
#include <string>

#include "grids/llc/sphere.hpp"
#include "recipes/atl06/synth_random.hpp"

namespace granary::atl06::synth {

inline constexpr double kEarthRadius = 6371008.8;  // m, mean radius (spherical geometry)
inline constexpr double kSegmentSpacing = 20.0;   // m between ATL06 segment centres
inline constexpr double kGroundSpeed = 7000.0;    // m/s: delta_time advances ~2.86 ms per segment
inline constexpr double kInclinationDeg = 92.0;
inline constexpr double kPairSpacing = 3300.0;    // m between beam pairs, cross-track
inline constexpr double kBeamSpacing = 90.0;      // m between the two beams of a pair

using Vec3 = llc::sphere::Vec3;

// A reference ground track through p0 heading along t (both unit, orthogonal); n = p0 x t
// is the track's pole, the direction of cross-track offsets.
struct Track {
  Vec3 p0, t, n;
};

// The track of a 92-degree orbit through (lat, lon): its heading there follows Clairaut's
// relation; ascending tracks head north (and, the orbit being retrograde, drift west).
Track make_track(double lat_deg, double lon_deg, bool ascending);

// The point `along` metres along the track from p0 and `cross` metres to its side.
Vec3 track_point(const Track& track, double along, double cross);

// How the synthetic ice surface is shaped at continental scale.
enum class SurfaceModel {
  // The Python generator's model: a plane-like continental slope along a random direction
  // (right for one cell, meaningless across a continent). Heights ~1300-3100 m.
  Slope,
  // Antarctica at a glance, for continent-wide demos: Vialov-profile domes for Dome A,
  // Dome C and the West Antarctic ice sheet (4,000 / 3,200 / 2,000 m high), floored at
  // 50 m like the ice shelves.
  Antarctica,
};

// "slope" or "antarctica"; otherwise a granary::Error.
SurfaceModel parse_surface_model(const std::string& name);

// A smooth synthetic ice-sheet surface: the continental shape of the model plus two
// undulation scales and a short-wavelength roughness, each along a random direction.
class Surface {
 public:
  explicit Surface(Random& random, SurfaceModel model = SurfaceModel::Slope);

  struct Sample {
    double height;  // m
    bool on_ice;    // false off the ice sheet of the Antarctica model (no land-ice fit there)
  };
  Sample at(const Vec3& p) const;

 private:
  SurfaceModel model_;
  std::array<Vec3, 4> directions_;
  std::array<double, 3> phases_;
};

}  // namespace granary::atl06::synth
