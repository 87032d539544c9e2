#include <gtest/gtest.h>

#include "recipes/ecco/config.hpp"
#include "recipes/ecco/product_strings.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

TEST(EccoProductStrings, DefaultsAreTheV4r4ProductionValues) {
  ProductStrings s;
  EXPECT_EQ(s.ecco_version, "V4r4");
  EXPECT_EQ(s.product_version, "Version 4, Release 4");
  EXPECT_EQ(s.doi_prefix, "10.5067");
  EXPECT_DOUBLE_EQ(s.geospatial_vertical_min, -6134.5);
  EXPECT_EQ(s.dataset_description_tail_latlon.rfind(" interpolated to a regular 0.5-degree grid", 0), 0u);
  EXPECT_EQ(s.clock().time_units(), "hours since 1992-01-01 12:00:00");
}

TEST(EccoProductStrings, FromRunConfig) {
  auto config = parse_run_config(R"(
ecco_version: V4r4
model_output_dir: out
processed_output_dir: products
mapping_factors: factors.bin
metadata_dir: metadata
grid_dir: grid
model_start_time: "1992-01-01T12:00:00"
model_end_time: "2017-12-31T12:00:00"
history: second run
geospatial_vertical_min: -5000
creator_name: me
)",
                                 "run.yaml");
  auto s = product_strings_of(config);
  EXPECT_EQ(s.history, "second run");
  EXPECT_DOUBLE_EQ(s.geospatial_vertical_min, -5000.0);
  EXPECT_EQ(s.extra.at("creator_name"), "me");
  EXPECT_EQ(s.model_end_time, "2017-12-31T12:00:00");

  try {
    ProductStrings::from_map({{"geospatial_vertical_min", "deep"}}, "run.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("run.yaml: geospatial_vertical_min 'deep'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ProductStrings::from_map({{"model_start_time", "soon"}}, "run.yaml"), Error);
}

}  // namespace
}  // namespace granary::ecco
