// The lat/lon box that prefilters points before the exact HEALPix index must never reject
// a point of the cell: checked on random points around cells of every kind (equatorial,
// polar caps, the pole cells, across the antimeridian).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "grids/healpix/cell_bounds.hpp"
#include "grids/healpix/morton.hpp"

namespace granary::healpix {
namespace {

void expect_box_holds_cell(std::int64_t nest, int order, std::mt19937_64& rng) {
  const CellBox box = cell_box(nest, order);
  double clat, clon;
  nest2ang(nest, order, clat, clon);
  const double size = 58.6323 / (1 << order);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  int inside = 0;
  for (int i = 0; i < 4000; ++i) {
    const double lat = std::clamp(clat + u(rng) * size, -90.0, 90.0);
    const double coslat = std::max(0.02, std::cos(lat * M_PI / 180));
    double lon = clon + u(rng) * size / coslat;
    if (lon > 180) lon -= 360;  // ATL06 longitudes are in [-180, 180]
    if (ang2nest(lat, lon, order) != nest) continue;
    ++inside;
    ASSERT_TRUE(box.contains(lat, lon)) << "order " << order << " cell " << nest << ": point " << lat << ", " << lon
                                        << " is in the cell but outside the box";
  }
  EXPECT_GT(inside, 100) << "sampling missed cell " << nest;
}

TEST(HealpixCellBox, ContainsEveryPointOfTheCell) {
  std::mt19937_64 rng(7);
  for (int order : {0, 1, 3, 6, 9}) {
    const std::int64_t n = 12LL << (2 * order);
    std::uniform_int_distribution<std::int64_t> pick(0, n - 1);
    for (int k = 0; k < (order == 0 ? 12 : 40); ++k) expect_box_holds_cell(order == 0 ? k : pick(rng), order, rng);
  }
}

TEST(HealpixCellBox, PoleAndAntimeridianCells) {
  std::mt19937_64 rng(11);
  for (int order : {2, 6}) {
    const std::int64_t npface = 1LL << (2 * order);
    for (std::int64_t nest : {ang2nest(89.99, 10.0, order), ang2nest(-89.99, 200.0, order), ang2nest(-89.99, 30.0, order)}) {
      EXPECT_TRUE(cell_box(nest, order).all_lons) << nest;
      expect_box_holds_cell(nest, order, rng);
    }
    for (double lat : {-75.0, -20.0, 0.5, 45.0, 80.0}) expect_box_holds_cell(ang2nest(lat, 179.99, order), order, rng);
    (void)npface;
  }
}

TEST(HealpixCellBox, IsTight) {
  // A box far larger than its cell would make the prefilter useless.
  const CellBox box = cell_box(morton_to_nest(-4113213).nest, 6);
  EXPECT_LT(box.lat_max - box.lat_min, 2.0);
  EXPECT_FALSE(box.all_lons);
  EXPECT_LT(box.dlon_max - box.dlon_min, 8.0);
}

}  // namespace
}  // namespace granary::healpix
