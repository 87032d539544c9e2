#pragma once
// The CF grid mapping of a regular latitude-longitude grid on WGS 84 (CF 1.8+ section 5.6
// and Appendix F): a scalar variable holding the mapping's parameters and its WKT, named by
// the `grid_mapping` attribute of every data variable on the grid. Without one, a reader
// such as GDAL finds the grid's geotransform from the coordinates but no CRS.
#include <string>

#include "formats/netcdf/dataset.hpp"

namespace granary::nc {

// EPSG:4326 (WGS 84, geographic 2D, latitude then longitude) in WKT2:2019, as PROJ 9.1
// writes it (`gdalsrsinfo -o wkt2 EPSG:4326 --single-line`); ID["EPSG",4326] lets readers
// recognise the CRS by its code.
extern const char* const kWgs84Wkt2;

// The scalar int `name` variable (value 0; what it holds is its attributes):
// grid_mapping_name = "latitude_longitude", semi_major_axis, inverse_flattening and
// longitude_of_prime_meridian of WGS 84, crs_wkt and spatial_ref (GDAL's key), both kWgs84Wkt2.
Variable wgs84_latitude_longitude_mapping(const std::string& name = "crs");

// Appends that variable to `ds` and sets grid_mapping = name on every variable that has
// both `lat_dim` and `lon_dim` among its dimensions (the data variables of the grid; the
// coordinates and their bounds span at most one of them). Fails if `ds` already has a
// variable called `name`, or if no variable lies on the grid.
void add_wgs84_grid_mapping(Dataset& ds, const std::string& lat_dim = "latitude",
                            const std::string& lon_dim = "longitude", const std::string& name = "crs");

}  // namespace granary::nc
