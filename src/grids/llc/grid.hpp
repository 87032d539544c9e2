#pragma once
// An LLC model grid loaded from an MDS grid directory (XC.data/.meta, YC, ...).
// 2D fields are held in tile order (see layout.hpp), float64.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "grids/llc/layout.hpp"

namespace granary::llc {

// Where a value sits in a C-grid cell: the centre (tracers), the west face (u, i_g) or the
// south face (v, j_g).
enum class Location { C, W, S };
const char* to_string(Location loc);

struct Grid {
  Layout layout;
  int nz = 0;                       // number of vertical levels (RC size)
  std::string dir;                  // where it was loaded from
  // 2D, tile order, points() values each.
  // Required: xc, yc, depth, dxg, dyg. Optional (empty when the file is absent): the rest.
  std::vector<double> xc, yc, xg, yg, depth, dxg, dyg, angle_cs, angle_sn, rac, dxc, dyc;
  // 1D vertical: rc, drf (nz); rf (nz + 1).
  std::vector<double> rc, rf, drf;
  // hFacC per level, level-major (nz * points()). From hFacC.data when the directory has
  // it, else clamp((Depth + RF[k]) / DRF[k], 0, 1).
  std::vector<double> hfac_c;
  // hFacW / hFacS per level when the directory has hFacW.data / hFacS.data; empty otherwise
  // (then hfac() derives them from hFacC, as MITgcm does for a grid without them).
  std::vector<double> hfac_w_file, hfac_s_file;
  // maskC/W/S per level, level-major (nz * points() bytes each, 1 = wet): hFac > 0.
  std::vector<std::uint8_t> mask_c, mask_w, mask_s;

  std::size_t points() const { return layout.points(); }
  const double* hfac_c_level(int k) const { return hfac_c.data() + static_cast<std::size_t>(k) * points(); }
  // wet(k) = hFacC(k) > 0, as bytes 0/1 in tile order.
  std::vector<std::uint8_t> wet_mask(int k) const;
  // hFac at `loc`, level k, tile order. W and S without their files:
  //   hFacW(t,j,i) = min(hFacC(t,j,i), hFacC(t,j,i-1)),  hFacS(t,j,i) = min(hFacC(t,j,i), hFacC(t,j-1,i))
  // with the i-1 / j-1 cell taken across the tile edge (llc/connectivity.hpp), 0 where the
  // edge is the outside of the domain.
  std::vector<double> hfac(Location loc, int k) const;
  // mask(loc, k)[p] = hFac(loc, k)[p] > 0.
  std::vector<std::uint8_t> mask(Location loc, int k) const;
  const std::uint8_t* mask_level(Location loc, int k) const;
  // max(DXG.max(), DYG.max()): the nearest-neighbour search bound of the lat-lon mapping.
  double max_cell_length() const;
};

// Loads the grid. nx is inferred from XC's .meta (dimList nx x 13nx). Missing required
// files (XC, YC, Depth, RC, RF, DRF, DXG, DYG) are errors naming the file. Masks are built
// here (tens of milliseconds for LLC90 x 50 levels).
Grid load_grid(const std::string& dir);

// One 1D vertical grid field (RC, RF, DRF, ...: NAME.data, big-endian float64, with or
// without .meta); a missing file is an error naming it.
std::vector<double> read_grid_vector(const std::string& dir, const std::string& name);

// One 2D grid field (NAME.data, big-endian float64 compact, with or without .meta) in tile
// order; empty when absent and not `required`.
std::vector<double> read_grid_field(const std::string& dir, const std::string& name, const Layout& L,
                                    bool required = true);

}  // namespace granary::llc
