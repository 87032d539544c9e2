#include <gtest/gtest.h>

#include "recipes/ecco/naming.hpp"

namespace granary::ecco {
namespace {

Grouping ssh(Product p) {
  Grouping g;
  g.product = p;
  g.name = "dynamic sea surface height";
  g.filename = "SEA_SURFACE_HEIGHT";
  g.dimension = "2D";
  g.fields = {"SSH"};
  return g;
}

TEST(EccoNaming, MonthlyDailyAndSnapshotNames) {
  EXPECT_EQ(product_file_name(ssh(Product::Latlon), time_info(Frequency::AvgMon, 732)),
            "SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc");
  EXPECT_EQ(product_file_name(ssh(Product::Latlon), time_info(Frequency::AvgDay, 12)),
            "SEA_SURFACE_HEIGHT_day_mean_1992-01-01_ECCO_V4r4_latlon_0p50deg.nc");
  EXPECT_EQ(product_file_name(ssh(Product::Native), time_info(Frequency::AvgDay, 36)),
            "SEA_SURFACE_HEIGHT_day_mean_1992-01-02_ECCO_V4r4_native_llc0090.nc");
  EXPECT_EQ(product_file_name(ssh(Product::Native), time_info(Frequency::Snap, 12)),
            "SEA_SURFACE_HEIGHT_snap_1992-01-02T000000_ECCO_V4r4_native_llc0090.nc");
}

TEST(EccoNaming, DirectoriesFollowProductPeriodAndGrouping) {
  EXPECT_EQ(product_relative_dir(ssh(Product::Latlon), Frequency::AvgMon), "latlon/mon_mean/SEA_SURFACE_HEIGHT");
  EXPECT_EQ(product_relative_dir(ssh(Product::Native), Frequency::Snap), "native/day_inst/SEA_SURFACE_HEIGHT");
  EXPECT_EQ(product_relative_path(ssh(Product::Latlon), time_info(Frequency::AvgDay, 36)),
            "latlon/day_mean/SEA_SURFACE_HEIGHT/SEA_SURFACE_HEIGHT_day_mean_1992-01-02_ECCO_V4r4_latlon_0p50deg.nc");
}

TEST(EccoNaming, ProductStringsChangeVersionAndLabels) {
  auto s = ProductStrings::from_map({{"ecco_version", "V4r5"}, {"grid_label_latlon", "0p25deg"}}, "cfg");
  EXPECT_EQ(product_file_name(ssh(Product::Latlon), time_info(Frequency::AvgMon, 732), s),
            "SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r5_latlon_0p25deg.nc");
}

TEST(EccoNaming, DatasetPatternIgnoresTheDateAndVersion) {
  auto p = dataset_file_pattern(ssh(Product::Latlon), Frequency::AvgMon);
  EXPECT_TRUE(p.matches("SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc"));
  EXPECT_TRUE(p.matches("SEA_SURFACE_HEIGHT_mon_mean_2010-07_ECCO_V4r5_latlon_0p50deg.nc"));
  EXPECT_FALSE(p.matches("SEA_SURFACE_HEIGHT_day_mean_1992-01-01_ECCO_V4r4_latlon_0p50deg.nc"));
  EXPECT_FALSE(p.matches("SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_native_llc0090.nc"));
  EXPECT_FALSE(p.matches("OCEAN_SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc"));
}

}  // namespace
}  // namespace granary::ecco
