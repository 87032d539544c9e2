#pragma once
// Maps of gridded ECCO fields: the lat-lon products as an equirectangular (plate carree)
// image, and the native 13-tile LLC products as a mosaic of tiles.
#include "render/color_scale.hpp"
#include "render/image.hpp"
#include "render/map_overlays.hpp"
#include "render/netcdf_field.hpp"

namespace granary::render {

// North up, first longitude at the left; NaN (land) grey. Each grid cell becomes a square of
// pixels sized so the map is about 1000 pixels wide (at least one pixel per cell).
// Coastlines and a graticule come on top when `decor` asks (they need the file's
// latitude/longitude axes).
Image render_latlon_map(const NetcdfField& field, const ColorScale& scale, const MapDecor& decor = {});

// The LLC mosaic, 4 x 4 tile slots, each tile drawn with north up where the grid allows:
//
//     .   6   .   .        6: the Arctic cap as stored (its j = 0 edge meets tile 5)
//     2   5   7  10        0-5 (faces 1-2): j up, i to the right, as stored
//     1   4   8  11        7-12 (faces 4-5): transposed (j to the right, i down),
//     0   3   9  12        which puts north up and east to the right
//
// so tiles 2, 5, 7, 10 form a continuous band around the globe at 20-67 N.
// Land (NaN) is grey; empty slots stay white.
Image render_llc_mosaic(const NetcdfField& field, const ColorScale& scale);

}  // namespace granary::render
