#pragma once
// What goes on top of a map so a reader knows where it is: coastlines (and the Antarctic
// grounding line) and a labelled graticule.
#include "render/coastlines.hpp"
#include "render/image.hpp"
#include "render/map_projection.hpp"

namespace granary::render {

inline constexpr Rgba kCoastColour{40, 40, 40};
inline constexpr Rgba kGroundingLineColour{110, 110, 150};
inline constexpr Rgba kGraticuleColour{195, 200, 210};

// The overlays a map asks for; no coastlines when null.
struct MapDecor {
  const Coastlines* coastlines = nullptr;
  bool graticule = true;
};

// Draws the lines that fall in the frame. Polar projections skip the other hemisphere; plate
// carree shifts each line by whole turns to the frame's longitudes.
void draw_coastlines(Image& map, const MapProjection& projection, const MapFrame& frame, const Coastlines& coast);

// Parallels and meridians at round spacings chosen for the frame's extent (a few of each),
// labelled inside the frame ("70S", "120E").
void draw_graticule(Image& map, const MapProjection& projection, const MapFrame& frame);

}  // namespace granary::render
