#include "ops/aggregate/group_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <tbb/parallel_for.h>

#include "ops/aggregate/numpy_float32.hpp"
#include "util/error.hpp"

namespace granary::ops {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct Sorted {
  std::vector<std::size_t> offset;  // groups + 1
  std::vector<float> h, sigma;
  std::vector<double> time;
  std::vector<std::uint32_t> source;
};

Sorted counting_sort(const GroupInput& in, std::size_t groups, bool extra) {
  Sorted s;
  s.offset.assign(groups + 1, 0);
  for (auto g : in.group) ++s.offset[g + 1];
  for (std::size_t g = 0; g < groups; ++g) s.offset[g + 1] += s.offset[g];
  std::vector<std::size_t> next(s.offset.begin(), s.offset.end() - 1);
  const std::size_t n = in.h.size();
  s.h.resize(n), s.sigma.resize(n);
  if (extra) s.time.resize(n), s.source.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = next[in.group[i]]++;
    s.h[at] = in.h[i];
    s.sigma[at] = in.sigma[i];
    if (extra) s.time[at] = in.time[i], s.source[at] = in.source[i];
  }
  return s;
}

struct Moments {
  float mean, sigma, variance;
};

Moments moments_double(const float* h, const float* s, std::size_t n) {
  double sw = 0, shw = 0, sh = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = 1.0 / (static_cast<double>(s[i]) * static_cast<double>(s[i]));
    sw += w;
    shw += static_cast<double>(h[i]) * w;
    sh += h[i];
  }
  const double mean = sh / static_cast<double>(n);
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) ss += (h[i] - mean) * (h[i] - mean);
  return {static_cast<float>(shw / sw), static_cast<float>(1.0 / std::sqrt(sw)), static_cast<float>(ss / static_cast<double>(n))};
}

// numpy 1.24 float32, as magg computes them (see /shared/data/atl06/README.md):
//   w = float32(1 / float32(s*s)); mean = sum(h*w)/sum(w); sigma = float32(1.0 / sqrt_f32(sum(w)))
//   var = sum(float32((h - m)^2)) / n with m = float32(sum(h) / n)
Moments moments_magg(const float* h, const float* s, std::size_t n, std::vector<float>& scratch) {
  scratch.resize(3 * n);
  float* w = scratch.data();
  float* hw = w + n;
  float* dev2 = hw + n;
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1.0f / (s[i] * s[i]);
    hw[i] = h[i] * w[i];
  }
  const float sw = numpy_sum_f32(w, n);
  const float fn = static_cast<float>(n);
  const float m = numpy_sum_f32(h, n) / fn;
  for (std::size_t i = 0; i < n; ++i) {
    const float d = h[i] - m;
    dev2[i] = d * d;
  }
  return {numpy_sum_f32(hw, n) / sw, static_cast<float>(1.0 / static_cast<double>(std::sqrt(sw))),
          numpy_sum_f32(dev2, n) / fn};
}

}  // namespace

std::int64_t GroupStats::groups_with_data() const {
  return std::count_if(count.begin(), count.end(), [](std::int32_t c) { return c > 0; });
}

std::int64_t GroupStats::total() const {
  std::int64_t t = 0;
  for (auto c : count) t += c;
  return t;
}

GroupStats group_statistics(const GroupInput& in, std::size_t groups, Numerics numerics, bool extra) {
  const std::size_t n = in.h.size();
  if (in.sigma.size() != n || in.group.size() != n) fail("group statistics: inputs of different lengths");
  if (extra && (in.time.size() != n || in.source.size() != n)) fail("group statistics: extra inputs of different lengths");
  for (auto g : in.group)
    if (g >= groups) fail("group statistics: group {} out of range 0..{}", g, groups - 1);
  Sorted s = counting_sort(in, groups, extra);

  GroupStats out;
  out.extra = extra;
  out.count.assign(groups, 0);
  for (auto* v : {&out.h_min, &out.h_max, &out.h_mean, &out.h_sigma, &out.h_variance, &out.h_q25, &out.h_q50, &out.h_q75})
    v->assign(groups, kNaN);
  if (extra) {
    out.h_std.assign(groups, kNaN);
    out.t_min.assign(groups, std::numeric_limits<double>::quiet_NaN());
    out.t_max.assign(groups, std::numeric_limits<double>::quiet_NaN());
    out.n_sources.assign(groups, 0);
  }
  tbb::parallel_for(std::size_t{0}, groups, [&](std::size_t g) {
    const std::size_t a = s.offset[g], m = s.offset[g + 1] - a;
    if (m == 0) return;
    const float* h = s.h.data() + a;
    const float* sg = s.sigma.data() + a;
    thread_local std::vector<float> sorted, scratch;
    sorted.assign(h, h + m);
    std::sort(sorted.begin(), sorted.end());
    out.count[g] = static_cast<std::int32_t>(m);
    out.h_min[g] = sorted.front();
    out.h_max[g] = sorted.back();
    const Moments mo = numerics == Numerics::Magg ? moments_magg(h, sg, m, scratch) : moments_double(h, sg, m);
    out.h_mean[g] = mo.mean;
    out.h_sigma[g] = mo.sigma;
    out.h_variance[g] = mo.variance;
    out.h_q25[g] = numpy_quantile_linear_f32(sorted.data(), m, 0.25);
    out.h_q50[g] = numpy_quantile_linear_f32(sorted.data(), m, 0.5);
    out.h_q75[g] = numpy_quantile_linear_f32(sorted.data(), m, 0.75);
    if (extra) {
      out.h_std[g] = std::sqrt(mo.variance);
      const double* t = s.time.data() + a;
      const auto [lo, hi] = std::minmax_element(t, t + m);
      out.t_min[g] = *lo;
      out.t_max[g] = *hi;
      std::vector<std::uint32_t> src(s.source.begin() + a, s.source.begin() + a + m);
      std::sort(src.begin(), src.end());
      out.n_sources[g] = static_cast<std::int32_t>(std::unique(src.begin(), src.end()) - src.begin());
    }
  });
  return out;
}

}  // namespace granary::ops
