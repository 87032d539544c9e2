// The recipes behind run::Recipe, listed in cli/recipes.cpp: found by name, and their own
// words for a retry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/recipes.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;
using testing::HasSubstr;

TEST(Recipes, AreListedAndFoundByName) {
  EXPECT_EQ(recipe_names(), (std::vector<std::string>{"ecco", "atl06"}));
  for (const auto& name : recipe_names()) EXPECT_EQ(make_recipe(name)->name(), name);
  EXPECT_THAT(test::error_of([] { make_recipe("modis"); }), HasSubstr("unknown recipe 'modis' (known: ecco, atl06)"));
}

TEST(Recipes, EccoRetryHintIsJobsFileLinesOfTheFailedTimesteps) {
  const auto ecco = make_recipe("ecco");
  auto task = [](int grouping, const char* frequency, int timestep) {
    return json{{"grouping", grouping}, {"product", "latlon"}, {"frequency", frequency}, {"timestep", timestep}};
  };
  const auto hint = ecco->retry_hint({task(1, "AVG_MON", 2172), task(1, "AVG_MON", 1428), task(3, "AVG_DAY", 12)});
  EXPECT_THAT(hint.heading, HasSubstr("jobs file"));
  EXPECT_EQ(hint.lines, (std::vector<std::string>{"1,latlon,AVG_MON,[1428, 2172]", "3,latlon,AVG_DAY,[12]"}));
  EXPECT_TRUE(ecco->retry_hint({}).lines.empty());
  EXPECT_TRUE(make_recipe("atl06")->retry_hint({json{{"parent_morton", -4113213}}}).lines.empty());
}

TEST(Recipes, EccoRefusesParametersWithoutAConfig) {
  EXPECT_THAT(test::error_of([] { make_recipe("ecco")->prepare(json::object()); }), HasSubstr("no config_yaml"));
}

}  // namespace
}  // namespace granary::cli
