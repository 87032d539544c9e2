#pragma once
// The regular lat-lon target grid of the mapping factors and the sphere geometry shared by
// the factor search. Values are computed the way the Python oracle (numpy) computes them:
// cell centres are `first + r * index` in double (exact binary values for r = 0.5), degrees
// become radians as `x * (pi / 180)` (numpy's deg2rad), points go to ECEF as
// (R cos(lat) cos(lon), R cos(lat) sin(lon), R sin(lat)) evaluated left to right.
#include <array>
#include <cstddef>
#include <vector>

namespace granary::regrid {

// Sphere used for the area of a target cell (its effective search radius), metres.
inline constexpr double kAreaRadius = 6'371'008.8;
// Sphere used for distances (pyresample's), metres.
inline constexpr double kEcefRadius = 6'370'997.0;

struct TargetGrid {
  double resolution = 0.5;  // degrees
  int nlat = 360;
  int nlon = 720;

  // Validates that 180 / resolution is a whole number of rows (throws granary::Error).
  static TargetGrid with_resolution(double resolution);

  double lat(int row) const { return (-90.0 + resolution / 2) + resolution * row; }
  double lon(int col) const { return (-180.0 + resolution / 2) + resolution * col; }
  // Flat target index (row-major, longitude fastest).
  std::size_t size() const { return static_cast<std::size_t>(nlat) * nlon; }
  std::size_t index(int row, int col) const { return static_cast<std::size_t>(row) * nlon + col; }
  // sqrt(A / pi) with A the area of a cell of this row on the kAreaRadius sphere.
  double row_radius(int row) const;
  // The largest row radius (at the equator).
  double max_row_radius() const;
  // Cell centres, and their edges as (centre - r/2, centre + r/2) pairs, for the CF
  // latitude/longitude coordinates and their bounds.
  std::vector<double> latitudes() const;
  std::vector<double> longitudes() const;
  std::vector<double> latitude_bounds() const;
  std::vector<double> longitude_bounds() const;
};

double deg_to_rad(double degrees);
std::array<double, 3> to_ecef(double lon_deg, double lat_deg);

}  // namespace granary::regrid
