// The optional CF grid mapping of ECCO lat-lon products (config grid_mapping, `ecco run
// --grid-mapping`), on the synthetic demo set: off by default (the products stay as the
// original makes them, which PO.DAAC publishes), on it adds one scalar `crs` and a
// grid_mapping on the data variables and changes no value; native products never get one.
// Read back through the project's netCDF reader (netCDF-C).
#include <gtest/gtest.h>
#include <netcdf.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "formats/netcdf/reader.hpp"
#include "grids/llc/grid.hpp"
#include "ops/regrid/factors.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/demo_run.hpp"
#include "recipes/ecco/product_task.hpp"
#include "recipes/ecco/synth_fields.hpp"
#include "recipes/ecco/task_context.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {
namespace fs = std::filesystem;

class EccoGridMapping : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    ecco::synth::SynthOptions opt;
    opt.nx = 12;
    opt.levels = 3;
    opt.months = 1;
    opt.days = 0;
    ecco::synth::write_synthetic_ecco(dir_->path().string(), opt);
    ecco::write_demo_metadata(dir_->path() / "metadata", "llc0012");
    ecco::write_demo_run_files(dir_->path().string(), opt.nx);
    auto grid = llc::load_grid((dir_->path() / "grid").string());
    regrid::Factors::build(grid, grid.nz, 0.5, 2).save((dir_->path() / "factors.bin").string());
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // The product of one January-1992 monthly task, written under products-{on|off}/.
  static fs::path product(bool grid_mapping, ecco::Product product, int grouping) {
    auto config = ecco::load_run_config(dir_->path() / "config.yaml");
    EXPECT_FALSE(config.grid_mapping) << "the demo config leaves it off";
    config.grid_mapping = grid_mapping;
    config.processed_output_dir = (dir_->path() / (grid_mapping ? "products-on" : "products-off")).string();
    auto ctx = ecco::make_task_context(config, product == ecco::Product::Latlon);
    ecco::ProductTask task;
    task.grouping = grouping;
    task.product = product;
    task.frequency = ecco::Frequency::AvgMon;
    task.timestep = 732;
    auto r = ecco::run_product_task(*ctx, task, /*overwrite=*/true);
    EXPECT_EQ(r["status"], "SUCCESS") << r.dump(1);
    return r.value("output", std::string());
  }

  static std::vector<std::string> variables(const nc::NcFile& f) {
    int n = 0;
    f.check(nc_inq_nvars(f.id(), &n), "nc_inq_nvars");
    std::vector<std::string> names;
    for (int v = 0; v < n; ++v) names.push_back(f.var_name(v));
    return names;
  }
  // Names of the variables that carry a grid_mapping attribute.
  static std::vector<std::string> mapped(const nc::NcFile& f) {
    std::vector<std::string> names;
    for (const auto& name : variables(f))
      if (nc_inq_att(f.id(), *f.var_id(name), "grid_mapping", nullptr, nullptr) == NC_NOERR) names.push_back(name);
    return names;
  }

  static inline std::unique_ptr<test::TempDir> dir_;
};

TEST_F(EccoGridMapping, DefaultLatlonProductsHaveNoCrsAndNoGridMapping) {
  const nc::NcFile ssh(product(false, ecco::Product::Latlon, 0));
  EXPECT_EQ(variables(ssh), (std::vector<std::string>{"SSH", "time", "time_bnds", "latitude", "longitude",
                                                      "latitude_bnds", "longitude_bnds"}));
  EXPECT_TRUE(mapped(ssh).empty());
  const nc::NcFile ts(product(false, ecco::Product::Latlon, 1));
  EXPECT_FALSE(ts.var_id("crs"));
  EXPECT_TRUE(mapped(ts).empty());
}

TEST_F(EccoGridMapping, OnEveryLatlonDataVariableNamesTheWgs84Crs) {
  for (int grouping : {0, 1}) {  // SSH (2D); THETA and SALT (3D)
    const nc::NcFile f(product(true, ecco::Product::Latlon, grouping));
    const auto crs = f.var_id("crs");
    ASSERT_TRUE(crs) << f.path();
    EXPECT_TRUE(f.dim_names(*crs).empty()) << "crs is a scalar";
    nc_type type = NC_NAT;
    f.check(nc_inq_vartype(f.id(), *crs, &type), "nc_inq_vartype");
    EXPECT_EQ(type, NC_INT);
    EXPECT_EQ(f.text_attribute(*crs, "grid_mapping_name"), "latitude_longitude");
    EXPECT_EQ(f.number_attribute(*crs, "semi_major_axis"), 6378137.0);
    EXPECT_EQ(f.number_attribute(*crs, "inverse_flattening"), 298.257223563);
    EXPECT_EQ(f.number_attribute(*crs, "longitude_of_prime_meridian"), 0.0);
    const auto wkt = f.text_attribute(*crs, "crs_wkt");
    EXPECT_NE(wkt.find("GEOGCRS[\"WGS 84\""), std::string::npos) << wkt;
    EXPECT_NE(wkt.find("ID[\"EPSG\",4326]"), std::string::npos) << wkt;
    EXPECT_EQ(f.text_attribute(*crs, "spatial_ref"), wkt);
    const auto expected = grouping == 0 ? std::vector<std::string>{"SSH"} : std::vector<std::string>{"THETA", "SALT"};
    EXPECT_EQ(mapped(f), expected) << "only the data variables, not the coordinates or bounds";
    for (const auto& name : expected) EXPECT_EQ(f.text_attribute(*f.var_id(name), "grid_mapping"), "crs") << name;
  }
}

TEST_F(EccoGridMapping, ChangesNoValueAndNoOtherAttribute) {
  const nc::NcFile off(product(false, ecco::Product::Latlon, 0));
  const nc::NcFile on(product(true, ecco::Product::Latlon, 0));
  const auto a = off.read_all<float>("SSH"), b = on.read_all<float>("SSH");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  for (const char* name : {"SSH", "latitude", "longitude"}) {
    int off_atts = 0, on_atts = 0;
    off.check(nc_inq_varnatts(off.id(), *off.var_id(name), &off_atts), name);
    on.check(nc_inq_varnatts(on.id(), *on.var_id(name), &on_atts), name);
    EXPECT_EQ(on_atts, off_atts + (std::string(name) == "SSH" ? 1 : 0)) << name;
  }
}

TEST_F(EccoGridMapping, NativeProductsNeverGetOne) {
  const nc::NcFile f(product(true, ecco::Product::Native, 0));
  EXPECT_FALSE(f.var_id("crs")) << "an LLC tile product has no lat-lon grid to map";
  EXPECT_TRUE(mapped(f).empty());
}

}  // namespace
}  // namespace granary
