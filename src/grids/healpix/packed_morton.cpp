#include "grids/healpix/packed_morton.hpp"

#include "util/error.hpp"

namespace granary::healpix {
namespace {

constexpr int kBodyTuples = 27;
constexpr int kSuffixBits = 6;
constexpr std::uint64_t kSuffixMask = (std::uint64_t{1} << kSuffixBits) - 1;
constexpr std::uint64_t kBodyMask = ((std::uint64_t{1} << (2 * kBodyTuples)) - 1) << kSuffixBits;

std::int64_t cells_at(int order) { return 12 * (std::int64_t{1} << (2 * order)); }

}  // namespace

std::uint64_t nest_to_packed(std::int64_t nest, int order) {
  if (order < 0 || order > kMaxPackedOrder) fail("HEALPix order {} is outside 0..{}", order, kMaxPackedOrder);
  if (nest < 0 || nest >= cells_at(order)) fail("nested id {} is out of range at order {}", nest, order);
  const auto base = static_cast<std::uint64_t>(nest >> (2 * order));
  const auto normed = static_cast<std::uint64_t>(nest) & ((std::uint64_t{1} << (2 * order)) - 1);
  std::uint64_t word = (base + 1) << 60;
  if (order <= kBodyTuples) return word | (normed << (kSuffixBits + 2 * (kBodyTuples - order))) | static_cast<std::uint64_t>(order);
  // Orders 28 and 29: the tuples past the 27th live in the suffix.
  const int tail = order - kBodyTuples;
  word |= (normed >> (2 * tail)) << kSuffixBits;
  const std::uint64_t t28 = (normed >> (2 * (tail - 1))) & 3;
  const std::uint64_t r = order == 28 ? t28 * 5 : t28 * 5 + (normed & 3) + 1;
  return word | (28 + r);
}

std::uint64_t nest29_to_packed_point(std::int64_t nest29) {
  const std::uint64_t area = nest_to_packed(nest29, kMaxPackedOrder);
  const auto t29 = static_cast<std::uint64_t>(nest29) & 3;
  const std::uint64_t t28 = (static_cast<std::uint64_t>(nest29) >> 2) & 3;
  return (area & ~kSuffixMask) | (48 + t28 * 4 + t29);
}

PackedCell packed_to_nest(std::uint64_t word) {
  const std::uint64_t prefix = word >> 60;
  if (prefix == 0) fail("packed morton word {}: prefix 0 is the null word, not a cell", word);
  if (prefix > 12) fail("packed morton word {}: prefix {} is not a base cell (1..12)", word, prefix);
  const std::uint64_t suffix = word & kSuffixMask;
  const std::uint64_t body = (word & kBodyMask) >> kSuffixBits;
  PackedCell cell;
  std::uint64_t normed = 0;
  if (suffix <= kBodyTuples) {
    cell.order = static_cast<int>(suffix);
    const int unused = 2 * (kBodyTuples - cell.order);
    if (unused > 0 && (body & ((std::uint64_t{1} << unused) - 1)) != 0)
      fail("packed morton word {}: order {} with bits set below its last tuple (not canonical)", word, cell.order);
    normed = body >> unused;
  } else if (suffix < 48) {
    const std::uint64_t r = suffix - 28;
    const std::uint64_t t28 = r / 5, rest = r % 5;
    cell.order = rest == 0 ? 28 : 29;
    normed = (body << 2) | t28;
    if (rest != 0) normed = (normed << 2) | (rest - 1);
  } else {
    const std::uint64_t r = suffix - 48;
    cell.order = 29;
    cell.point = true;
    normed = (((body << 2) | (r / 4)) << 2) | (r % 4);
  }
  cell.nest = static_cast<std::int64_t>(((prefix - 1) << (2 * cell.order)) | normed);
  return cell;
}

bool is_valid_packed(std::uint64_t word) {
  try {
    packed_to_nest(word);
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string packed_decimal(std::uint64_t word) {
  const PackedCell cell = packed_to_nest(word);
  const std::int64_t base = cell.nest >> (2 * cell.order);
  std::string out = base < 6 ? std::to_string(base + 1) : "-" + std::to_string(base - 5);
  for (int i = cell.order - 1; i >= 0; --i) out.push_back(static_cast<char>('1' + ((cell.nest >> (2 * i)) & 3)));
  if (cell.point) out.push_back('p');
  return out;
}

}  // namespace granary::healpix
