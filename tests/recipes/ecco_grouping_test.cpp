#include <gtest/gtest.h>

#include <string>

#include "recipes/ecco/grouping.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

const char* kGroupings = R"([
  {"name": "ocean velocity", "fields": "EVEL, NVEL, WVELMASS ",
   "field_components": {"EVEL": {"x": "UVEL", "y": "VVEL"}, "NVEL": {"x": "UVEL", "y": "VVEL"}},
   "field_orientations": {"EVEL": "zonal", "NVEL": "meridional"},
   "product": "latlon", "variable_rename": "WVELMASS:WVEL",
   "filename": "OCEAN_VELOCITY", "dimension": "3D", "frequency": "AVG_DAY, AVG_MON"},
  {"name": "mixing", "fields": "DIFFKR", "product": "latlon", "filename": "MIX", "dimension": "3D",
   "frequency": "TI", "comment": "time invariant"}
])";

std::string error_of(const std::string& json, Product p = Product::Latlon) {
  try {
    parse_groupings(json, p, "g.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(EccoGrouping, ParsesVectorsRenamesAndFrequencies) {
  auto g = parse_groupings(kGroupings, Product::Latlon, "g.json");
  ASSERT_EQ(g.size(), 2u);
  const auto& vel = g[0];
  EXPECT_EQ(vel.index, 0);
  EXPECT_EQ(vel.product, Product::Latlon);
  EXPECT_EQ(vel.fields, (std::vector<std::string>{"EVEL", "NVEL", "WVELMASS"}));
  EXPECT_EQ(vel.frequencies, (std::vector<Frequency>{Frequency::AvgDay, Frequency::AvgMon}));
  EXPECT_TRUE(vel.is_3d());
  EXPECT_TRUE(vel.is_vector("EVEL"));
  EXPECT_EQ(vel.components.at("NVEL"), (std::pair<std::string, std::string>{"UVEL", "VVEL"}));
  EXPECT_EQ(vel.orientations.at("EVEL"), "zonal");
  EXPECT_EQ(vel.input_fields(), (std::vector<std::string>{"UVEL", "VVEL", "WVELMASS"}));
  EXPECT_EQ(vel.output_name("WVELMASS"), "WVEL");
  EXPECT_EQ(vel.output_name("EVEL"), "EVEL");
  EXPECT_EQ(vel.output_names(), (std::vector<std::string>{"EVEL", "NVEL", "WVEL"}));
  EXPECT_TRUE(vel.comment.empty());

  EXPECT_TRUE(g[1].time_invariant);
  EXPECT_TRUE(g[1].frequencies.empty());
  EXPECT_EQ(g[1].index, 1);
  EXPECT_EQ(g[1].comment, "time invariant");
}

TEST(EccoGrouping, ParsesNamesOfProductsAndFrequencies) {
  EXPECT_EQ(parse_product("LatLon"), Product::Latlon);
  EXPECT_EQ(parse_product("native"), Product::Native);
  EXPECT_FALSE(parse_product("1D"));
  EXPECT_EQ(parse_frequency("snapshot"), Frequency::Snap);
  EXPECT_EQ(parse_frequency("avg_mon"), Frequency::AvgMon);
  EXPECT_FALSE(parse_frequency("AVG_YEAR"));
  EXPECT_EQ(to_string(Frequency::AvgDay), "AVG_DAY");
  EXPECT_EQ(to_string(Product::Latlon), "latlon");
  EXPECT_EQ(layout_of(Frequency::Snap).suffix, "day_inst");
}

TEST(EccoGrouping, ErrorsNameTheFileEntryAndKey) {
  auto e = error_of(R"([{"name": "a", "filename": "A", "dimension": "2D", "frequency": "AVG_MON"}])");
  EXPECT_NE(e.find("g.json"), std::string::npos) << e;
  EXPECT_NE(e.find("entry 0"), std::string::npos) << e;
  EXPECT_NE(e.find("'fields'"), std::string::npos) << e;

  e = error_of(R"([{"name": "a", "fields": "X", "filename": "A", "dimension": "2D", "frequency": "AVG_YEAR"}])");
  EXPECT_NE(e.find("AVG_YEAR"), std::string::npos) << e;
  e = error_of(R"([{"name": "a", "fields": "X", "filename": "A", "dimension": "4D", "frequency": "SNAP"}])");
  EXPECT_NE(e.find("4D"), std::string::npos) << e;
  e = error_of(R"([{"name": "a", "fields": "X", "filename": "A", "dimension": "2D", "frequency": "SNAP",
                   "variable_rename": "Y:Z"}])");
  EXPECT_NE(e.find("'Y'"), std::string::npos) << e;
  e = error_of(R"([{"name": "a", "fields": "X", "filename": "A", "dimension": "2D", "frequency": "SNAP",
                   "product": "native"}])");
  EXPECT_NE(e.find("product 'native'"), std::string::npos) << e;
  e = error_of(R"([{"name": "a", "fields": "X", "filename": "A", "dimension": "2D", "frequency": "SNAP",
                   "field_components": {"X": {"x": "U"}}}])");
  EXPECT_NE(e.find("\"y\""), std::string::npos) << e;
  e = error_of(R"([{"name": "a", )");
  EXPECT_NE(e.find("g.json: invalid JSON"), std::string::npos) << e;
  e = error_of(R"({"name": "a"})");
  EXPECT_NE(e.find("list"), std::string::npos) << e;
}

}  // namespace
}  // namespace granary::ecco
