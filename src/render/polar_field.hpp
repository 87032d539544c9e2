#pragma once
// ECCO fields (lat-lon or native LLC) on a polar stereographic map: every pixel is mapped
// back to (lat, lon) and shows the grid cell there, so no cell is stretched or skipped.
#include "render/color_scale.hpp"
#include "render/image.hpp"
#include "render/map_overlays.hpp"
#include "render/map_projection.hpp"
#include "render/netcdf_field.hpp"

namespace granary::render {

// A square map centred on the pole out to `edge_latitude` (degrees from the equator, e.g. 50
// for 50S or 50N), `size` pixels wide. Land (NaN) is grey, beyond the grid white. Needs the
// field's coordinates (latitude/longitude axes, or XC/YC for native files); a
// granary::Error otherwise.
Image render_field_polar(const NetcdfField& field, const MapProjection& projection, const ColorScale& scale,
                         const MapDecor& decor = {}, double edge_latitude = 50, int size = 800);

}  // namespace granary::render
