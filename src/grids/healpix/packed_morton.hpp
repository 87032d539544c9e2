#pragma once
// mortie 1.x's packed morton word: one uint64 per HEALPix nested cell, its order carried in
// the word (mortie docs/specification.md section 1, frozen for 1.x):
//   bits 63..60  base cell + 1 (1..12; 0 is the null word, 13..15 invalid)
//   bits 59..6   27 two-bit tuples, order 1 highest, each the nested id's base-4 digit
//   bits  5..0   suffix: 0..27 an area cell of that order (deeper tuples zero);
//                28..47 an area cell of order 28 or 29, 28 + t28*5 (+ t29 + 1 at order 29);
//                48..63 an order-29 point, 48 + t28*4 + t29.
// A raw unsigned sort is a Z-order curve, parents before children. Never store it as int64:
// base cells 7..11 set bit 63.
#include <cstdint>
#include <string>

namespace granary::healpix {

inline constexpr int kMaxPackedOrder = 29;

struct PackedCell {
  int order = 0;
  std::int64_t nest = 0;  // HEALPix nested id at `order`
  bool point = false;     // an order-29 point (no area claim), not a cell
};

// The area word of nested cell `nest` at `order` (0..29); throws granary::Error when either
// is out of range.
std::uint64_t nest_to_packed(std::int64_t nest, int order);
// The point word of an order-29 nested id.
std::uint64_t nest29_to_packed_point(std::int64_t nest29);
// Decodes and validates (prefix 1..12, zero-filled tail, suffix meaning); throws
// granary::Error naming the word otherwise.
PackedCell packed_to_nest(std::uint64_t word);
bool is_valid_packed(std::uint64_t word);
// mortie's decimal rendering: sign and base digit (1..6, "-" for base cells 6..11), then one
// digit 1..4 per order; a point ends in "p".
std::string packed_decimal(std::uint64_t word);

}  // namespace granary::healpix
