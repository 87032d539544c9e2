#pragma once
// How an ATL06 store indexes its cells, chosen per run and fixed per store:
//   latitude     which latitude the HEALPix kernel is fed (grids/healpix/latitude.hpp):
//                geodetic-spherical (magg's legacy index, the default) or authalic-wgs84;
//   morton_form  how the `morton` coordinate is written: legacy (int64 decimal index, magg,
//                mortie <= 0.7) or packed (uint64 word, mortie 1.x, zagg).
// Parent cells, catalog keys and events always name parents by the legacy decimal index
// (magg's format); the forms differ only in the store's `morton` coordinate.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

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

// What a cell group's attributes say of its index, for readers of stores granary did not
// necessarily write (zagg's carry only mortie's dggs block): granary's own record first,
// then the dggs block (name "morton" = packed; mortie's `latitude` token; else an ellipsoid
// means authalic-wgs84 and none a sphere, i.e. geodetic-spherical), then the xdggs
// attributes of `cell_ids` (may be null). Unknown tokens are errors naming them.
CellIndex declared_cell_index(const nlohmann::json& group_attributes, const nlohmann::json& cell_ids_attributes);

// Nested ids at `order` of a chunk of the `morton` coordinate: uint64 packed words or int64
// legacy indices (little-endian bytes). A fill value, a malformed index or a cell of another
// order gives -1.
std::vector<std::int64_t> nested_from_morton(std::span<const std::byte> raw, MortonForm form, int order);

}  // namespace granary::atl06
