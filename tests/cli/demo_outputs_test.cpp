// Every output of the demo, as the README tour makes it, looked at the way a user would:
// synthetic ECCO output -> factors -> products -> lat-lon, polar and native maps; synthetic
// ATL06 granules over Antarctica -> catalog -> store -> cell map; `granary info` on each
// kind of output. Land must be grey where the demo grid has land, and the maps must carry
// coastlines and a graticule.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "recipes/ecco/synth_grid.hpp"
#include "render/coastlines.hpp"
#include "render/image.hpp"
#include "render/map_overlays.hpp"
#include "render/png.hpp"
#include "support/image_support.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using render::Image;
using render::Rgba;

std::string find_one(const fs::path& dir, const std::string& part) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(part) != std::string::npos) return e.path().string();
  return {};
}

class DemoOutputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    const std::string d = dir_->path().string();
    auto run = [](const std::string& args) {
      const auto r = test::run_granary("--log-level warn " + args);
      ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    };
    run("ecco synth --out " + d + "/ecco --levels 3 --timesteps 1 --days 1");
    run("ecco factors --grid " + d + "/ecco/grid --out " + d + "/ecco/factors.bin");
    run("ecco run --config " + d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 1");
    ssh_latlon_ = find_one(dir_->path() / "ecco" / "products" / "latlon", "SEA_SURFACE_HEIGHT_mon_mean");
    ssh_native_ = find_one(dir_->path() / "ecco" / "products" / "native", "SEA_SURFACE_HEIGHT_mon_mean");
    // Three tracks across East and West Antarctica.
    run("atl06 synth --out " + d + "/atl06/granules --granules 3 --segments-per-beam 20000 --surface antarctica "
        "--cell -3121311,-4114312,-5112322");
    run("atl06 catalog --granules " + d + "/atl06/granules --out " + d + "/atl06/catalog.json");
    run("atl06 run --catalog " + d + "/atl06/catalog.json --out " + d + "/atl06/atl06.zarr -j 1 --report " + d +
        "/atl06/report.json");
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static Image quicklook(const std::string& args, const std::string& name) {
    const std::string out = (dir_->path() / name).string();
    const auto r = test::run_granary("quicklook " + args + " --out " + out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return render::read_png(out);
  }
  static inline std::unique_ptr<test::TempDir> dir_;
  static inline std::string ssh_latlon_, ssh_native_;
};

TEST_F(DemoOutputs, LatLonSshHasLandWhereTheDemoGridHasLand) {
  ASSERT_FALSE(ssh_latlon_.empty());
  const Image page = quicklook(ssh_latlon_ + " --cmap balance --coastlines none", "ssh_latlon.png");
  EXPECT_GT(page.width(), 900);
  // The map: 720 x 360 half-degree cells drawn one pixel each, centred under the title.
  const int x0 = (page.width() - 720) / 2;
  int y0 = 0;
  while (y0 < page.height() && page.at(x0 + 360, y0) != render::kBlack) ++y0;  // the frame's top edge
  ++y0;
  struct Place {
    const char* name;
    double lat, lon;
  };
  for (const Place& p : {Place{"central Africa", 5, 20}, Place{"inland Australia", -25, 133}, Place{"East Antarctica", -80, 90},
                         Place{"Siberia", 62, 100}, Place{"Amazonia", -5, -60}}) {
    ASSERT_TRUE(ecco::synth::is_land(p.lon, p.lat)) << p.name;
    EXPECT_EQ(page.at(x0 + static_cast<int>((p.lon + 180) * 2), y0 + static_cast<int>((90 - p.lat) * 2)), render::kLandGrey) << p.name;
  }
  for (const Place& p : {Place{"mid Pacific", 0, -150}, Place{"Southern Ocean", -58, 0}, Place{"North Atlantic", 35, -40},
                         Place{"Indian Ocean", -20, 80}}) {
    ASSERT_FALSE(ecco::synth::is_land(p.lon, p.lat)) << p.name;
    const Rgba c = page.at(x0 + static_cast<int>((p.lon + 180) * 2), y0 + static_cast<int>((90 - p.lat) * 2));
    EXPECT_TRUE(c != render::kLandGrey && c != render::kWhite) << p.name;
  }
}

TEST_F(DemoOutputs, EveryTypeRendersWithContent) {
  ASSERT_TRUE(render::find_coastline_file()) << "no GSHHG coastlines: scripts/install-deps.sh installs gmt-gshhg-low";
  const Image latlon = quicklook(ssh_latlon_ + " --cmap balance", "a.png");
  EXPECT_GT(test::count_colour(latlon, render::kCoastColour), 2000u);
  const Image polar = quicklook(ssh_latlon_ + " --cmap balance --projection south-polar", "b.png");
  EXPECT_GT(test::count_colour(polar, render::kLandGrey), 50000u) << "Antarctica";
  EXPECT_GT(test::count_colour(polar, render::kGraticuleColour), 1000u);
  const Image native = quicklook(ssh_native_ + " --cmap balance", "c.png");
  EXPECT_GT(native.width(), 900);
  EXPECT_GT(test::count_colour(native, render::kLandGrey), 50000u);
  const Image native_polar = quicklook(ssh_native_ + " --projection north-polar", "d.png");
  EXPECT_GT(test::count_colour(native_polar, render::kLandGrey), 20000u) << "Greenland, Eurasia, North America";
  for (const auto* page : {&latlon, &polar, &native, &native_polar}) EXPECT_GT(test::distinct_colours(*page), 100u);
}

TEST_F(DemoOutputs, Atl06StoreIsAnAntarcticMap) {
  const Image page = quicklook((dir_->path() / "atl06" / "atl06.zarr").string(), "atl06.png");
  EXPECT_GE(std::max(page.width(), page.height()), 800);
  EXPECT_GT(test::count_colour(page, render::kCoastColour), 300u) << "the Antarctic coast is in the frame";
  EXPECT_GT(test::count_colour(page, render::kGroundingLineColour), 100u);
  EXPECT_GT(test::count_colour(page, render::kGraticuleColour), 500u);
  std::size_t coloured = 0;
  for (const auto& p : page.pixels())
    coloured += !(p == render::kWhite || p == render::kBlack || p == Rgba{235, 240, 245} || p == render::kCoastColour ||
                  p == render::kGroundingLineColour || p == render::kGraticuleColour);
  EXPECT_GT(coloured, 3000u) << "cells with data, the colour bar and labels";
}

TEST_F(DemoOutputs, InfoDescribesEveryKindOfOutput) {
  const fs::path d = dir_->path();
  auto info_json = [](const std::string& path) {
    const auto r = test::run_granary("info --json " + path);
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  };
  const auto factors = info_json((d / "ecco" / "factors.bin").string());
  EXPECT_EQ(factors.value("format", ""), "granary mapping factors");
  ASSERT_EQ(factors["per_level"].size(), 3u);
  EXPECT_GT(factors["per_level"][0]["ocean"].get<long>(), factors["per_level"][2]["ocean"].get<long>() - 1);
  EXPECT_EQ(factors["target"]["nlat"], 360);

  const auto catalog = info_json((d / "atl06" / "catalog.json").string());
  EXPECT_EQ(catalog.value("format", ""), "granary ATL06 catalog");
  EXPECT_EQ(catalog["granules"], 3);
  EXPECT_GE(catalog["cells"].get<int>(), 3);

  const auto report = info_json((d / "atl06" / "report.json").string());
  EXPECT_EQ(report.value("format", ""), "granary run report");
  EXPECT_TRUE(report["failures"].empty());
  EXPECT_NE(test::run_granary("info " + (d / "atl06" / "report.json").string()).out.find("Nothing left to retry"), std::string::npos);

  EXPECT_EQ(info_json(ssh_latlon_).value("format", ""), "netCDF-4");
  EXPECT_EQ(info_json(ssh_native_).value("format", ""), "netCDF-4");
  EXPECT_EQ(info_json((d / "atl06" / "atl06.zarr").string()).value("format", ""), "Zarr v3");
  quicklook(ssh_latlon_, "for_info.png");
  const auto png = info_json((d / "for_info.png").string());
  EXPECT_EQ(png.value("format", ""), "PNG");
  EXPECT_GT(png.value("width", 0), 900);

  std::ofstream(d / "other.json") << R"({"a": 1})";
  const auto r = test::run_granary("info " + (d / "other.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("other.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace granary
