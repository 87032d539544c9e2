#pragma once
// An LLC model grid loaded from an MDS grid directory (XC.data/.meta, YC, ...).
// 2D fields are held in tile order (see layout.hpp), float64.
#include <cstdint>
#include <string>
#include <vector>

#include "grids/llc/layout.hpp"

namespace granary::llc {

struct Grid {
  Layout layout;
  int nz = 0;                       // number of vertical levels (RC size)
  std::string dir;                  // where it was loaded from
  // 2D, tile order, points() values each.
  std::vector<double> xc, yc, xg, yg, depth, dxg, dyg, angle_cs, angle_sn, rac;
  // 1D vertical: rc, drf (nz); rf (nz + 1).
  std::vector<double> rc, rf, drf;
  // hFacC per level, level-major (nz * points()). From hFacC.data when the directory has
  // it, else clamp((Depth + RF[k]) / DRF[k], 0, 1).
  std::vector<double> hfac_c;

  std::size_t points() const { return layout.points(); }
  const double* hfac_c_level(int k) const { return hfac_c.data() + static_cast<std::size_t>(k) * points(); }
  // wet(k) = hFacC(k) > 0, as bytes 0/1 in tile order.
  std::vector<std::uint8_t> wet_mask(int k) const;
  // max(DXG.max(), DYG.max()): the nearest-neighbour search bound of the lat-lon mapping.
  double max_cell_length() const;
};

// Loads the grid. nx is inferred from XC's .meta (dimList nx x 13nx). Missing required
// files (XC, YC, Depth, RC, RF, DRF, DXG, DYG) are errors naming the file.
Grid load_grid(const std::string& dir);

}  // namespace granary::llc
