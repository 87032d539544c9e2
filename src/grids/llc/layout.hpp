#pragma once
// The lat-lon-cap (LLC) layout: 13 square tiles of nx x nx (LLC90: nx = 90).
// Points are numbered in C order over (tile, j, i): p = (nx*t + j)*nx + i.
// MITgcm's "compact" files store the 5 faces as one nx-wide array of 13*nx rows:
//   tiles 0..6  : compact[(nx*t + j)*nx + i]                      (faces 1, 2, 3 unrotated)
//   tiles 7..12 : compact[F0 + j*3nx + nx*((t-7)%3) + i]          (faces 4, 5, rotated)
//                 F0 = 7nx^2 for t = 7..9, 10nx^2 for t = 10..12.
#include <cstddef>
#include <cstdint>
#include <span>

namespace granary::llc {

inline constexpr int kTiles = 13;

struct Layout {
  int nx = 90;
  std::size_t tile_points() const { return static_cast<std::size_t>(nx) * nx; }
  std::size_t points() const { return kTiles * tile_points(); }
  std::size_t index(int tile, int j, int i) const {
    return (static_cast<std::size_t>(tile) * nx + j) * nx + i;
  }
  // Offset in the compact array of point (tile, j, i).
  std::size_t compact_index(int tile, int j, int i) const {
    if (tile < 7) return index(tile, j, i);
    std::size_t f0 = (tile < 10 ? 7 : 10) * tile_points();
    return f0 + static_cast<std::size_t>(j) * 3 * nx + static_cast<std::size_t>(nx) * ((tile - 7) % 3) + i;
  }
};

// compact (points() values) -> tile order (points() values), for one level.
template <typename Src, typename Dst>
void compact_to_tiles(const Layout& L, const Src* compact, Dst* tiles) {
  const std::size_t head = 7 * L.tile_points();
  for (std::size_t p = 0; p < head; ++p) tiles[p] = static_cast<Dst>(compact[p]);
  for (int t = 7; t < kTiles; ++t)
    for (int j = 0; j < L.nx; ++j) {
      const Src* row = compact + L.compact_index(t, j, 0);
      Dst* out = tiles + L.index(t, j, 0);
      for (int i = 0; i < L.nx; ++i) out[i] = static_cast<Dst>(row[i]);
    }
}

template <typename Src, typename Dst>
void tiles_to_compact(const Layout& L, const Src* tiles, Dst* compact) {
  const std::size_t head = 7 * L.tile_points();
  for (std::size_t p = 0; p < head; ++p) compact[p] = static_cast<Dst>(tiles[p]);
  for (int t = 7; t < kTiles; ++t)
    for (int j = 0; j < L.nx; ++j) {
      const Src* in = tiles + L.index(t, j, 0);
      Dst* row = compact + L.compact_index(t, j, 0);
      for (int i = 0; i < L.nx; ++i) row[i] = static_cast<Dst>(in[i]);
    }
}

}  // namespace granary::llc
