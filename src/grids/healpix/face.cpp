#include "grids/healpix/face.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "grids/healpix/morton.hpp"
#include "util/error.hpp"

namespace granary::healpix {
namespace {

constexpr int kJrll[12] = {2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4};
constexpr int kJpll[12] = {1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7};

// Even bits of v packed together (undoes the nested id's bit interleaving).
std::int64_t compress_bits(std::int64_t v) {
  std::int64_t out = 0;
  for (int i = 0; i < 31; ++i) out |= ((v >> (2 * i)) & 1) << i;
  return out;
}

}  // namespace

FacePosition nest_to_face(std::int64_t nest, int order) {
  if (order < 0 || order > kMaxOrder) fail("HEALPix order {} is outside 0..{}", order, kMaxOrder);
  const std::int64_t npface = std::int64_t{1} << (2 * order);
  if (nest < 0 || nest >= 12 * npface) fail("nested id {} is out of range at order {}", nest, order);
  const std::int64_t local = nest % npface;
  return {static_cast<int>(nest / npface), compress_bits(local), compress_bits(local >> 1)};
}

void face_to_latlon(double x, double y, int face, double& lat, double& lon) {
  const double jr = kJrll[face] - x - y;
  double nr, z;
  if (jr < 1) {
    nr = jr;
    z = 1 - nr * nr / 3.0;
  } else if (jr > 3) {
    nr = 4 - jr;
    z = nr * nr / 3.0 - 1;
  } else {
    nr = 1;
    z = (2 - jr) * 2.0 / 3.0;
  }
  double t = kJpll[face] * nr + x - y;
  if (t < 0) t += 8;
  if (t >= 8) t -= 8;
  const double phi = nr < 1e-15 ? 0 : (0.25 * std::numbers::pi * t) / nr;
  lat = std::asin(std::clamp(z, -1.0, 1.0)) * 180.0 / std::numbers::pi;
  lon = phi * 180.0 / std::numbers::pi;
}

}  // namespace granary::healpix
