#pragma once
// The legacy "morton" decimal index of HEALPix nested cells (mortie <= 0.7, as magg uses it):
//   nest   = HEALPix ang2pix, nested, nside = 2^order, geodetic latitude used directly as
//            spherical latitude (chealpix; theta = pi/2 - rad(lat), phi = rad(lon), as healpy)
//   base   = nest / 4^order (0..11), normed = nest % 4^order
//   digits = coarsest first, d_i = ((normed >> 2(i-1)) & 3) + 1, weight 10^(i-1)
//   base < 6: +((base + 1) * 10^order + digits);  base >= 6: -((base - 5) * 10^order + digits)
// int64, orders 0..18. A parent at a coarser order drops decimal digits and keeps the sign.
#include <cstdint>
#include <vector>

#include "grids/healpix/latitude.hpp"

namespace granary::healpix {

inline constexpr int kMaxOrder = 18;        // of the decimal index (int64)
inline constexpr int kMaxNestedOrder = 29;  // of nested ids (int64)

struct NestedCell {
  int order = 0;
  std::int64_t nest = 0;  // HEALPix nested id at `order`
};

// HEALPix nested id of (lat, lon) degrees at `order` 0..29, the latitude taken as spherical
// (throws granary::Error for a bad order).
std::int64_t ang2nest(double lat_deg, double lon_deg, int order);
// Centre of a nested cell, (lat, lon) degrees with lon in [0, 360), spherical latitude.
void nest2ang(std::int64_t nest, int order, double& lat_deg, double& lon_deg);
// The same for a geodetic latitude under a convention (grids/healpix/latitude.hpp).
std::int64_t ang2nest(double lat_deg, double lon_deg, int order, LatitudeConvention latitude);
void nest2ang(std::int64_t nest, int order, LatitudeConvention latitude, double& lat_deg, double& lon_deg);

std::int64_t nest_to_morton(std::int64_t nest, int order);
std::int64_t geo_to_morton(double lat_deg, double lon_deg, int order);
// Decodes and validates (digits 1..4, leading digit 1..6, not 0, order <= 18); throws
// granary::Error naming the value otherwise.
NestedCell morton_to_nest(std::int64_t morton);
int morton_order(std::int64_t morton);
bool is_valid_morton(std::int64_t morton);
// The ancestor at `order` (<= the index's own order).
std::int64_t morton_parent(std::int64_t morton, int order);
// All descendants at child_order, in nested order (their nested ids are consecutive).
std::vector<std::int64_t> morton_children(std::int64_t morton, int child_order);

}  // namespace granary::healpix
