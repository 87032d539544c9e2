#include "recipes/atl06/granule_cells.hpp"

#include <algorithm>
#include <set>

#include <hdf5.h>

#include "grids/healpix/morton.hpp"
#include "util/error.hpp"

namespace granary::atl06 {
namespace {
// TEMPORARY simple reader (full H5Dread); replaced by the chunk-parallel reader.
std::vector<double> read_f64(hid_t file, const std::string& path, const std::string& name) {
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) fail("{}: cannot open dataset {}", name, path);
  hid_t sp = H5Dget_space(ds);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  std::vector<double> v(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  herr_t rc = v.empty() ? 0 : H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(ds);
  if (rc < 0) fail("{}: cannot read {} (truncated or corrupt file?)", name, path);
  return v;
}
}  // namespace

std::vector<std::int64_t> granule_parent_cells(const std::string& path, int parent_order) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) fail("{}: cannot open as HDF5 (missing, truncated or not HDF5)", path);
  std::set<std::int64_t> cells;
  bool any = false;
  for (const char* beam : {"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"}) {
    std::string g = std::string("/") + beam + "/land_ice_segments";
    if (H5Lexists(f, (std::string("/") + beam).c_str(), H5P_DEFAULT) <= 0 ||
        H5Lexists(f, g.c_str(), H5P_DEFAULT) <= 0)
      continue;
    any = true;
    auto lat = read_f64(f, g + "/latitude", path);
    auto lon = read_f64(f, g + "/longitude", path);
    for (std::size_t i = 0; i < lat.size(); ++i)
      cells.insert(healpix::morton_parent(healpix::geo_to_morton(lat[i], lon[i], 18), parent_order));
  }
  H5Fclose(f);
  if (!any) fail("{}: not ATL06 layout (no gt*/land_ice_segments group)", path);
  return {cells.begin(), cells.end()};
}

}  // namespace granary::atl06
