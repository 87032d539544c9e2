#pragma once
// How the 13 LLC tiles join: which tile edge meets which, in which direction, and what that
// does to vector components. Verified on the real LLC90 grid (tests/grids/llc_connectivity_test):
// across every edge the cell centres are DXC/DYC apart and the shared corners coincide.
//
// Tile-local index space: i (x) runs along a row, j (y) across rows. Tiles 0-5 (faces 1, 2)
// and 6 (the arctic cap) have x eastward-ish and y northward-ish. Tiles 7-12 (faces 4, 5)
// are rotated: x runs southward and y eastward. Sides: W is i = -1, E is i = nx, S is j = -1,
// N is j = nx.
//
//   tile   W            E            S            N
//    0     12 N rev     3 W          outside      1 S
//    1     11 N rev     4 W          0 N          2 S
//    2     10 N rev     5 W          1 N          6 W rev
//    3      0 E         9 S rev      outside      4 S
//    4      1 E         8 S rev      3 N          5 S
//    5      2 E         7 S rev      4 N          6 S
//    6      2 N rev     7 W          5 N         10 W rev
//    7      6 E         8 W          5 E rev     10 S
//    8      7 E         9 W          4 E rev     11 S
//    9      8 E         outside      3 E rev     12 S
//   10      6 N rev    11 W          7 N          2 W rev
//   11     10 E        12 W          8 N          1 W rev
//   12     11 E         outside      9 N          0 W rev
//
// "rev" means the index along the edge runs the other way in the neighbour: halo cell
// (t=0, j, i=-1) is (12, nx-1, nx-1-j). Edges that swap axes (x meets y) are always reversed,
// because a 90-degree turn that keeps the sphere's orientation flips one of the two axes.
// This is the same topology as xgcm's LLC face_connections (ecco_v4_py get_llc_grid), where
// an axis swap implies the reversal.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "grids/llc/layout.hpp"

namespace granary::llc {

enum class Side : std::uint8_t { W = 0, E = 1, S = 2, N = 3 };
const char* to_string(Side s);

struct Edge {
  int tile = -1;        // -1: this side is the outside of the domain (south of Antarctica)
  Side side = Side::W;  // the neighbour's side that meets ours
  bool reversed = false;
  bool exists() const { return tile >= 0; }
};

// The tile edge across `side` of `tile` (0..12).
Edge neighbour(int tile, Side side);

// One tile axis of the starting frame as seen in another tile: +axis of the start equals
// sign * (+axis `axis`) of the tile where a point was found. axis 0 = x (i), 1 = y (j).
struct AxisImage {
  int axis = 0;
  int sign = 1;
};

// A point of a tile's index space in half-cell units: x2 = 2*i for a west face (u point)
// or a corner, 2*i + 1 for a centre (likewise y2 with j). Points outside [0, 2nx) are
// followed across tile edges, one edge at a time (x first).
struct Located {
  int tile = -1;
  int x2 = 0, y2 = 0;                 // in [0, 2nx) of `tile`
  std::array<AxisImage, 2> axes{};    // the start tile's x and y axes, in `tile`'s frame
};
// nullopt when the point is outside the domain. Points past a tile corner diagonally are
// resolved through the x neighbour first; where three tiles meet (cube vertices) such
// points are not uniquely defined, so use them only for corners (x2, y2 both even).
std::optional<Located> locate(int nx, int tile, int x2, int y2);

struct TileIndex {
  int tile = -1, j = 0, i = 0;
};
// The cell at (tile, j, i) where i or j may be one step outside the tile (-1 or nx):
// a halo cell. nullopt outside the domain.
std::optional<TileIndex> cell_at(const Layout& L, int tile, int j, int i);
// The cell whose south-west corner (XG, YG) is tile corner (j, i), 0 <= i, j <= nx
// (j or i = nx: corners on the north/east edge). nullopt when no cell has that point as its
// south-west corner: on the outside edge of the domain, and at the cube vertex where tiles
// 2, 6 and 10 all have their north-west corner.
std::optional<TileIndex> corner_owner(const Layout& L, int tile, int j, int i);

// For every point p (tile order), the point index of the adjacent cell across `side`
// (p's i-1, i+1, j-1 or j+1 cell, through tile edges), -1 outside the domain.
std::vector<std::int64_t> adjacent_cells(const Layout& L, Side side);

}  // namespace granary::llc
