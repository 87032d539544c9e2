#pragma once
// One ATL06 granule as granary reads it: for every beam gt1l..gt3r that exists, the
// land_ice_segments columns, described once (libhdf5, serial) and then readable chunk by
// chunk from any thread (formats/hdf5/column.hpp). A granule is a local path or an s3://
// object; libhdf5 reads an object's metadata through formats/hdf5/range_vfd (ranged GETs
// of cached blocks), never the whole object.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/hdf5/column.hpp"
#include "io/range_reader.hpp"
#include "io/s3_store.hpp"

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
  // Every byte granary reads (chunks; for s3:// also libhdf5's metadata reads) goes through
  // it, so its counters are the granule's read statistics.
  std::shared_ptr<const io::RangeReader> bytes;
  std::vector<Beam> beams;  // only the beams present; missing beams are normal
  // /ancillary_data/end_delta_time: no segment is later (bounds the last chunk of a beam).
  std::optional<double> end_delta_time;
};

struct GranuleColumns {
  bool values = true;       // h_li, h_li_sigma, atl06_quality_summary
  bool delta_time = false;
};

// Opens a granule (a local path, or s3://bucket/key reached with `s3`) and describes its
// beams. Throws granary::Error naming the file when it cannot be read (missing, access
// denied, truncated, not HDF5), has no gt*/land_ice_segments group (not ATL06 layout), or a
// beam lacks a dataset, has the wrong type, or columns of different lengths.
Granule open_granule(const std::string& uri, const GranuleColumns& columns, const io::S3Options& s3 = {});

}  // namespace granary::atl06
