#pragma once
// One level of the lat-lon mapping, derived from the level-independent neighbours and the
// level's wet mask (the oracle's sparse_matrix_{k} and land_mask_{k}):
//   ocean(t)  <=> n(t) exists and is wet at k
//   S(t)      =   the wet in-radius candidates of t, nearest first, at most max_neighbours
//   weights   =   1/|S(t)| each, or weight 1 on n(t) when S(t) is empty (the nearest wet
//                 source of an ocean target is n(t) itself)
#include <cstdint>
#include <span>
#include <vector>

#include "ops/regrid/factors_data.hpp"

namespace granary::regrid {

// The oracle's counts.csv columns.
struct LevelStats {
  long wet = 0;         // wet source points
  long ocean = 0;       // ocean target cells
  long nnz = 0;         // matrix entries
  long in_r_1 = 0;      // ocean targets with 1, 2, >= 3 in-radius sources
  long in_r_2 = 0;
  long in_r_3plus = 0;
  long fallback = 0;    // ocean targets mapped to their nearest source
  long max_in_r = 0;
  bool operator==(const LevelStats&) const = default;
};

// Counts without building the matrix.
LevelStats count_level(const FactorsData& data, int k);
// All levels at once: one pass over the targets (threads <= 0: all cores).
std::vector<LevelStats> count_levels(const FactorsData& data, int threads = 0);

// 1 = ocean, 0 = land, one byte per target cell.
std::vector<std::uint8_t> ocean_mask(const FactorsData& data, int k);

// The expanded matrix of one level: ocean targets ascending, each with its sources in
// ascending point index, which is the order scipy's B^T v accumulates in.
class LevelMatrix {
 public:
  LevelMatrix() = default;
  static LevelMatrix expand(const FactorsData& data, int k);

  // out[t] = float32(sum over sources s ascending of (w * double(src[s]))), summed in
  // double from 0.0, for ocean targets; NaN for land. src: one value per source point in
  // tile order (values of dry points are never read). out: one value per target cell.
  void apply(const float* src, float* out) const;

  std::size_t target_cells() const { return target_cells_; }
  std::span<const std::uint32_t> ocean_targets() const { return targets_; }
  std::span<const std::uint32_t> sources(std::size_t i) const {
    return {sources_.data() + offsets_[i], sources_.data() + offsets_[i + 1]};
  }
  std::size_t nnz() const { return sources_.size(); }

 private:
  std::size_t target_cells_ = 0;
  std::vector<std::uint32_t> targets_;
  std::vector<std::uint32_t> offsets_{0};
  std::vector<std::uint32_t> sources_;
};

}  // namespace granary::regrid
