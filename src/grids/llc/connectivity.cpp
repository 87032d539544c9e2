#include "grids/llc/connectivity.hpp"

namespace granary::llc {
namespace {

constexpr Edge kOutside{};
constexpr Edge e(int tile, Side side, bool reversed = false) { return Edge{tile, side, reversed}; }
using enum Side;

// [tile][side W, E, S, N]; see the table in the header.
constexpr std::array<std::array<Edge, 4>, kTiles> kEdges{{
    {e(12, N, true), e(3, W), kOutside, e(1, S)},
    {e(11, N, true), e(4, W), e(0, N), e(2, S)},
    {e(10, N, true), e(5, W), e(1, N), e(6, W, true)},
    {e(0, E), e(9, S, true), kOutside, e(4, S)},
    {e(1, E), e(8, S, true), e(3, N), e(5, S)},
    {e(2, E), e(7, S, true), e(4, N), e(6, S)},
    {e(2, N, true), e(7, W), e(5, N), e(10, W, true)},
    {e(6, E), e(8, W), e(5, E, true), e(10, S)},
    {e(7, E), e(9, W), e(4, E, true), e(11, S)},
    {e(8, E), kOutside, e(3, E, true), e(12, S)},
    {e(6, N, true), e(11, W), e(7, N), e(2, W, true)},
    {e(10, E), e(12, W), e(8, N), e(1, W, true)},
    {e(11, E), kOutside, e(9, N), e(0, W, true)},
}};

int normal_axis(Side s) { return s == W || s == E ? 0 : 1; }
// +1 when the tile's index increases towards this side (E, N), -1 otherwise.
int outward_sign(Side s) { return s == E || s == N ? 1 : -1; }

}  // namespace

const char* to_string(Side s) {
  switch (s) {
    case W: return "W";
    case E: return "E";
    case S: return "S";
    case N: return "N";
  }
  return "?";
}

Edge neighbour(int tile, Side side) { return kEdges.at(tile)[static_cast<int>(side)]; }

std::optional<Located> locate(int nx, int tile, int x2, int y2) {
  const int n2 = 2 * nx;
  Located at{tile, x2, y2, {AxisImage{0, 1}, AxisImage{1, 1}}};
  // One hop reaches a halo cell or face; a tile corner may take up to three (tile 10's
  // north-east corner is tile 2's (0, 0) by way of tiles 11 and 1). Around a cube vertex
  // that no tile owns as a (0, 0) corner the hops go round in a circle: give up.
  for (int hop = 0; hop <= 4; ++hop) {
    Side side;
    if (at.x2 < 0) side = W;
    else if (at.x2 >= n2) side = E;
    else if (at.y2 < 0) side = S;
    else if (at.y2 >= n2) side = N;
    else return at;
    if (hop == 4) break;
    const Edge to = neighbour(at.tile, side);
    if (!to.exists()) return std::nullopt;
    const bool across_x = normal_axis(side) == 0;
    const int along = across_x ? at.y2 : at.x2;
    const int depth = across_x ? (side == W ? -at.x2 : at.x2 - n2) : (side == S ? -at.y2 : at.y2 - n2);
    const int along_there = to.reversed ? n2 - along : along;
    switch (to.side) {
      case W: at.x2 = depth, at.y2 = along_there; break;
      case E: at.x2 = n2 - depth, at.y2 = along_there; break;
      case S: at.x2 = along_there, at.y2 = depth; break;
      case N: at.x2 = along_there, at.y2 = n2 - depth; break;
    }
    // Our normal axis continues as the neighbour's inward normal; our along axis as theirs,
    // flipped when the edge is reversed.
    const int n_here = normal_axis(side), n_there = normal_axis(to.side);
    const int normal_sign = outward_sign(side) * -outward_sign(to.side);
    const int along_sign = to.reversed ? -1 : 1;
    for (auto& a : at.axes) {
      if (a.axis == n_here) a = AxisImage{n_there, a.sign * normal_sign};
      else a = AxisImage{1 - n_there, a.sign * along_sign};
    }
    at.tile = to.tile;
  }
  return std::nullopt;
}

std::optional<TileIndex> cell_at(const Layout& L, int tile, int j, int i) {
  auto at = locate(L.nx, tile, 2 * i + 1, 2 * j + 1);
  if (!at) return std::nullopt;
  return TileIndex{at->tile, at->y2 / 2, at->x2 / 2};
}

std::optional<TileIndex> corner_owner(const Layout& L, int tile, int j, int i) {
  auto at = locate(L.nx, tile, 2 * i, 2 * j);
  if (!at) return std::nullopt;
  return TileIndex{at->tile, at->y2 / 2, at->x2 / 2};
}

std::vector<std::int64_t> adjacent_cells(const Layout& L, Side side) {
  const int di = side == W ? -1 : side == E ? 1 : 0;
  const int dj = side == S ? -1 : side == N ? 1 : 0;
  std::vector<std::int64_t> out(L.points());
  for (int t = 0; t < kTiles; ++t)
    for (int j = 0; j < L.nx; ++j)
      for (int i = 0; i < L.nx; ++i) {
        const int jj = j + dj, ii = i + di;
        std::int64_t q = -1;
        if (jj >= 0 && jj < L.nx && ii >= 0 && ii < L.nx) {
          q = static_cast<std::int64_t>(L.index(t, jj, ii));
        } else if (auto c = cell_at(L, t, jj, ii)) {
          q = static_cast<std::int64_t>(L.index(c->tile, c->j, c->i));
        }
        out[L.index(t, j, i)] = q;
      }
  return out;
}

}  // namespace granary::llc
