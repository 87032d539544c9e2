#pragma once
// Mapping factors from an LLC grid to a regular lat-lon grid, for every model level, as the
// ECCO V4r4 production (and ../shared/reference/ecco_reference.py) define them:
//   * land mask of level k: target t is ocean iff its nearest source point of all (closer
//     than LB = int(max cell length)) is wet at k;
//   * ocean target: equal-weight mean of the wet sources with d < RB and d <= the row's
//     effective radius sqrt(cell area / pi) (at most 100, nearest first); without any,
//     the nearest wet source (weight 1).
// Built once (a kd-tree walk per target over all points serves all levels), stored in one
// file (factors_file.hpp), held in memory while a process runs (~3 MB for LLC90). A level's
// weights are derived from that compact form as they are applied (level_weights.hpp), so
// there is no per-level state: every const member is thread-safe, and a process may fork
// workers after loading.
#include <cstdint>
#include <string>
#include <vector>

#include "grids/llc/grid.hpp"
#include "ops/regrid/factors_data.hpp"
#include "ops/regrid/level_weights.hpp"
#include "ops/regrid/target_grid.hpp"

namespace granary::regrid {

class Factors {
 public:
  // threads <= 0: all hardware threads.
  static Factors build(const llc::Grid& grid, int levels, double resolution = 0.5, int threads = 0);
  static Factors load(const std::string& path);
  void save(const std::string& path) const;

  int levels() const { return data_.params.levels; }
  const TargetGrid& target() const { return data_.params.target; }
  const FactorsParams& params() const { return data_.params; }
  std::size_t points() const { return data_.params.points; }
  // The file the factors came from, or "built from grid DIR": used in error messages.
  const std::string& origin() const { return origin_; }

  LevelStats stats(int k) const;
  // Every level's counts in one pass (threads <= 0: all cores).
  std::vector<LevelStats> all_stats(int threads = 0) const;
  // 1 = ocean, 0 = land, one byte per target cell (row-major).
  std::vector<std::uint8_t> ocean_mask(int k) const;
  // src: points() float32 values of level k in tile order (dry points are not read).
  // out: target().size() values; NaN on land. Bit-identical to the oracle's B_k^T v.
  void apply(int k, const float* src, float* out) const;
  // The source points of one target cell at level k, ascending (each weighs 1/size);
  // empty for land.
  std::vector<std::uint32_t> sources(int k, std::size_t target) const;

  // Errors naming the factors' origin unless they fit a field of `field_levels` levels
  // ("factors FILE have 10 levels, the field has 50") ...
  void check_levels(int field_levels) const;
  // ... or the grid (LLC size, XC/YC checksum, nearest bound, wet masks of every level).
  void check_grid(const llc::Grid& grid) const;

 private:
  Factors(FactorsData data, std::string origin);
  void check_level_index(int k) const;

  FactorsData data_;
  std::string origin_;
};

// CRC-32 of XC then YC (float64, little-endian, tile order) as 8 hex digits.
std::string geometry_crc32(const llc::Grid& grid);

}  // namespace granary::regrid
