#pragma once
// Synthetic but realistic ICESat-2 ATL06 granules for scale tests and demos: the C++ port
// of shared/reference/atl06_synth.py (same physical model, layout, names and storage; a
// different random engine, so statistically similar rather than identical granules).
//
// Every granule is one ground track of a 92-degree orbit that crosses one chosen cell,
// sampled every 20 m, with the six ATLAS beams: three pairs 3.3 km apart cross-track, the
// two beams of a pair 90 m apart, pairs staggered along-track. Heights come from one smooth
// surface shared by all granules plus noise; quality flags come in cloud-like runs; a few
// along-track runs of segments are missing (gaps in segment_id). With 150,000 segments per
// beam about 3 % of the segments fall in an order-6 cell.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recipes/atl06/synth_track.hpp"

namespace granary::atl06::synth {

// gt1l gt1r gt2l gt2r gt3l gt3r: the beams of an ATL06 granule, in product order.
const std::vector<std::string>& all_beams();

struct SynthOptions {
  std::filesystem::path out_dir;
  int granules = 8;
  int segments_per_beam = 150000;
  // The cells the tracks cross: granule g crosses cells[g % cells.size()]. The default is an
  // order-6 parent in East Antarctica, around 80S 120E.
  std::vector<std::int64_t> cells = {-4113213};
  SurfaceModel surface = SurfaceModel::Slope;
  std::uint64_t seed = 1;
  int cycle = 22;
  int region = 11;
  std::string version = "006";
  std::vector<std::string> beams = all_beams();  // a subset makes a missing-beam granule
  bool check = true;  // require every beam to have points in the cell (retrying the track)
};

struct GranuleSummary {
  std::filesystem::path path;
  std::int64_t cell = 0;  // the cell its track was made to cross
  std::uintmax_t bytes = 0;
  double crossing_lat = 0, crossing_lon = 0;
  bool ascending = false;
  int segments_per_beam = 0;
  // Segments of each beam inside the cell (all, before quality filtering); absent when
  // the check is off.
  std::optional<std::map<std::string, std::int64_t>> points_in_cell;
  double seconds = 0;
};

// Writes options.granules files into options.out_dir (created if needed), each atomically,
// and returns what each contains. Throws granary::Error for bad options (naming the
// option) or when no track with points in the cell can be found for some granule.
std::vector<GranuleSummary> write_synthetic_granules(const SynthOptions& options);

// The record the Python generator prints for a granule (file, bytes, crossing_lat, ...).
nlohmann::json to_json(const GranuleSummary& summary);

}  // namespace granary::atl06::synth
