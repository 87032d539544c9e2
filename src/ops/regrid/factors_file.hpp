#pragma once
// The lat-lon mapping factors file: ONE file holding every level (docs/factors-format.md).
//
// It stores the level-independent neighbour search plus one wet bitmask per level; a
// level's weights are derived from them when the level is applied (level_weights.hpp).
// That is ~3.2 MB for LLC90 x 50 levels instead of ~80 MB of per-level sparse matrices.
//
// Layout, version 1. Integers are little-endian; arrays are packed, no padding.
//
//   offset  bytes  content
//   0       8      magic "GRNYFACT"
//   8       4      uint32 format version = 1
//   12      4      uint32 J = length of the JSON header
//   16      J      JSON header (UTF-8), e.g.
//                    {"format": "granary lat-lon mapping factors", "version": 1,
//                     "resolution": 0.5, "nlat": 360, "nlon": 720, "targets": 259200,
//                     "R_A_m": 6371008.8, "R_E_m": 6370997.0, "max_L_m": 111177.47...,
//                     "RB_m": 31367, "LB_m": 111177, "max_neighbours": 100, "levels": 50,
//                     "nx": 90, "points": 105300, "in_radius_pairs": N,
//                     "grid": {"dir": "...", "geometry_crc32": "8 hex digits"},
//                     "created_by": "granary 0.1.0"}
//   then four arrays, each preceded by its uint64 element count:
//           int32   nearest[targets]       n(t): nearest point with d < LB, -1 if none
//           uint32  offsets[targets + 1]   CSR offsets into in_radius (offsets[0] = 0)
//           uint32  in_radius[N]           per target: points with d < RB and d <= row
//                                          radius, nearest first (ties: lower index)
//           uint8   wet[levels * ceil(points / 8)]  level k, point p: bit (p % 8) of
//                                          byte k * ceil(points / 8) + p / 8 (1 = wet)
//   last    4      uint32 CRC-32 (zlib polynomial) of every preceding byte
//
// Targets are numbered row * nlon + col (row 0 = southernmost); points are the LLC points
// in tile order, p = (nx * tile + j) * nx + i. A reader must reject another magic or
// version; a future incompatible change bumps the version.
#include <string>

#include "ops/regrid/factors_data.hpp"

namespace granary::regrid {

inline constexpr char kFactorsMagic[8] = {'G', 'R', 'N', 'Y', 'F', 'A', 'C', 'T'};
inline constexpr unsigned kFactorsVersion = 1;

// Writes atomically (temporary sibling + rename).
void write_factors_file(const std::string& path, const FactorsData& data);

// Reads and validates (magic, version, sizes, checksum, index ranges); any problem is a
// granary::Error naming the file.
FactorsData read_factors_file(const std::string& path);

}  // namespace granary::regrid
