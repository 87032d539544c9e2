#pragma once
// A small, self-made ECCO metadata set in exactly the formats of the real V4r4 one (the same
// file names, JSON keys and CSV columns), for `granary ecco synth` and for tests that must
// not need external data. Groupings (same index in native and lat-lon):
//   0 SEA_SURFACE_HEIGHT            SSH                     2D  AVG_DAY, AVG_MON
//   1 OCEAN_TEMPERATURE_SALINITY    THETA, SALT             3D  AVG_MON
//   2 OCEAN_VELOCITY                native UVEL, VVEL;      3D  AVG_MON
//                                   latlon EVEL, NVEL (vector from UVEL/VVEL)
//   3 OCEAN_AND_ICE_SURFACE_STRESS  native oceTAUX, oceTAUY; 2D AVG_MON
//                                   latlon oceTAUE, oceTAUN (vector from oceTAUX/oceTAUY)
// Model fields needed: SSH, THETA, SALT, UVEL, VVEL, oceTAUX, oceTAUY (monthly), SSH (daily).
#include <filesystem>
#include <string>

namespace granary::ecco {

// Writes the demo metadata files into dir (created if needed; each file appears atomically).
// native_grid_label names the native grid in the PO.DAAC table's file names (llc0030 for a
// synthetic LLC30 grid), so that native products find their dataset row.
void write_demo_metadata(const std::filesystem::path& dir, const std::string& native_grid_label = "llc0090");

}  // namespace granary::ecco
