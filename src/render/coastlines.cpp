#include "render/coastlines.hpp"

#include <cstdint>
#include <cstdlib>

#include "formats/netcdf/reader.hpp"
#include "util/error.hpp"

namespace granary::render {
namespace {

// GSHHG's hierarchy levels (GMT's gmt_shore.h).
constexpr int kLevelShore = 1, kLevelGroundingLine = 6;
constexpr double kOffsetUnits = 65535.0;  // a point's offset, in 1/65535 of the bin width

}  // namespace

std::optional<std::filesystem::path> find_coastline_file() {
  if (const char* env = std::getenv("GRANARY_COASTLINES"); env && *env) return std::filesystem::path(env);
  for (const char* candidate : {"/usr/share/gmt-gshhg/binned_GSHHS_l.nc", "/usr/share/gmt-gshhg/binned_GSHHS_c.nc",
                                "/usr/share/gmt/coast/binned_GSHHS_l.nc"})
    if (std::filesystem::exists(candidate)) return std::filesystem::path(candidate);
  return std::nullopt;
}

Coastlines read_coastlines(const std::filesystem::path& path) {
  const nc::NcFile file(path);
  const auto scalar = [&](const char* name) {
    const auto v = file.read_all<int>(name);
    if (v.size() != 1) fail("{}: '{}' is not a scalar; not a GSHHG binned file", path.string(), name);
    return v[0];
  };
  const double bin_degrees = scalar("Bin_size_in_minutes") / 60.0;
  const int bins_per_row = scalar("N_bins_in_360_longitude_range");
  const auto first_segment = file.read_all<int>("Id_of_first_segment_in_a_bin");
  const auto segments_in_bin = file.read_all<short>("N_segments_in_a_bin");
  const auto segment_info = file.read_all<int>("Embedded_npts_levels_exit_entry_for_a_segment");
  const auto first_point = file.read_all<int>("Id_of_first_point_in_a_segment");
  const auto dx = file.read_all<short>("Relative_longitude_from_SW_corner_of_bin");
  const auto dy = file.read_all<short>("Relative_latitude_from_SW_corner_of_bin");
  if (bin_degrees <= 0 || bins_per_row <= 0 || first_segment.size() != segments_in_bin.size() ||
      segment_info.size() != first_point.size() || dx.size() != dy.size())
    fail("{}: inconsistent GSHHG bin, segment or point arrays", path.string());

  Coastlines out;
  for (std::size_t bin = 0; bin < first_segment.size(); ++bin) {
    // Bins run west to east from 0 E, rows north to south from 90 N.
    const double west = static_cast<double>(bin % static_cast<std::size_t>(bins_per_row)) * bin_degrees;
    const double south = 90.0 - static_cast<double>(bin / static_cast<std::size_t>(bins_per_row) + 1) * bin_degrees;
    for (int s = first_segment[bin]; s < first_segment[bin] + segments_in_bin[bin]; ++s) {
      if (s < 0 || static_cast<std::size_t>(s) >= segment_info.size()) fail("{}: segment {} out of range", path.string(), s);
      // Packed as n << 9 | level << 6 | entry/exit sides (gmt_shore.c).
      const int info = segment_info[static_cast<std::size_t>(s)];
      const int points = info >> 9, level = (info >> 6) & 7;
      if (level != kLevelShore && level != kLevelGroundingLine) continue;  // lakes, islands in lakes
      const auto first = static_cast<std::size_t>(first_point[static_cast<std::size_t>(s)]);
      if (points < 2 || first + static_cast<std::size_t>(points) > dx.size())
        fail("{}: segment {} points out of range", path.string(), s);
      Polyline line;
      line.reserve(static_cast<std::size_t>(points));
      for (std::size_t p = first; p < first + static_cast<std::size_t>(points); ++p) {
        // Offsets are unsigned 16-bit values stored in a signed short.
        const double fx = static_cast<std::uint16_t>(dx[p]) / kOffsetUnits, fy = static_cast<std::uint16_t>(dy[p]) / kOffsetUnits;
        line.push_back(LatLon{south + fy * bin_degrees, west + fx * bin_degrees});
      }
      (level == kLevelShore ? out.shore : out.grounding_line).push_back(std::move(line));
    }
  }
  if (out.shore.empty()) fail("{}: no shoreline segments; not a GSHHG shoreline file", path.string());
  return out;
}

}  // namespace granary::render
