#pragma once
// Unit-sphere vector helpers for grid geometry (degrees in, degrees out).
#include <array>
#include <cmath>
#include <numbers>

namespace granary::llc::sphere {

using Vec3 = std::array<double, 3>;

inline double rad(double deg) { return deg * (std::numbers::pi / 180.0); }
inline double deg(double rad) { return rad * (180.0 / std::numbers::pi); }

inline Vec3 operator+(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Vec3 operator-(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
inline Vec3 normalized(const Vec3& a) { return (1.0 / norm(a)) * a; }

inline Vec3 to_xyz(double lon_deg, double lat_deg) {
  const double lo = rad(lon_deg), la = rad(lat_deg);
  return {std::cos(la) * std::cos(lo), std::cos(la) * std::sin(lo), std::sin(la)};
}
struct LonLat {
  double lon = 0, lat = 0;
};
inline LonLat to_lonlat(const Vec3& p) {
  return {deg(std::atan2(p[1], p[0])), deg(std::atan2(p[2], std::hypot(p[0], p[1])))};
}

// Local unit east and north at (lon, lat); at the poles they follow the given longitude.
inline Vec3 east_at(double lon_deg) { return {-std::sin(rad(lon_deg)), std::cos(rad(lon_deg)), 0.0}; }
inline Vec3 north_at(double lon_deg, double lat_deg) {
  const double lo = rad(lon_deg), la = rad(lat_deg);
  return {-std::sin(la) * std::cos(lo), -std::sin(la) * std::sin(lo), std::cos(la)};
}

// Great-circle angle between two unit vectors (radians), accurate for small angles.
inline double angle(const Vec3& a, const Vec3& b) { return std::atan2(norm(cross(a, b)), dot(a, b)); }

// Area (steradians) of the spherical triangle a, b, c (unit vectors; Van Oosterom-Strackee).
inline double triangle_area(const Vec3& a, const Vec3& b, const Vec3& c) {
  const double num = dot(a, cross(b, c));
  const double den = 1.0 + dot(a, b) + dot(b, c) + dot(c, a);
  return std::abs(2.0 * std::atan2(num, den));
}

}  // namespace granary::llc::sphere
