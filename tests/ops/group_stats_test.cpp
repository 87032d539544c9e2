// Per-group statistics on small hand-checked inputs (the goldens check real cells).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ops/aggregate/group_stats.hpp"
#include "ops/aggregate/numpy_float32.hpp"
#include "util/error.hpp"

namespace granary::ops {
namespace {

TEST(GroupStats, HandComputedGroupsAndEmptyGroups) {
  // group 2: h = 1, 2, 3, 4 with sigma 1, 1, 2, 2 -> w = 1, 1, .25, .25
  std::vector<float> h = {1, 10, 2, 3, 4}, s = {1, 1, 1, 2, 2};
  std::vector<std::uint32_t> g = {2, 0, 2, 2, 2};
  for (auto numerics : {Numerics::Double, Numerics::Magg}) {
    auto st = group_statistics({h, s, g, {}, {}}, 4, numerics, false);
    EXPECT_EQ(st.count, (std::vector<std::int32_t>{1, 0, 4, 0}));
    EXPECT_EQ(st.h_min[2], 1.0f);
    EXPECT_EQ(st.h_max[2], 4.0f);
    EXPECT_FLOAT_EQ(st.h_mean[2], (1 + 2 + 0.25f * 3 + 0.25f * 4) / 2.5f);
    EXPECT_FLOAT_EQ(st.h_sigma[2], 1 / std::sqrt(2.5f));
    EXPECT_FLOAT_EQ(st.h_variance[2], 1.25f);  // population variance of 1..4
    EXPECT_FLOAT_EQ(st.h_q25[2], 1.75f);       // numpy linear: 1 + 0.75 * (2 - 1)
    EXPECT_FLOAT_EQ(st.h_q50[2], 2.5f);
    EXPECT_FLOAT_EQ(st.h_q75[2], 3.25f);
    EXPECT_EQ(st.h_mean[0], 10.0f);
    EXPECT_EQ(st.h_variance[0], 0.0f);
    EXPECT_TRUE(std::isnan(st.h_mean[1]) && std::isnan(st.h_q50[3]));
    EXPECT_EQ(st.groups_with_data(), 2);
    EXPECT_EQ(st.total(), 5);
  }
}

TEST(GroupStats, ExtraStatisticsCountDistinctSources) {
  std::vector<float> h = {1, 2, 3}, s = {1, 1, 1};
  std::vector<std::uint32_t> g = {0, 0, 0}, src = {4, 7, 4};
  std::vector<double> t = {30.5, 10.25, 20.0};
  auto st = group_statistics({h, s, g, t, src}, 1, Numerics::Double, true);
  EXPECT_EQ(st.n_sources[0], 2);
  EXPECT_EQ(st.t_min[0], 10.25);
  EXPECT_EQ(st.t_max[0], 30.5);
  EXPECT_FLOAT_EQ(st.h_std[0], std::sqrt(2.0f / 3.0f));
}

TEST(GroupStats, RejectsBadInput) {
  std::vector<float> h = {1, 2}, s = {1};
  std::vector<std::uint32_t> g = {0, 0};
  EXPECT_THROW(group_statistics({h, s, g, {}, {}}, 1, Numerics::Double, false), Error);
  std::vector<float> s2 = {1, 1};
  std::vector<std::uint32_t> bad = {0, 5};
  EXPECT_THROW(group_statistics({h, s2, bad, {}, {}}, 2, Numerics::Double, false), Error);
}

// numpy's float32 np.sum is not a sequential sum: for 100,000 copies of 0.1f a sequential
// float sum drifts far from 10000 while pairwise blocks stay close; np.float32(np.ones(n)*0.1).sum()
// for n = 100000 is 10000.0009765625 (numpy 1.24).
TEST(NumpyFloat32, PairwiseSumMatchesNumpy) {
  std::vector<float> a(100000, 0.1f);
  EXPECT_EQ(numpy_sum_f32(a.data(), a.size()), 10000.0009765625f);
  float sequential = 0;
  for (float x : a) sequential += x;
  EXPECT_NE(sequential, numpy_sum_f32(a.data(), a.size()));
  EXPECT_EQ(numpy_sum_f32(a.data(), 0), 0.0f);
  std::vector<float> small = {1, 2, 3};
  EXPECT_EQ(numpy_sum_f32(small.data(), 3), 6.0f);
}

TEST(NumpyFloat32, QuantileLinear) {
  std::vector<float> a = {1, 2, 4, 8, 16};
  EXPECT_EQ(numpy_quantile_linear_f32(a.data(), a.size(), 0.5), 4.0f);
  EXPECT_EQ(numpy_quantile_linear_f32(a.data(), a.size(), 0.25), 2.0f);
  EXPECT_EQ(numpy_quantile_linear_f32(a.data(), 4, 0.75), 5.0f);  // 4 + 0.25 * (8 - 4)
  EXPECT_EQ(numpy_quantile_linear_f32(a.data(), 1, 0.75), 1.0f);
}

}  // namespace
}  // namespace granary::ops
