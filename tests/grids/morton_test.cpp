// The legacy morton index: every row of ../shared/data/morton_vectors.csv (mortie 0.5.2's
// values), and round trips at every order without external data.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "grids/healpix/morton.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') out.push_back(cur), cur.clear();
    else cur.push_back(c);
  }
  out.push_back(cur);
  return out;
}

std::vector<std::int64_t> ints(const std::string& text) {
  std::vector<std::int64_t> v;
  std::istringstream in(text);
  std::int64_t x;
  while (in >> x) v.push_back(x);
  return v;
}

TEST(MortonVectors, EveryRowMatches) {
  GRANARY_REQUIRE_REAL_DATA(data);
  std::ifstream in(data / "morton_vectors.csv");
  ASSERT_TRUE(in) << "morton_vectors.csv missing";
  std::string line;
  std::getline(in, line);  // header
  int rows = 0, geo = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_csv(line);
    ASSERT_GE(f.size(), 7u) << line;
    const std::string& kind = f[0];
    SCOPED_TRACE(line);
    ++rows;
    if (kind == "geo") {
      int order = std::stoi(f[3]);
      double lat = std::stod(f[1]), lon = std::stod(f[2]);
      EXPECT_EQ(healpix::ang2nest(lat, lon, order), std::stoll(f[5]));
      EXPECT_EQ(healpix::geo_to_morton(lat, lon, order), std::stoll(f[4]));
      auto cell = healpix::morton_to_nest(std::stoll(f[4]));
      EXPECT_EQ(cell.order, order);
      EXPECT_EQ(cell.nest, std::stoll(f[5]));
      ++geo;
    } else if (kind == "decode") {
      auto cell = healpix::morton_to_nest(std::stoll(f[4]));
      EXPECT_EQ(cell.nest, std::stoll(f[5]));
      EXPECT_EQ(cell.order, std::stoi(f[3]));
    } else if (kind == "invalid") {
      EXPECT_FALSE(healpix::is_valid_morton(std::stoll(f[4])));
      EXPECT_THROW(healpix::morton_to_nest(std::stoll(f[4])), Error);
    } else if (kind == "children") {
      EXPECT_EQ(healpix::morton_children(std::stoll(f[4]), std::stoi(f[3])), ints(f[6]));
    } else if (kind == "children_range") {
      auto kids = healpix::morton_children(std::stoll(f[4]), std::stoi(f[3]));
      auto want = ints(f[6]);  // first last count first_nest last_nest
      ASSERT_EQ(want.size(), 5u);
      EXPECT_EQ(kids.front(), want[0]);
      EXPECT_EQ(kids.back(), want[1]);
      EXPECT_EQ(static_cast<std::int64_t>(kids.size()), want[2]);
      EXPECT_EQ(healpix::morton_to_nest(kids.front()).nest, want[3]);
      EXPECT_EQ(healpix::morton_to_nest(kids.back()).nest, want[4]);
    } else if (kind == "parent") {
      EXPECT_EQ(healpix::morton_parent(std::stoll(f[4]), std::stoi(f[3])), std::stoll(f[6]));
    } else if (kind == "center") {
      double lat = 0, lon = 0;
      auto cell = healpix::morton_to_nest(std::stoll(f[4]));
      healpix::nest2ang(cell.nest, cell.order, lat, lon);
      EXPECT_NEAR(lat, std::stod(f[1]), 1e-9);
      EXPECT_NEAR(lon, std::stod(f[2]), 1e-9);
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
    }
  }
  EXPECT_GT(rows, 500);
  EXPECT_GT(geo, 500);
}

TEST(Morton, RoundTripsAtEveryOrder) {
  std::mt19937_64 rng(42);
  for (int order = 0; order <= healpix::kMaxOrder; ++order) {
    const std::int64_t cells = 12 * (std::int64_t{1} << (2 * order));
    std::uniform_int_distribution<std::int64_t> pick(0, cells - 1);
    for (int n = 0; n < 200; ++n) {
      std::int64_t nest = n < 2 ? (n == 0 ? 0 : cells - 1) : pick(rng);
      auto m = healpix::nest_to_morton(nest, order);
      EXPECT_EQ(healpix::morton_order(m), order);
      auto back = healpix::morton_to_nest(m);
      ASSERT_EQ(back.nest, nest) << "order " << order << " morton " << m;
      // The cell centre maps back to the same cell, and the parent is a prefix.
      double lat, lon;
      healpix::nest2ang(nest, order, lat, lon);
      EXPECT_EQ(healpix::ang2nest(lat, lon, order), nest);
      if (order > 0) {
        EXPECT_EQ(healpix::morton_to_nest(healpix::morton_parent(m, order - 1)).nest, nest >> 2);
      }
    }
  }
}

TEST(Morton, RejectsBadInput) {
  EXPECT_THROW(healpix::ang2nest(0, 0, 30), Error);  // nested ids reach order 29
  EXPECT_THROW(healpix::nest_to_morton(0, 19), Error);  // the decimal index stops at 18
  EXPECT_THROW(healpix::ang2nest(0, 0, -1), Error);
  EXPECT_THROW(healpix::morton_parent(5411111, 7), Error);
  EXPECT_THROW(healpix::morton_children(5411111, 5), Error);
  EXPECT_THROW(healpix::nest_to_morton(12 * 4096, 6), Error);
  EXPECT_FALSE(healpix::is_valid_morton(INT64_MIN));
  EXPECT_EQ(healpix::morton_children(-5111131, 7), (std::vector<std::int64_t>{-51111311, -51111312, -51111313, -51111314}));
}

}  // namespace
}  // namespace granary
