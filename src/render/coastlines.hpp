#pragma once
// Coastlines for the quick-look maps, from GSHHG (Wessel & Smith), the shoreline database
// GMT draws with, as Debian packages it (gmt-gshhg-low: /usr/share/gmt-gshhg). granary reads
// the binned netCDF files directly: 10-degree bins hold segments of shoreline clipped to the
// bin, points as 16-bit offsets from the bin's south-west corner. Segments are drawn as
// lines; nothing is filled, so they need no reassembly into polygons.
#include <filesystem>
#include <optional>
#include <vector>

#include "render/healpix_outline.hpp"

namespace granary::render {

using Polyline = std::vector<LatLon>;

struct Coastlines {
  std::vector<Polyline> shore;           // land/ocean, incl. the Antarctic ice-shelf fronts
  std::vector<Polyline> grounding_line;  // Antarctica, where the ice starts to float
};

// $GRANARY_COASTLINES if set, else the first of GSHHG's low and crude resolution files that
// exists; nullopt when none is installed.
std::optional<std::filesystem::path> find_coastline_file();

// Reads a GSHHG binned shoreline file (binned_GSHHS_[fhilc].nc). Longitudes are in
// [0, 360]; each polyline lies within one bin. Errors (granary::Error) name the file.
Coastlines read_coastlines(const std::filesystem::path& path);

}  // namespace granary::render
