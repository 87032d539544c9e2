#pragma once
// How an ATL06 store indexes its cells, chosen per run and fixed per store:
//   latitude     which latitude the HEALPix kernel is fed (grids/healpix/latitude.hpp):
//                geodetic-spherical (magg's legacy index, the default) or authalic-wgs84;
//   morton_form  how the `morton` coordinate is written: legacy (int64 decimal index, magg,
//                mortie <= 0.7) or packed (uint64 word, mortie 1.x, zagg).
// Parent cells, catalog keys and events always name parents by the legacy decimal index
// (magg's format); the forms differ only in the store's `morton` coordinate.
#include <optional>
#include <string_view>

#include "grids/healpix/latitude.hpp"

namespace granary::atl06 {

enum class MortonForm { Legacy, Packed };

std::string_view morton_form_name(MortonForm f);  // "legacy" | "packed"
std::optional<MortonForm> parse_morton_form(std::string_view token);

struct CellIndex {
  healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical;
  MortonForm morton_form = MortonForm::Legacy;
  bool operator==(const CellIndex&) const = default;
};

}  // namespace granary::atl06
