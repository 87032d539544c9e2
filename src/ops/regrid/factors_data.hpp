#pragma once
// Everything the lat-lon mapping factors persist (see factors_file.hpp for the bytes):
// the parameters, the level-independent neighbour search and one wet bitmask per level.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/regrid/neighbours.hpp"
#include "ops/regrid/target_grid.hpp"

namespace granary::regrid {

// The oracle's (and the original's) limit on in-radius sources per target.
inline constexpr int kMaxNeighbours = 100;

struct FactorsParams {
  TargetGrid target;
  double area_radius = kAreaRadius;   // R_A, m
  double ecef_radius = kEcefRadius;   // R_E, m
  double max_cell_length = 0.0;       // max_L = max(DXG.max, DYG.max), m
  double radius_bound = 0.0;          // RB = int(max row radius), m
  double nearest_bound = 0.0;         // LB = int(max_L), m
  int max_neighbours = kMaxNeighbours;
  int levels = 0;
  // The source grid the factors were built for.
  int nx = 0;
  std::size_t points = 0;
  std::string geometry_crc32;         // of XC then YC (tile order, float64 little-endian)
  std::string grid_dir;               // informational
};

struct FactorsData {
  FactorsParams params;
  Neighbours neighbours;
  // levels x wet_bytes_per_level(): bit (p % 8) of byte (p / 8) of level k is wet(k, p).
  std::vector<std::uint8_t> wet_bits;

  std::size_t wet_bytes_per_level() const { return (params.points + 7) / 8; }
  const std::uint8_t* wet_level(int k) const { return wet_bits.data() + k * wet_bytes_per_level(); }
  static bool bit(const std::uint8_t* bits, std::size_t p) { return (bits[p >> 3] >> (p & 7)) & 1u; }
};

}  // namespace granary::regrid
