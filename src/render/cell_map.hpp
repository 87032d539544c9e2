#pragma once
// A map of HEALPix cells with data, each drawn as a filled polygon of its exact boundary,
// framed on those cells.
#include "render/color_scale.hpp"
#include "render/image.hpp"
#include "render/map_overlays.hpp"
#include "render/map_projection.hpp"
#include "render/zarr_cells.hpp"

namespace granary::render {

// Auto: south polar when the cells' mean latitude is negative, else north polar.
Projection resolve_projection(Projection requested, const CellField& field);

// The longer side of the map is `size` pixels; cells with a NaN value are grey. Cells smaller
// than a pixel still show, as 2 x 2 dots. The graticule goes under the cells, coastlines over.
Image render_cell_map(const CellField& field, const MapProjection& projection, const ColorScale& scale,
                      const MapDecor& decor = {}, int size = 800);

}  // namespace granary::render
