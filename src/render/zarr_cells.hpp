#pragma once
// Per-cell statistics of a granary ATL06 Zarr store (group "<order>" holding 1-D arrays
// cell_ids = HEALPix nested ids, count, h_mean, ...), read with formats/zarr.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grids/healpix/latitude.hpp"

namespace granary::render {

struct CellField {
  std::string variable, units, long_name;
  int order = 0;
  std::vector<std::int64_t> nest;   // nested ids at `order`
  // How the cells were made (the store's declaration): where a cell lies on the map.
  healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical;
  std::vector<std::int64_t> count;  // points per cell (0: no data)
  std::vector<float> values;        // the variable, NaN where missing
  // "YYYY-MM-DD .. YYYY-MM-DD" from t_min/t_max when the store has them, else "".
  std::string time_label;
};

// order: the group to read (default: the first of the root's "child_orders", else the only
// numeric group). Cells come from `cell_ids`, or, in a store that has only the `morton`
// coordinate (zagg's), from its packed or legacy morton indices. Errors name the store and the problem (no store, no group, no variable,
// arrays of different lengths).
CellField read_zarr_cells(const std::string& uri, const std::string& variable, std::optional<int> order);

// A directory holding zarr.json or .zgroup.
bool looks_like_zarr(const std::string& path);

}  // namespace granary::render
