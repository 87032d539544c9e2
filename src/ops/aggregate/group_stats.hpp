#pragma once
// Per-group statistics of ICESat-2 heights (magg's per-child-cell statistics), computed for
// all groups in one pass: a stable counting sort by group (O(N), keeping each group's points
// in input order, which float32 parity needs) and then each group's statistics.
//
//   count          int32
//   h_min, h_max   float32
//   h_mean         sum(h w) / sum(w), w = 1/sigma^2      (inverse-variance weighted mean)
//   h_sigma        1 / sqrt(sum(w))
//   h_variance     population variance of h
//   h_q25/50/75    numpy's "linear" quantiles
//   extra: h_std (population), t_min/t_max (float64, delta_time), n_sources (distinct granules)
// Empty groups: count 0 and NaN.
//
// Numerics::Double accumulates in double and rounds once (more accurate than magg);
// Numerics::Magg follows numpy's float32 arithmetic bit for bit.
#include <cstdint>
#include <span>
#include <vector>

namespace granary::ops {

enum class Numerics { Double, Magg };

struct GroupInput {
  std::span<const float> h, sigma;
  std::span<const std::uint32_t> group;  // 0..groups-1
  std::span<const double> time;          // optional (extra statistics)
  std::span<const std::uint32_t> source; // optional (extra statistics): e.g. granule index
};

struct GroupStats {
  std::vector<std::int32_t> count;
  std::vector<float> h_min, h_max, h_mean, h_sigma, h_variance, h_q25, h_q50, h_q75;
  bool extra = false;
  std::vector<float> h_std;
  std::vector<double> t_min, t_max;
  std::vector<std::int32_t> n_sources;

  std::int64_t groups_with_data() const;
  std::int64_t total() const;
};

// Throws granary::Error if the input spans differ in length or a group id is out of range.
GroupStats group_statistics(const GroupInput& in, std::size_t groups, Numerics numerics, bool extra);

}  // namespace granary::ops
