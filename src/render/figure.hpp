#pragma once
// The quick-look page: title on top, the map, and a colour bar with units below it.
#include <string>

#include "render/color_scale.hpp"
#include "render/image.hpp"

namespace granary::render {

Image compose_figure(const Image& map, const std::string& title, const ColorScale& scale, const std::string& units);

}  // namespace granary::render
