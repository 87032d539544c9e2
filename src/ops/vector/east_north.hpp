#pragma once
// Model-grid vector components (x on the west face, y on the south face of each cell) to
// eastward/northward components at cell centres, as ECCO's production does with ecco_v4_py
// UEVNfromUXVY (xgcm interp_2d_vector, boundary "fill" with 0, then the rotation):
//   u, v multiplied by maskW, maskS (no-op on MITgcm output, which holds 0 on dry faces)
//   uc(i) = (u(i) + u(i+1)) / 2,   vc(j) = (v(j) + v(j+1)) / 2
//   E = uc AngleCS - vc AngleSN,   N = uc AngleSN + vc AngleCS
// u(i+1) on a tile's east edge is the east neighbour's west-face value: its u, or, on a
// rotated neighbour, its v (llc/connectivity.hpp); the same holds for v(j+1) on north edges.
// The component normal to a seam never changes sign on the LLC grid (the outward normal of
// one tile is the inward normal of the next); only tangential components do, and centring
// does not use them. Outside the domain the face value is 0.
// Cells whose own faces are dry get the interpolation of whatever is wet (0 when nothing
// is): mask them with maskC for output.
#include "grids/llc/grid.hpp"

namespace granary::vec {

// One level: u, v, east, north hold grid.points() values in tile order. k selects the
// maskW/maskS level (0 for 2D fields). float64 arithmetic, float32 results.
// Needs AngleCS/AngleSN in the grid (error naming the grid directory otherwise).
void velocity_to_east_north(const llc::Grid& grid, int k, const float* u, const float* v, float* east, float* north);

}  // namespace granary::vec
