// GSHHG coastlines as Debian installs them (gmt-gshhg-low, from scripts/install-deps.sh):
// decoded positions land where the world's coasts are.
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "render/coastlines.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

// Distance in degrees (lon scaled by cos lat) from (lat, lon) to the nearest vertex.
double nearest_vertex(const std::vector<render::Polyline>& lines, double lat, double lon) {
  double best = 1e9;
  for (const auto& line : lines)
    for (const auto& p : line) {
      const double dlon = std::remainder(p.lon - lon, 360.0) * std::cos(lat * M_PI / 180);
      best = std::min(best, std::hypot(p.lat - lat, dlon));
    }
  return best;
}

class Coastlines : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto file = render::find_coastline_file();
    ASSERT_TRUE(file) << "no GSHHG coastlines: scripts/install-deps.sh installs Debian's gmt-gshhg-low";
    coast_ = std::make_unique<render::Coastlines>(render::read_coastlines(*file));
  }
  static inline std::unique_ptr<render::Coastlines> coast_;
};

TEST_F(Coastlines, ShorelinePassesKnownCapes) {
  ASSERT_TRUE(coast_);
  EXPECT_GT(coast_->shore.size(), 1000u);
  EXPECT_LT(nearest_vertex(coast_->shore, -34.83, 20.01), 0.3) << "Cape Agulhas";
  EXPECT_LT(nearest_vertex(coast_->shore, -55.98, -67.27), 0.3) << "Cape Horn";
  EXPECT_LT(nearest_vertex(coast_->shore, 71.17, 25.78), 0.3) << "Nordkapp";
  EXPECT_LT(nearest_vertex(coast_->shore, -43.64, 146.83), 0.3) << "South East Cape, Tasmania";
  EXPECT_GT(nearest_vertex(coast_->shore, -5, -120), 10) << "east Pacific, far from any island";
  for (const auto& line : coast_->shore)
    for (const auto& p : line) {
      ASSERT_GE(p.lon, 0.0);
      ASSERT_LE(p.lon, 360.0);
      ASSERT_GE(p.lat, -90.0);
      ASSERT_LE(p.lat, 90.0);
    }
}

TEST_F(Coastlines, AntarcticaHasIceFrontsAndAGroundingLine) {
  ASSERT_TRUE(coast_);
  ASSERT_GT(coast_->grounding_line.size(), 10u);
  double southernmost = 0;
  for (const auto& line : coast_->grounding_line)
    for (const auto& p : line) {
      EXPECT_LT(p.lat, -60) << "the grounding line is Antarctic";
      southernmost = std::min(southernmost, p.lat);
    }
  EXPECT_LT(southernmost, -84) << "the Ross Ice Shelf grounds near 85S";
  // The Ross Ice Shelf front (~78S at 180) is shoreline; the grounding line is ~500 km south.
  EXPECT_LT(nearest_vertex(coast_->shore, -78.3, 180), 1.0);
  EXPECT_GT(nearest_vertex(coast_->grounding_line, -78.3, 180), 2.0);
}

TEST(CoastlinesFile, EnvironmentOverridesAndBadFilesAreNamed) {
  test::TempDir tmp;
  const auto bogus = tmp / "not_gshhg.nc";
  std::ofstream(bogus) << "not netCDF";
  ::setenv("GRANARY_COASTLINES", bogus.c_str(), 1);
  const auto found = render::find_coastline_file();
  ::unsetenv("GRANARY_COASTLINES");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, bogus);
  const std::string message = test::error_of([&] { render::read_coastlines(bogus); });
  EXPECT_NE(message.find("not_gshhg.nc"), std::string::npos) << message;
}

}  // namespace
}  // namespace granary
