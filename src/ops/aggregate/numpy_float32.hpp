#pragma once
// numpy 1.24's float32 reductions, reproduced bit for bit so that `--numerics magg` gives
// exactly magg's numbers (its statistics are float32 numpy calls). All arithmetic is float32
// with no contraction (the build uses -ffp-contract=off).
#include <cstddef>

namespace granary::ops {

// np.sum of a contiguous float32 vector: the ufunc sees blocks of 8192 elements, sums each
// with pairwise summation, and adds the block sums left to right to 0.
float numpy_sum_f32(const float* a, std::size_t n);

// np.quantile(a, q) with the default "linear" method, for sorted float32 `a`, rounded to
// float32: v = (n-1)q, lo = floor(v), hi = min(lo+1, n-1), g = v - lo, d = float32(a[hi]-a[lo]),
// r = g < 0.5 ? a[lo] + d*g : a[hi] - d*(1-g) (in double).
float numpy_quantile_linear_f32(const float* sorted, std::size_t n, double q);

}  // namespace granary::ops
