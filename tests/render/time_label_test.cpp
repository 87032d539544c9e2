// Times in quick-look titles, decoded from CF units as xarray would.
#include <gtest/gtest.h>

#include "render/time_label.hpp"

namespace granary {
namespace {

TEST(TimeLabel, DecodesCfUnits) {
  EXPECT_EQ(render::format_cf_time(732, "hours since 1992-01-01 12:00:00"), "1992-02-01 00:00");
  EXPECT_EQ(render::format_cf_time(0, "seconds since 2018-01-01"), "2018-01-01 00:00");
  EXPECT_EQ(render::format_cf_time(86400 * 366 + 90, "seconds since 2018-01-01"), "2019-01-02 00:01");
  EXPECT_EQ(render::format_cf_time(1.5, "days since 2000-02-28"), "2000-02-29 12:00") << "2000 is a leap year";
  EXPECT_EQ(render::format_cf_time(3, "fortnights since 2000-01-01"), "3 fortnights since 2000-01-01");
}

}  // namespace
}  // namespace granary
