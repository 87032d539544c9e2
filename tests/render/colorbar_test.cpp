// Colour-bar ticks fall on round numbers people read at a glance.
#include <gtest/gtest.h>

#include "render/colorbar.hpp"

namespace granary {
namespace {


TEST(ColorbarTicks, RoundStepsInsideTheRange) {
  EXPECT_EQ(render::round_ticks(-1.118, 0.4592), (std::vector<double>{-1.0, -0.5, 0.0}));
  EXPECT_EQ(render::round_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(render::round_ticks(981, 3864), (std::vector<double>{1000, 2000, 3000}));
  EXPECT_EQ(render::round_ticks(-3.2, 26.0), (std::vector<double>{0, 10, 20}));
  EXPECT_DOUBLE_EQ(render::round_ticks_step(0, 1.25), 0.25);
  for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{{-1e-6, 3e-6}, {1760, 1821}, {-5, 5}, {0, 1e9}}) {
    const auto ticks = render::round_ticks(lo, hi);
    EXPECT_GE(ticks.size(), 2u) << lo << "," << hi;
    EXPECT_LE(ticks.size(), 6u) << lo << "," << hi;
    for (double t : ticks) EXPECT_TRUE(t >= lo && t <= hi) << t;
  }
}

TEST(ColorbarTicks, LabelsHaveTheDecimalsTheStepNeeds) {
  EXPECT_EQ(render::tick_label(-0.5, 0.5), "-0.5");
  EXPECT_EQ(render::tick_label(0.75, 0.25), "0.75");
  EXPECT_EQ(render::tick_label(2000, 1000), "2000");
  EXPECT_EQ(render::tick_label(7.5, 2.5), "7.5");
  EXPECT_EQ(render::tick_label(0.0, 0.02), "0.00");
}

}  // namespace
}  // namespace granary
