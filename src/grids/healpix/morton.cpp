#include "grids/healpix/morton.hpp"

#include <chealpix.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numbers>

#include "util/error.hpp"

namespace granary::healpix {
namespace {

constexpr std::int64_t kPow10[19] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};

void check_order(int order) {
  if (order < 0 || order > kMaxOrder) fail("HEALPix order {} is outside 0..{}", order, kMaxOrder);
}

// The nested kernel itself reaches order 29 (nside 2^29), beyond the decimal index's 18.
void check_nested_order(int order) {
  if (order < 0 || order > kMaxNestedOrder) fail("HEALPix order {} is outside 0..{}", order, kMaxNestedOrder);
}

// numpy's radians: x * (pi / 180).
double radians(double deg) { return deg * (std::numbers::pi / 180.0); }

}  // namespace

std::int64_t ang2nest(double lat_deg, double lon_deg, int order) {
  check_nested_order(order);
  std::int64_t nest = 0;
  // healpy's lonlat: theta = pi/2 - radians(lat), phi = radians(lon).
  ang2pix_nest64(std::int64_t{1} << order, std::numbers::pi / 2 - radians(lat_deg), radians(lon_deg), &nest);
  return nest;
}

void nest2ang(std::int64_t nest, int order, double& lat_deg, double& lon_deg) {
  check_nested_order(order);
  double theta = 0, phi = 0;
  pix2ang_nest64(std::int64_t{1} << order, nest, &theta, &phi);
  lat_deg = 90.0 - theta * (180.0 / std::numbers::pi);
  lon_deg = phi * (180.0 / std::numbers::pi);
  if (lon_deg < 0) lon_deg += 360.0;
}

namespace {
// Decimal digits (each base-4 digit + 1) of every 6-level block: the digit loop becomes
// three lookups at order 18, and the morton step runs several times faster.
constexpr int kBlock = 6;
struct DigitTable {
  std::int64_t value[1 << (2 * kBlock)];
  constexpr DigitTable() : value() {
    for (int x = 0; x < (1 << (2 * kBlock)); ++x) {
      std::int64_t v = 0, w = 1;
      for (int j = 0; j < kBlock; ++j, w *= 10) v += (((x >> (2 * j)) & 3) + 1) * w;
      value[x] = v;
    }
  }
};
constexpr DigitTable kDigits;
}  // namespace

std::int64_t nest_to_morton(std::int64_t nest, int order) {
  check_order(order);
  if (nest < 0 || nest >= 12 * (std::int64_t{1} << (2 * order)))
    fail("nested id {} is out of range at order {}", nest, order);
  const std::int64_t base = nest >> (2 * order);
  std::int64_t normed = nest & ((std::int64_t{1} << (2 * order)) - 1);
  // Least significant levels first, kBlock at a time; a short top block uses fewer digits.
  std::int64_t digits = 0;
  int done = 0;
  while (done < order) {
    const int take = std::min(kBlock, order - done);
    const std::int64_t block = normed & ((std::int64_t{1} << (2 * take)) - 1);
    digits += (kDigits.value[block] % kPow10[take]) * kPow10[done];
    normed >>= 2 * take;
    done += take;
  }
  const std::int64_t lead = base < 6 ? base + 1 : base - 5;
  const std::int64_t magnitude = lead * kPow10[order] + digits;
  return base < 6 ? magnitude : -magnitude;
}

std::int64_t geo_to_morton(double lat_deg, double lon_deg, int order) {
  return nest_to_morton(ang2nest(lat_deg, lon_deg, order), order);
}

std::int64_t ang2nest(double lat_deg, double lon_deg, int order, LatitudeConvention latitude) {
  return ang2nest(kernel_latitude(lat_deg, latitude), lon_deg, order);
}

void nest2ang(std::int64_t nest, int order, LatitudeConvention latitude, double& lat_deg, double& lon_deg) {
  nest2ang(nest, order, lat_deg, lon_deg);
  lat_deg = geodetic_latitude(lat_deg, latitude);
}

int morton_order(std::int64_t morton) {
  if (morton == 0) fail("morton 0 is not a cell");
  // |INT64_MIN| does not fit; it has 19 digits and is invalid anyway.
  if (morton == INT64_MIN) fail("morton {} has more than {} digits", morton, kMaxOrder + 1);
  const std::int64_t a = morton < 0 ? -morton : morton;
  int order = 0;
  while (order + 1 <= kMaxOrder && a >= kPow10[order + 1]) ++order;
  return order;
}

NestedCell morton_to_nest(std::int64_t morton) {
  const int order = morton_order(morton);
  const std::int64_t a = morton < 0 ? -morton : morton;
  const std::int64_t lead = a / kPow10[order];
  if (lead < 1 || lead > 6) fail("morton {}: leading digit {} is not in 1..6", morton, lead);
  const std::int64_t base = morton > 0 ? lead - 1 : lead + 5;
  std::int64_t normed = 0;
  for (int i = order; i >= 1; --i) {
    const std::int64_t d = (a / kPow10[i - 1]) % 10;
    if (d < 1 || d > 4) fail("morton {}: digit {} is not in 1..4", morton, d);
    normed = (normed << 2) | (d - 1);
  }
  return {order, base * (std::int64_t{1} << (2 * order)) + normed};
}

bool is_valid_morton(std::int64_t morton) {
  try {
    morton_to_nest(morton);
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::int64_t morton_parent(std::int64_t morton, int order) {
  const int own = morton_order(morton);
  check_order(order);
  if (order > own) fail("morton {} has order {}; it has no parent at the finer order {}", morton, own, order);
  const std::int64_t f = kPow10[own - order];
  return morton < 0 ? -((-morton) / f) : morton / f;
}

std::vector<std::int64_t> morton_children(std::int64_t morton, int child_order) {
  const NestedCell cell = morton_to_nest(morton);
  check_order(child_order);
  if (child_order < cell.order) fail("morton {}: child order {} is coarser than its order {}", morton, child_order, cell.order);
  const std::int64_t k = std::int64_t{1} << (2 * (child_order - cell.order));
  std::vector<std::int64_t> out(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) out[static_cast<std::size_t>(i)] = nest_to_morton(cell.nest * k + i, child_order);
  return out;
}

}  // namespace granary::healpix
