#pragma once
// The four corners of every LLC cell, for the XC_bnds / YC_bnds coordinates of ECCO V4r4
// native files: (tile, j, i, nb = 4), counter-clockwise from the south-west corner in
// tile-local index space: corners (i, j), (i+1, j), (i+1, j+1), (i, j+1). The south-west
// corner of cell (t, j, i) is XG/YG at (t, j, i).
#include <string>
#include <vector>

#include "grids/llc/layout.hpp"

namespace granary::llc {

struct CellCorners {
  Layout layout;
  std::vector<double> lon, lat;  // points() * 4, C order over (tile, j, i, nb), degrees
  std::string source;            // where they came from, for messages

  std::size_t at(std::size_t point, int nb) const { return point * 4 + static_cast<std::size_t>(nb); }
};

// From grid_dir/tile00{1..5}.mitgrid (xG, yG) when all five exist; when none exists, from
// XG.data / YG.data of grid_dir with corners_from_xg_yg. Some but not all mitgrid files is
// an error naming the missing ones.
CellCorners load_cell_corners(const std::string& grid_dir, const Layout& L);

CellCorners corners_from_mitgrid(const std::string& grid_dir, const Layout& L);

// XG/YG hold only south-west corners; the others come from the neighbouring cells through the
// tile connectivity. Corners on the outside of the domain (the south edge of faces 1, 2, 4,
// 5) are extrapolated linearly (on the unit sphere) from the two nearest corners inward.
CellCorners corners_from_xg_yg(const std::vector<double>& xg, const std::vector<double>& yg, const Layout& L);

}  // namespace granary::llc
