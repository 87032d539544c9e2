#include "render/grid_maps.hpp"

#include <algorithm>
#include <array>

namespace granary::render {
namespace {
constexpr int kTargetWidth = 1000;

struct TileSlot {
  int tile, column, row;
};
constexpr std::array<TileSlot, 13> kLlcLayout{{
    {0, 0, 3}, {1, 0, 2}, {2, 0, 1},
    {3, 1, 3}, {4, 1, 2}, {5, 1, 1},
    {6, 1, 0},
    {7, 2, 1}, {8, 2, 2}, {9, 2, 3},
    {10, 3, 1}, {11, 3, 2}, {12, 3, 3},
}};
// Tiles 7-12 store i southward and j eastward.
bool is_rotated_tile(int tile) { return tile >= 7; }
}  // namespace

Image render_latlon_map(const NetcdfField& field, const ColorScale& scale, const MapDecor& decor) {
  const int px = std::max<int>(1, kTargetWidth / static_cast<int>(field.nx));
  const int nx = static_cast<int>(field.nx), ny = static_cast<int>(field.ny);
  Image map(nx * px, ny * px, kWhite);
  for (int row = 0; row < ny; ++row) {
    const std::size_t src_row = field.latitude_ascending ? static_cast<std::size_t>(ny - 1 - row) : static_cast<std::size_t>(row);
    for (int col = 0; col < nx; ++col)
      map.fill_rect(col * px, row * px, px, px, scale.color(field.values[src_row * field.nx + static_cast<std::size_t>(col)]));
  }
  if (field.latitudes.size() > 1 && field.longitudes.size() > 1 && decor.coastlines) {
    // Plate carree: the frame's map units are degrees, the top-left corner the outer edge of
    // the first column and of the northernmost row.
    const double dlon = std::abs(field.longitudes[1] - field.longitudes[0]);
    const double dlat = std::abs(field.latitudes[1] - field.latitudes[0]);
    const double north = std::max(field.latitudes.front(), field.latitudes.back()) + dlat / 2;
    const MapFrame frame{field.longitudes.front() - dlon / 2, north, dlon / px, map.width(), map.height()};
    const MapProjection plate(Projection::PlateCarree);
    if (decor.coastlines) draw_coastlines(map, plate, frame, *decor.coastlines);
  }
  return map;
}

Image render_llc_mosaic(const NetcdfField& field, const ColorScale& scale) {
  const int n = static_cast<int>(field.nx);
  const int px = std::max(1, kTargetWidth / (4 * n));
  const int tile_pixels = n * px;
  Image map(4 * tile_pixels, 4 * tile_pixels, kWhite);
  for (const auto& slot : kLlcLayout) {
    const float* tile = field.values.data() + static_cast<std::size_t>(slot.tile) * n * n;
    for (int row = 0; row < n; ++row)
      for (int col = 0; col < n; ++col) {
        // (j, i) of the grid cell shown at this row (from the top) and column.
        const int j = is_rotated_tile(slot.tile) ? col : n - 1 - row;
        const int i = is_rotated_tile(slot.tile) ? row : col;
        map.fill_rect(slot.column * tile_pixels + col * px, slot.row * tile_pixels + row * px, px, px,
                      scale.color(tile[static_cast<std::size_t>(j) * n + i]));
      }
    map.outline_rect(slot.column * tile_pixels, slot.row * tile_pixels, tile_pixels, tile_pixels, Rgba{90, 90, 90});
  }
  return map;
}

}  // namespace granary::render
