#pragma once
// A map of HEALPix cells with data, each drawn as a filled polygon of its exact boundary,
// framed on those cells.
#include "render/color_scale.hpp"
#include "render/image.hpp"
#include "render/map_projection.hpp"
#include "render/zarr_cells.hpp"

namespace granary::render {

// Auto: south polar when the cells' mean latitude is negative, else north polar.
Projection resolve_projection(Projection requested, const CellField& field);

// The longer side of the map is `size` pixels; cells with a NaN value are grey.
Image render_cell_map(const CellField& field, const MapProjection& projection, const ColorScale& scale, int size = 800);

}  // namespace granary::render
