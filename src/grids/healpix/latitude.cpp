#include "grids/healpix/latitude.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace granary::healpix {
namespace {

// WGS84's two defining constants; e^2 is derived from them, never parsed from a decimal.
constexpr double kInverseFlattening = 298.257223563;
constexpr double kF = 1.0 / kInverseFlattening;
constexpr double kE2 = kF * (2.0 - kF);
constexpr double kE4 = kE2 * kE2;
constexpr double kE6 = kE4 * kE2;
constexpr double kE8 = kE4 * kE4;
constexpr double kE10 = kE8 * kE2;

// Coefficients of sin(2x), sin(4x), ... sin(10x): exact rationals in e^2 (mortie spec, F1..F5
// forward, I1..I5 inverse).
constexpr std::array<double, 5> kForward = {
    (-1.0 / 3.0) * kE2 + (-31.0 / 180.0) * kE4 + (-59.0 / 560.0) * kE6 + (-42811.0 / 604800.0) * kE8 +
        (-605399.0 / 11975040.0) * kE10,
    (17.0 / 360.0) * kE4 + (61.0 / 1260.0) * kE6 + (76969.0 / 1814400.0) * kE8 + (215431.0 / 5987520.0) * kE10,
    (-383.0 / 45360.0) * kE6 + (-3347.0 / 259200.0) * kE8 + (-1751791.0 / 119750400.0) * kE10,
    (6007.0 / 3628800.0) * kE8 + (201293.0 / 59875200.0) * kE10,
    (-5839.0 / 17107200.0) * kE10,
};
constexpr std::array<double, 5> kInverse = {
    (1.0 / 3.0) * kE2 + (31.0 / 180.0) * kE4 + (517.0 / 5040.0) * kE6 + (120389.0 / 1814400.0) * kE8 +
        (1362253.0 / 29937600.0) * kE10,
    (23.0 / 360.0) * kE4 + (251.0 / 3780.0) * kE6 + (102287.0 / 1814400.0) * kE8 + (450739.0 / 9979200.0) * kE10,
    (761.0 / 45360.0) * kE6 + (47561.0 / 1814400.0) * kE8 + (434501.0 / 14968800.0) * kE10,
    (6059.0 / 1209600.0) * kE8 + (625511.0 / 59875200.0) * kE10,
    (48017.0 / 29937600.0) * kE10,
};

// x + sum c_k sin(2k x), with sin(2(k+1)x) = 2 cos(2x) sin(2kx) - sin(2(k-1)x): one sin and
// one cos, and the same evaluation order as mortie, so cell ids agree to the last ulp
// wherever the series does.
double series(double x, const std::array<double, 5>& c) {
  const double s2 = std::sin(2.0 * x), c2 = std::cos(2.0 * x);
  const double two_c2 = 2.0 * c2;
  double prev = 0.0, cur = s2, acc = c[0] * s2;
  for (std::size_t k = 1; k < c.size(); ++k) {
    const double next = two_c2 * cur - prev;
    prev = cur;
    cur = next;
    acc += c[k] * next;
  }
  return x + acc;
}

double convert(double lat_deg, const std::array<double, 5>& c) {
  if (!std::isfinite(lat_deg)) return lat_deg;
  const double out = series(lat_deg * (std::numbers::pi / 180.0), c) * (180.0 / std::numbers::pi);
  // The series overshoots a pole by an ulp; out-of-range input stays out of range.
  return lat_deg >= -90.0 && lat_deg <= 90.0 ? std::clamp(out, -90.0, 90.0) : out;
}

}  // namespace

std::string_view latitude_name(LatitudeConvention c) {
  return c == LatitudeConvention::AuthalicWgs84 ? "authalic-wgs84" : "geodetic-spherical";
}

std::optional<LatitudeConvention> parse_latitude(std::string_view token) {
  if (token == "geodetic-spherical") return LatitudeConvention::GeodeticSpherical;
  if (token == "authalic-wgs84") return LatitudeConvention::AuthalicWgs84;
  return std::nullopt;
}

double authalic_from_geodetic(double lat_deg) { return convert(lat_deg, kForward); }
double geodetic_from_authalic(double beta_deg) { return convert(beta_deg, kInverse); }

}  // namespace granary::healpix
