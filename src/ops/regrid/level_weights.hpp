#pragma once
// One level of the lat-lon mapping, derived on the fly from the level-independent
// neighbours and the level's wet mask (the oracle's sparse_matrix_{k} and land_mask_{k}):
//   ocean(t)  <=> n(t) exists and is wet at k
//   S(t)      =   the wet in-radius candidates of t, nearest first, at most max_neighbours
//   weights   =   1/|S(t)| each, or weight 1 on n(t) when S(t) is empty (the nearest wet
//                 source of an ocean target is n(t) itself)
// Deriving a target's sources costs a few wet-bit lookups, so applying a level this way is
// as fast as walking a stored CSR (~1.4 ms per LLC90 level either way) while holding no
// per-level matrices: an expanded cache of all 50 levels would take ~82 MB per process.
#include <cstdint>
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

LevelStats count_level(const FactorsData& data, int k);
// All levels in one pass over the targets (threads <= 0: all cores).
std::vector<LevelStats> count_levels(const FactorsData& data, int threads = 0);

// 1 = ocean, 0 = land, one byte per target cell.
std::vector<std::uint8_t> ocean_mask(const FactorsData& data, int k);

// The sources of target t at level k in ascending point index; empty for land.
std::vector<std::uint32_t> target_sources(const FactorsData& data, int k, std::size_t t);

// out[t] = float32(sum over sources s ascending of (w * double(src[s]))), summed in double
// from 0.0, for ocean targets; NaN for land. This is scipy's B_k^T v: B^T is CSC, whose
// mat-vec visits the sources of a target in ascending order and adds w * v per entry.
// src: one value per source point in tile order (dry points are never read).
// out: one value per target cell.
void apply_level(const FactorsData& data, int k, const float* src, float* out);

}  // namespace granary::regrid
