// mortie 1.x's own test vectors (../shared/data/mortie, copied from espg/mortie): the
// authalic conversion against its 60-digit references, the packed word at every order, and
// point -> cell under both latitude conventions, including healpix-geo's independent cells.
// The few vectors of mortie's documentation below run without the data.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include <nlohmann/json.hpp>

#include "grids/healpix/latitude.hpp"
#include "grids/healpix/morton.hpp"
#include "grids/healpix/packed_morton.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

using healpix::LatitudeConvention;
using nlohmann::json;

json load(const std::filesystem::path& dir, const char* name) {
  std::ifstream in(dir / "mortie" / name);
  if (!in) ADD_FAILURE() << "missing " << (dir / "mortie" / name);
  return in ? json::parse(in) : json();
}

// 1e-14 rad, the bound mortie's own tests enforce, in degrees.
constexpr double kConversionBoundDeg = 1e-14 * 180.0 / std::numbers::pi;

TEST(AuthalicLatitude, MatchesMortieReferenceWithin1e14Rad) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const json ref = load(data, "authalic_reference.json");
  int n = 0;
  for (const auto& pair : ref.at("forward_deg")) {
    const long double geodetic = std::stold(pair[0].get<std::string>());
    const long double authalic = std::stold(pair[1].get<std::string>());
    EXPECT_NEAR(healpix::authalic_from_geodetic(static_cast<double>(geodetic)), static_cast<double>(authalic), kConversionBoundDeg)
        << pair.dump();
    ++n;
  }
  for (const auto& pair : ref.at("inverse_deg")) {
    const long double authalic = std::stold(pair[0].get<std::string>());
    const long double geodetic = std::stold(pair[1].get<std::string>());
    EXPECT_NEAR(healpix::geodetic_from_authalic(static_cast<double>(authalic)), static_cast<double>(geodetic), kConversionBoundDeg)
        << pair.dump();
    ++n;
  }
  EXPECT_EQ(n, 102);
}

TEST(AuthalicLatitude, FixedPointsClampAndNonFinite) {
  for (double x : {0.0, 90.0, -90.0}) {
    EXPECT_EQ(healpix::authalic_from_geodetic(x), x);
    EXPECT_EQ(healpix::geodetic_from_authalic(x), x);
  }
  EXPECT_TRUE(std::isnan(healpix::authalic_from_geodetic(NAN)));
  EXPECT_EQ(healpix::authalic_from_geodetic(INFINITY), INFINITY);
  // Out of range stays out of range (never a valid pole cell); in range stays in range.
  EXPECT_GT(healpix::authalic_from_geodetic(95.0), 90.0);
  for (double x = -90; x <= 90; x += 0.001) {
    const double b = healpix::authalic_from_geodetic(x);
    ASSERT_LE(std::abs(b), 90.0);
    ASSERT_LE(std::abs(b - x), healpix::kMaxAuthalicShiftDeg);
    ASSERT_NEAR(healpix::geodetic_from_authalic(b), x, 1e-11);
  }
  // The largest divergence, near 45 degrees (mortie spec: 0.12830 at 45.055).
  EXPECT_NEAR(45.0 - healpix::authalic_from_geodetic(45.0), 0.12829713, 1e-7);
}

TEST(LatitudeConvention, TokensRoundTrip) {
  for (auto c : {LatitudeConvention::GeodeticSpherical, LatitudeConvention::AuthalicWgs84})
    EXPECT_EQ(healpix::parse_latitude(healpix::latitude_name(c)), c);
  EXPECT_FALSE(healpix::parse_latitude("authalic"));
  EXPECT_FALSE(healpix::parse_latitude(""));
}

TEST(PackedMorton, GoldenWordsAtOrders0To29) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const json golden = load(data, "packed_u64_golden.json");
  int n = 0, max_order = 0;
  for (const auto& r : golden.at("records")) {
    SCOPED_TRACE(r.dump());
    const int order = r.at("order");
    const std::int64_t nested = r.at("nested");
    const std::uint64_t word = r.at("word");
    EXPECT_EQ(nested >> (2 * order), r.at("base_cell").get<std::int64_t>());
    EXPECT_EQ(healpix::nest_to_packed(nested, order), word);
    const auto cell = healpix::packed_to_nest(word);
    EXPECT_EQ(cell.order, r.at("decoded_order").get<int>());
    EXPECT_EQ(cell.nest, r.at("roundtrip_nested").get<std::int64_t>());
    EXPECT_FALSE(cell.point);
    EXPECT_EQ(healpix::packed_decimal(word), r.at("decimal_repr").get<std::string>());
    // The tuples are the nested id's base-4 digits, coarsest first.
    std::int64_t from_tuples = r.at("base_cell").get<std::int64_t>();
    for (const auto& t : r.at("tuples")) from_tuples = (from_tuples << 2) | t.get<std::int64_t>();
    EXPECT_EQ(from_tuples, nested);
    max_order = std::max(max_order, order);
    ++n;
  }
  EXPECT_EQ(n, 1080);
  EXPECT_EQ(max_order, 29);
}

// Point -> cell as mortie computes it, under the convention the fixture was captured with.
void check_point_goldens(const json& g, LatitudeConvention latitude) {
  const auto& lats = g.at("inputs").at("lats");
  const auto& lons = g.at("inputs").at("lons");
  ASSERT_EQ(lats.size(), 10u);
  for (std::size_t i = 0; i < lats.size(); ++i) {
    const double lat = lats[i], lon = lons[i];
    SCOPED_TRACE(testing::Message() << "lat " << lat << " lon " << lon);
    EXPECT_EQ(healpix::nest29_to_packed_point(healpix::ang2nest(lat, lon, 29, latitude)), g.at("points_o29")[i].get<std::uint64_t>());
    for (int order : {6, 12, 18}) {
      const std::uint64_t want = g.at("area_o" + std::to_string(order))[i];
      EXPECT_EQ(healpix::nest_to_packed(healpix::ang2nest(lat, lon, order, latitude), order), want) << "order " << order;
    }
    // Cell centres go back through the inverse conversion (egress). mortie's kernel
    // (healpix-rs) and chealpix place centres up to ~5e-9 degrees apart (mortie's interchange
    // guide quotes ~2e-9 against cdshealpix): 1e-8 degrees is about a millimetre.
    const auto cell = healpix::packed_to_nest(g.at("area_o12")[i].get<std::uint64_t>());
    double clat = 0, clon = 0;
    healpix::nest2ang(cell.nest, cell.order, latitude, clat, clon);
    EXPECT_NEAR(clat, g.at("mort2geo_o12_lat")[i].get<double>(), 1e-8);
    EXPECT_NEAR(clon, g.at("mort2geo_o12_lon")[i].get<double>(), 1e-8);
  }
}

TEST(MortieGoldens, GeodeticSphericalPointsAndCentres) {
  GRANARY_REQUIRE_REAL_DATA(data);
  check_point_goldens(load(data, "legacy_geodetic_goldens.json"), LatitudeConvention::GeodeticSpherical);
}

TEST(MortieGoldens, AuthalicWgs84PointsAndCentres) {
  GRANARY_REQUIRE_REAL_DATA(data);
  check_point_goldens(load(data, "authalic_goldens.json"), LatitudeConvention::AuthalicWgs84);
}

TEST(MortieGoldens, HealpixGeoCellsUnderAuthalicWgs84) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const json g = load(data, "healpix_geo_goldens.json");
  ASSERT_EQ(g.at("ellipsoid"), "WGS84");
  const auto& lats = g.at("inputs").at("lats");
  const auto& lons = g.at("inputs").at("lons");
  int n = 0;
  for (const auto& [key, cells] : g.at("point_to_cell").items()) {
    const int depth = std::stoi(key.substr(key.find('_') + 1));
    for (std::size_t i = 0; i < lats.size(); ++i, ++n)
      EXPECT_EQ(healpix::ang2nest(lats[i].get<double>(), lons[i].get<double>(), depth, LatitudeConvention::AuthalicWgs84),
                cells[i].get<std::int64_t>())
          << key << " point " << i;
  }
  EXPECT_EQ(n, 30);
}

// Without the data: the worked examples of mortie's docs/healpix_interchange.md.
TEST(PackedMorton, DocumentedExamples) {
  // geo2mort(-80, 120, order=6) under the default (authalic) convention: cell 37010, base 9.
  const std::int64_t nest = healpix::ang2nest(-80.0, 120.0, 6, LatitudeConvention::AuthalicWgs84);
  EXPECT_EQ(nest, 37010);
  EXPECT_EQ(healpix::nest_to_packed(nest, 6), 11570310392668225542ull);
  const std::uint64_t w3 = healpix::nest_to_packed(healpix::ang2nest(-80.0, 120.0, 3, LatitudeConvention::AuthalicWgs84), 3);
  EXPECT_EQ(w3, 11565243843087433731ull);
  EXPECT_EQ(w3 >> 60, 10u);  // base cell 9 + 1: bit 63 set, never an int64
  // Order 14, cdshealpix/healpy parity in the geodetic-spherical frame, and the authalic ids.
  const double lats[] = {0.0, 41.8, -41.8, 80.0, -80.0, 12.3, -67.9};
  const double lons[] = {0.0, 45.0, 135.0, 200.0, 305.0, 91.5, 270.2};
  const std::int64_t spherical[] = {1275068416, 67108860, 2617245699, 800177021, 2962305922, 1556551876, 2997005193};
  const std::int64_t authalic[] = {1275068416, 67108035, 2617246524, 800176911, 2962307356, 1556547575, 2997355395};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(healpix::ang2nest(lats[i], lons[i], 14, LatitudeConvention::GeodeticSpherical), spherical[i]) << i;
    EXPECT_EQ(healpix::ang2nest(lats[i], lons[i], 14, LatitudeConvention::AuthalicWgs84), authalic[i]) << i;
  }
}

TEST(PackedMorton, RejectsMalformedWords) {
  EXPECT_THROW(healpix::packed_to_nest(0), Error);                              // null word
  EXPECT_THROW(healpix::packed_to_nest(std::uint64_t{13} << 60), Error);        // prefix 13
  EXPECT_THROW(healpix::packed_to_nest((std::uint64_t{1} << 60) | (1u << 6)), Error);  // order 0, tail set
  EXPECT_THROW(healpix::nest_to_packed(12, 0), Error);
  EXPECT_THROW(healpix::nest_to_packed(0, 30), Error);
  EXPECT_FALSE(healpix::is_valid_packed(~std::uint64_t{0}));
  // Points: order 29 with no area claim, rendered with "p", distinct from the area word.
  const std::int64_t nest29 = (std::int64_t{7} << 58) | 0x2d;
  const std::uint64_t point = healpix::nest29_to_packed_point(nest29);
  const auto cell = healpix::packed_to_nest(point);
  EXPECT_TRUE(cell.point);
  EXPECT_EQ(cell.nest, nest29);
  EXPECT_NE(point, healpix::nest_to_packed(nest29, 29));
  EXPECT_EQ(healpix::packed_decimal(point).back(), 'p');
  EXPECT_EQ(healpix::packed_decimal(point).substr(0, 2), "-2");
}

TEST(PackedMorton, RoundTripsAndSortsParentsFirst) {
  for (int order = 0; order <= 29; ++order) {
    const std::int64_t n = 12 * (std::int64_t{1} << (2 * order));
    for (std::int64_t nest : {std::int64_t{0}, n / 3 + 1, n - 1}) {
      const std::uint64_t w = healpix::nest_to_packed(nest, order);
      const auto c = healpix::packed_to_nest(w);
      ASSERT_EQ(c.order, order);
      ASSERT_EQ(c.nest, nest);
      if (order > 0) {
        ASSERT_LT(healpix::nest_to_packed(nest >> 2, order - 1), w) << "parent sorts before child";
      }
    }
  }
}

}  // namespace
}  // namespace granary
