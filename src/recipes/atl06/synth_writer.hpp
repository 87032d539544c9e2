#pragma once
// Writes one granule in the layout and storage of real ATL06 v006 files (checked against
// the granules in shared/data/atl06):
//   /gtXx/land_ice_segments/{latitude, longitude, delta_time}  float64, fill 0
//   /gtXx/land_ice_segments/{h_li, h_li_sigma}                  float32, fill 3.4028235e38
//   /gtXx/land_ice_segments/atl06_quality_summary               int8
//   /gtXx/land_ice_segments/segment_id                          int32
//     chunks (10000,), maxshape unlimited, deflate level 6, shuffle on the integer datasets
//   /orbit_info/{rgt int16, cycle_number int8, sc_orient int8}  chunks (16,), unfiltered
//   /ancillary_data/atlas_sdp_gps_epoch                         float64, contiguous
//   superblock v0 / v1 B-tree chunk index (libver earliest), fixed-length NULLTERM string
//   attributes. Chunks are shuffled and deflated on all cores, then handed to HDF5 whole
//   with H5Dwrite_chunk, since HDF5 itself must stay on one thread. Deflate is libdeflate's
//   level 6 in zlib format (nc::ChunkEncoder): the stream HDF5's deflate filter reads, 3.6x
//   faster than zlib's level 6 on these arrays, within 1 % of its size.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace granary::atl06::synth {

inline constexpr float kFillFloat32 = 3.4028235e38f;
inline constexpr double kAtlasSdpGpsEpoch = 1198800018.0;  // GPS seconds at 2018-01-01
inline constexpr std::size_t kChunkElements = 10000;

struct BeamArrays {
  std::string name;  // gt1l, gt1r, gt2l, gt2r, gt3l or gt3r
  std::vector<double> latitude, longitude, delta_time;
  std::vector<float> h_li, h_li_sigma;  // kFillFloat32 where quality != 0
  std::vector<std::int8_t> quality;     // atl06_quality_summary: 0 best, 1 potential problem
  std::vector<std::int32_t> segment_id;
};

struct GranuleContents {
  std::vector<BeamArrays> beams;
  int rgt = 0;
  int cycle = 0;
  std::string version;              // identifier_product_format_version, e.g. "006"
  std::string time_coverage_start;  // ISO 8601 UTC, e.g. "2024-02-21T04:53:48Z"
};

// Writes `path` atomically (temporary sibling + rename). Throws granary::Error naming the
// file and the HDF5 step that failed.
void write_granule(const std::filesystem::path& path, const GranuleContents& granule);

}  // namespace granary::atl06::synth
