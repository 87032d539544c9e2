#include "ops/aggregate/numpy_float32.hpp"

#include <algorithm>
#include <cmath>

namespace granary::ops {
namespace {

constexpr std::size_t kBufferSize = 8192;  // NPY_BUFSIZE: elements per inner loop
constexpr std::size_t kBlock = 128;        // PW_BLOCKSIZE

// numpy's pairwise_sum (loops_utils.h.src) for float32.
float pairwise(const float* a, std::size_t n) {
  if (n < 8) {
    float r = 0.0f;
    for (std::size_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= kBlock) {
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

}  // namespace

float numpy_sum_f32(const float* a, std::size_t n) {
  float acc = 0.0f;
  for (std::size_t start = 0; start < n; start += kBufferSize) acc += pairwise(a + start, std::min(kBufferSize, n - start));
  return acc;
}

float numpy_quantile_linear_f32(const float* sorted, std::size_t n, double q) {
  const double v = static_cast<double>(n - 1) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(v));
  const std::size_t hi = std::min(lo + 1, n - 1);
  const double g = v - static_cast<double>(lo);
  const double d = static_cast<double>(sorted[hi] - sorted[lo]);  // the difference is float32
  const double r = g >= 0.5 ? static_cast<double>(sorted[hi]) - d * (1.0 - g) : static_cast<double>(sorted[lo]) + d * g;
  return static_cast<float>(r);
}

}  // namespace granary::ops
