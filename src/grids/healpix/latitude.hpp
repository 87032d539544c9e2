#pragma once
// Which latitude the spherical HEALPix kernel is fed: the convention of a set of cells.
//   geodetic-spherical: geodetic latitude used directly as spherical latitude (the legacy
//     morton index, magg, healpy on raw coordinates). Cells are equal-area on a sphere only.
//   authalic-wgs84: geodetic latitude converted to authalic latitude on WGS84 first (mortie
//     >= 0.10's default, healpix-geo/xdggs with a WGS84 ellipsoid). Cells are equal-area on
//     the ellipsoid.
// The two are different partitions of the Earth (up to ~0.128 degrees apart near 45): cells
// of one convention must never be mixed with cells of the other.
// The conversion is mortie's specification.md section 9 (5-harmonic series, WGS84 a and 1/f),
// within 1e-14 rad of its 60-digit reference values.
#include <optional>
#include <string_view>

namespace granary::healpix {

enum class LatitudeConvention { GeodeticSpherical, AuthalicWgs84 };

// "geodetic-spherical" or "authalic-wgs84": the tokens of mortie's `latitude` key.
std::string_view latitude_name(LatitudeConvention c);
std::optional<LatitudeConvention> parse_latitude(std::string_view token);

// Geodetic -> authalic latitude on WGS84, and back, in degrees. Non-finite input comes back
// unchanged; input within [-90, 90] stays within it; input outside is converted but not
// clamped (a bad latitude must not become a valid pole cell).
double authalic_from_geodetic(double lat_deg);
double geodetic_from_authalic(double beta_deg);

// The latitude the kernel sees for a geodetic latitude, and the geodetic latitude of a
// kernel latitude (cell centres, boundaries).
inline double kernel_latitude(double geodetic_deg, LatitudeConvention c) {
  return c == LatitudeConvention::AuthalicWgs84 ? authalic_from_geodetic(geodetic_deg) : geodetic_deg;
}
inline double geodetic_latitude(double kernel_deg, LatitudeConvention c) {
  return c == LatitudeConvention::AuthalicWgs84 ? geodetic_from_authalic(kernel_deg) : kernel_deg;
}

// Largest |authalic - geodetic| over all latitudes, degrees (at ~45.06, 0.12829736), rounded
// up: how far a point moves between the two frames.
inline constexpr double kMaxAuthalicShiftDeg = 0.1283;

}  // namespace granary::healpix
