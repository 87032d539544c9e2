#pragma once
// Colour maps for quick looks: viridis (sequential) and a diverging blue-white-red map in the
// spirit of cmocean's "balance", for anomalies centred on zero.
#include <string>

#include "render/image.hpp"

namespace granary::render {

enum class Colormap { Viridis, Balance };

// "viridis" or "balance"; anything else is a granary::Error naming the value.
Colormap parse_colormap(const std::string& name);
// t in [0, 1] (clamped), linear interpolation between the table's entries.
Rgba colormap_color(Colormap map, double t);

}  // namespace granary::render
