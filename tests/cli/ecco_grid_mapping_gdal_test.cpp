// A third party reads the CRS of ECCO lat-lon products: GDAL (Debian gdal-bin) converts one
// 2-D field of a synthetic `ecco run` product, and of an `ecco regrid` file, to GeoTIFF.
// With --grid-mapping the GeoTIFF's CRS is EPSG:4326 (WGS 84); without it GDAL 3.6 finds the
// same geotransform in the coordinates but reports no CRS at all (it does not guess WGS 84).
// Either way the half-degree pixels start at (-180, 90), north up: GDAL flips the
// south-to-north rows, and a pixel read back by longitude/latitude is the product's value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/netcdf/reader.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

bool have(const char* tool) { return test::run_command(std::string("command -v ") + tool).exit_code == 0; }

std::string find_one(const fs::path& dir, const std::string& part) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(part) != std::string::npos) return e.path().string();
  return {};
}

class EccoGridMappingGdal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    const fs::path d = dir_->path() / "ecco";
    auto run = [](const std::string& args) {
      const auto r = test::run_granary("--log-level warn " + args);
      ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    };
    run("ecco synth --out " + q(d) + " --nx 12 --levels 2 --timesteps 1 --days 0");
    run("ecco factors --grid " + q(d / "grid") + " --out " + q(d / "factors.bin"));
    // SSH on both grids; a second config writes the --grid-mapping run elsewhere.
    files::write_atomic(d / "jobs-ssh.txt", std::string("0,latlon,AVG_MON,all\n0,native,AVG_MON,all\n"));
    auto config = files::read_text(d / "config.yaml");
    const std::string key = "processed_output_dir: products\n";
    ASSERT_NE(config.find(key), std::string::npos) << config;
    config.replace(config.find(key), key.size(), "processed_output_dir: products-mapped\n");
    files::write_atomic(d / "config-mapped.yaml", config);
    run("ecco run --config " + q(d / "config.yaml") + " --jobs " + q(d / "jobs-ssh.txt") + " -j 1");
    run("ecco run --config " + q(d / "config-mapped.yaml") + " --jobs " + q(d / "jobs-ssh.txt") + " -j 1 --grid-mapping");
    plain_ = find_one(d / "products" / "latlon", "SEA_SURFACE_HEIGHT_mon_mean");
    mapped_ = find_one(d / "products-mapped" / "latlon", "SEA_SURFACE_HEIGHT_mon_mean");
    mapped_native_ = find_one(d / "products-mapped" / "native", "SEA_SURFACE_HEIGHT_mon_mean");
    const auto field = find_one(d / "model_output" / "diags_monthly" / "SSH_mon_mean", ".data");
    regridded_ = (dir_->path() / "ssh_regrid.nc").string();
    run("ecco regrid --factors " + q(d / "factors.bin") + " --field " + q(field) + " --out " + q(regridded_) +
        " --grid-mapping");
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override {
    if (!have("gdal_translate") || !have("gdalinfo") || !have("gdallocationinfo"))
      GTEST_SKIP() << "gdal_translate/gdalinfo/gdallocationinfo not found: scripts/install-deps.sh installs gdal-bin";
    ASSERT_FALSE(plain_.empty());
    ASSERT_FALSE(mapped_.empty());
  }

  // gdal_translate NETCDF:"nc":variable -> GeoTIFF; its `gdalinfo -json`.
  static json to_geotiff(const std::string& nc, const std::string& variable, const fs::path& tif) {
    const auto t = test::run_command("gdal_translate -q -of GTiff " + q("NETCDF:\"" + nc + "\":" + variable) + " " +
                                     q(tif) + " 2>&1");
    EXPECT_EQ(t.exit_code, 0) << t.out;
    const auto info = test::run_command("gdalinfo -json " + q(tif));
    EXPECT_EQ(info.exit_code, 0) << info.err;
    return info.exit_code == 0 ? json::parse(info.out) : json::object();
  }
  // The GeoTIFF's value at a longitude/latitude in its georeferencing.
  static double value_at(const fs::path& tif, double lon, double lat) {
    const auto r = test::run_command("gdallocationinfo -valonly -geoloc " + q(tif) + " " + std::to_string(lon) + " " +
                                     std::to_string(lat));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::stod(r.out);
  }
  static std::string wkt_of(const json& info) {
    return info.contains("coordinateSystem") ? info["coordinateSystem"].value("wkt", std::string()) : std::string();
  }
  // The 0.5-degree pixels of a 720 x 360 grid from (-180, 90), rows running south.
  static void expect_half_degree_from_the_north_west(const json& info) {
    EXPECT_EQ(info["size"], json::array({720, 360}));
    EXPECT_EQ(info["geoTransform"], json::array({-180.0, 0.5, 0.0, 90.0, 0.0, -0.5})) << info["geoTransform"];
  }

  static inline std::unique_ptr<test::TempDir> dir_;
  static inline std::string plain_, mapped_, mapped_native_, regridded_;
};

TEST_F(EccoGridMappingGdal, WithGridMappingTheGeoTiffIsEpsg4326) {
  const auto tif = dir_->path() / "mapped.tif";
  const auto info = to_geotiff(mapped_, "SSH", tif);
  const auto wkt = wkt_of(info);
  EXPECT_NE(wkt.find("GEOGCRS[\"WGS 84\""), std::string::npos) << wkt;
  EXPECT_NE(wkt.find("ID[\"EPSG\",4326]"), std::string::npos) << wkt;
  if (info.contains("stac")) {
    EXPECT_EQ(info["stac"].value("proj:epsg", 0), 4326) << info["stac"].dump();
  }
  const auto srs = test::run_command("gdalsrsinfo -o epsg " + q(tif));
  EXPECT_NE(srs.out.find("EPSG:4326"), std::string::npos) << srs.out << srs.err;
  expect_half_degree_from_the_north_west(info);

  // A pixel found by its longitude/latitude holds the product's value there (row 180 is
  // latitude 0.25 counted from the south, column 60 longitude -149.75, mid Pacific).
  const nc::NcFile product(mapped_);
  const auto ssh = product.read_all<float>("SSH");
  const float expected = ssh[180 * 720 + 60];
  ASSERT_LT(std::abs(expected), 1e30f) << "an ocean cell";
  EXPECT_EQ(static_cast<float>(value_at(tif, -149.75, 0.25)), expected);
  EXPECT_EQ(static_cast<float>(value_at(tif, -149.75, -0.25)), ssh[179 * 720 + 60]);
}

TEST_F(EccoGridMappingGdal, WithoutItGdalFindsTheGridButNoCrs) {
  const auto info = to_geotiff(plain_, "SSH", dir_->path() / "plain.tif");
  EXPECT_EQ(wkt_of(info), "") << "GDAL 3.6 does not guess a CRS from latitude/longitude names";
  if (info.contains("stac")) {
    EXPECT_FALSE(info["stac"].contains("proj:epsg")) << info["stac"].dump();
  }
  expect_half_degree_from_the_north_west(info);
}

TEST_F(EccoGridMappingGdal, RegridGridMappingIsEpsg4326Too) {
  const auto info = to_geotiff(regridded_, "SSH", dir_->path() / "regrid.tif");
  EXPECT_NE(wkt_of(info).find("ID[\"EPSG\",4326]"), std::string::npos) << wkt_of(info);
  expect_half_degree_from_the_north_west(info);
}

TEST_F(EccoGridMappingGdal, NativeProductsOfAGridMappingRunHaveNoCrsAndTheReportSaysItWasOn) {
  ASSERT_FALSE(mapped_native_.empty());
  const nc::NcFile f(mapped_native_);
  EXPECT_FALSE(f.var_id("crs"));
  EXPECT_EQ(f.text_attribute(*f.var_id("SSH"), "grid_mapping"), "");

  for (const char* products : {"products", "products-mapped"}) {
    const auto report_file = find_one(dir_->path() / "ecco" / products / "reports", "run-");
    ASSERT_FALSE(report_file.empty()) << products;
    const auto report = json::parse(files::read_text(report_file));
    const bool on = std::string(products) == "products-mapped";
    EXPECT_EQ(report["context"].value("grid_mapping", !on), on) << products;
    EXPECT_EQ(report.value("command", std::string()).find("--grid-mapping") != std::string::npos, on)
        << "the retry command keeps the flag: " << report.value("command", std::string());
  }
}

}  // namespace
}  // namespace granary
