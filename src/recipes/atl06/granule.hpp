#pragma once
// One ATL06 granule as granary reads it: for every beam gt1l..gt3r that exists, the
// land_ice_segments columns, described once (libhdf5, serial) and then readable chunk by
// chunk from any thread (formats/hdf5/column.hpp).
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/hdf5/column.hpp"
#include "io/range_reader.hpp"

namespace granary::atl06 {

inline constexpr std::array<std::string_view, 6> kBeams = {"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"};

struct Beam {
  std::string name;  // "gt1l"
  hdf5::Column latitude, longitude;
  // Described only when asked for (the catalog needs positions only).
  std::optional<hdf5::Column> h_li, h_li_sigma, quality, delta_time;
};

struct Granule {
  std::string name;  // the path or URI as given
  std::shared_ptr<const io::RangeReader> bytes;
  std::vector<Beam> beams;  // only the beams present; missing beams are normal
  // /ancillary_data/end_delta_time: no segment is later (bounds the last chunk of a beam).
  std::optional<double> end_delta_time;
};

struct GranuleColumns {
  bool values = true;       // h_li, h_li_sigma, atl06_quality_summary
  bool delta_time = false;
};

// Opens a local granule and describes its beams. Throws granary::Error naming the file when
// it cannot be read as HDF5 (missing, truncated, not HDF5), has no gt*/land_ice_segments
// group (not ATL06 layout), or a beam lacks a dataset, has the wrong type, or columns of
// different lengths.
Granule open_granule(const std::string& path, const GranuleColumns& columns);

}  // namespace granary::atl06
