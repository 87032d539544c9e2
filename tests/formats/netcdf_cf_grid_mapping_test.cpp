// The CF latitude_longitude grid mapping (formats/netcdf/cf_grid_mapping): written through
// the project's writer, read back through netCDF-C: one scalar int `crs` with the WGS 84
// parameters and WKT, and grid_mapping on exactly the variables that span the grid.
#include <gtest/gtest.h>
#include <netcdf.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "formats/netcdf/cf_grid_mapping.hpp"
#include "formats/netcdf/reader.hpp"
#include "formats/netcdf/writer.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;

// time x latitude x longitude = 1 x 3 x 4, with coordinates and bounds as the ECCO products have.
struct SmallGrid {
  std::vector<float> values = std::vector<float>(12, 1.5f);
  std::vector<float> lat{-1, 0, 1}, lon{0, 1, 2, 3}, lat_bnds = std::vector<float>(6), lon_bnds = std::vector<float>(8);
  std::vector<std::int32_t> time{0};
  nc::Dataset ds;

  SmallGrid() {
    ds.dimensions = {{"time", 1}, {"latitude", 3}, {"longitude", 4}, {"nv", 2}};
    auto add = [&](std::string name, std::vector<std::string> dims, nc::Type type, std::span<const std::byte> data) {
      nc::Variable v;
      v.name = std::move(name);
      v.dims = std::move(dims);
      v.type = type;
      v.data = data;
      ds.variables.push_back(std::move(v));
    };
    add("SSH", {"time", "latitude", "longitude"}, nc::Type::Float32, nc::Dataset::bytes(values));
    add("ETAN", {"time", "latitude", "longitude"}, nc::Type::Float32, nc::Dataset::bytes(values));
    add("time", {"time"}, nc::Type::Int32, nc::Dataset::bytes(time));
    add("latitude", {"latitude"}, nc::Type::Float32, nc::Dataset::bytes(lat));
    add("longitude", {"longitude"}, nc::Type::Float32, nc::Dataset::bytes(lon));
    add("latitude_bnds", {"latitude", "nv"}, nc::Type::Float32, nc::Dataset::bytes(lat_bnds));
    add("longitude_bnds", {"longitude", "nv"}, nc::Type::Float32, nc::Dataset::bytes(lon_bnds));
  }
};

TEST(NetcdfCfGridMapping, ScalarCrsWithWgs84ParametersAndWkt) {
  test::TempDir dir;
  SmallGrid grid;
  nc::add_wgs84_grid_mapping(grid.ds);
  const auto path = dir / "mapped.nc";
  nc::write_netcdf(grid.ds, path.string());

  nc::NcFile f(path);
  const auto crs = f.var_id("crs");
  ASSERT_TRUE(crs) << "no crs variable";
  EXPECT_TRUE(f.dim_names(*crs).empty()) << "crs must be a scalar";
  nc_type type = NC_NAT;
  ASSERT_EQ(nc_inq_vartype(f.id(), *crs, &type), NC_NOERR);
  EXPECT_EQ(type, NC_INT);
  EXPECT_EQ(f.text_attribute(*crs, "grid_mapping_name"), "latitude_longitude");
  EXPECT_EQ(f.number_attribute(*crs, "semi_major_axis"), 6378137.0);
  EXPECT_EQ(f.number_attribute(*crs, "inverse_flattening"), 298.257223563);
  EXPECT_EQ(f.number_attribute(*crs, "longitude_of_prime_meridian"), 0.0);
  const auto wkt = f.text_attribute(*crs, "crs_wkt");
  EXPECT_EQ(wkt.rfind("GEOGCRS[\"WGS 84\"", 0), 0u) << wkt;
  EXPECT_NE(wkt.find("ELLIPSOID[\"WGS 84\",6378137,298.257223563"), std::string::npos) << wkt;
  EXPECT_NE(wkt.find("AXIS[\"geodetic latitude (Lat)\",north"), std::string::npos) << wkt;
  EXPECT_NE(wkt.find("AXIS[\"geodetic longitude (Lon)\",east"), std::string::npos) << wkt;
  EXPECT_EQ(wkt.size() - wkt.rfind("ID[\"EPSG\",4326]]"), std::string("ID[\"EPSG\",4326]]").size()) << wkt;
  EXPECT_EQ(f.text_attribute(*crs, "spatial_ref"), wkt);

  for (const char* name : {"SSH", "ETAN"})
    EXPECT_EQ(f.text_attribute(*f.var_id(name), "grid_mapping"), "crs") << name;
  for (const char* name : {"time", "latitude", "longitude", "latitude_bnds", "longitude_bnds"})
    EXPECT_EQ(f.text_attribute(*f.var_id(name), "grid_mapping"), "") << name << " is not on the grid";
}

TEST(NetcdfCfGridMapping, WithoutItTheFileHasNoCrs) {
  test::TempDir dir;
  SmallGrid grid;
  const auto path = dir / "plain.nc";
  nc::write_netcdf(grid.ds, path.string());
  nc::NcFile f(path);
  EXPECT_FALSE(f.var_id("crs"));
  EXPECT_EQ(f.text_attribute(*f.var_id("SSH"), "grid_mapping"), "");
}

TEST(NetcdfCfGridMapping, RefusesATakenNameAndADatasetWithoutTheGrid) {
  SmallGrid twice;
  nc::add_wgs84_grid_mapping(twice.ds);
  EXPECT_NE(test::error_of([&] { nc::add_wgs84_grid_mapping(twice.ds); }).find("already has a variable 'crs'"),
            std::string::npos);

  SmallGrid other;
  EXPECT_NE(test::error_of([&] { nc::add_wgs84_grid_mapping(other.ds, "j", "i"); }).find("no variable spans both 'j' and 'i'"),
            std::string::npos);
}

}  // namespace
}  // namespace granary
