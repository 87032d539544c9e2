#pragma once
// The level-independent part of the lat-lon mapping: one kd-tree search per target cell
// over ALL source points (land included). Every level's land mask and sparse matrix follow
// from it by filtering with that level's wet mask (see level_weights.hpp), because the
// nearest wet source of an ocean target is its nearest point overall.
#include <cstdint>
#include <span>
#include <vector>

#include "ops/regrid/target_grid.hpp"

namespace granary::regrid {

// Search bounds in metres; both are strict (d < bound), like scipy's distance_upper_bound.
struct SearchBounds {
  double radius_bound = 0.0;   // RB: in-radius sources also need d <= row radius
  double nearest_bound = 0.0;  // LB: the nearest point must be closer than this
};

struct Neighbours {
  // nearest[t]: point index of the nearest point with d < LB, -1 if there is none.
  // Equal distances resolve to the lower point index.
  std::vector<std::int32_t> nearest;
  // CSR over targets: in_radius[offsets[t] .. offsets[t+1]) are the points with d < RB and
  // d <= row_radius(t), nearest first (equal distances: lower point index first).
  std::vector<std::uint32_t> offsets;
  std::vector<std::uint32_t> in_radius;

  std::size_t targets() const { return nearest.size(); }
  std::span<const std::uint32_t> candidates(std::size_t t) const {
    return {in_radius.data() + offsets[t], in_radius.data() + offsets[t + 1]};
  }
};

// Sources are given by their centre longitudes/latitudes in degrees (point order).
// threads <= 0: all hardware threads. Uses plain std::threads that are joined before
// returning, so a process may fork afterwards.
Neighbours find_neighbours(const TargetGrid& target, std::span<const double> lon_deg,
                           std::span<const double> lat_deg, const SearchBounds& bounds, int threads);

}  // namespace granary::regrid
