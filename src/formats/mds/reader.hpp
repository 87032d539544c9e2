#pragma once
// Reading MDS ".data" records (big-endian float32/float64) with size checks against the
// ".meta" or a caller-given shape. Values come back in host byte order, file order.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/mds/meta.hpp"

namespace granary::mds {

// What the caller knows about a file without a .meta (e.g. ECCO's compact .bin fields).
struct Shape {
  std::int64_t values_per_level = 0;  // e.g. 105,300 for LLC90
  std::optional<std::int64_t> levels; // if absent: from the file size
  Precision precision = Precision::Float32;
};

struct Description {
  std::string path;
  Precision precision = Precision::Float32;
  std::int64_t values_per_level = 0;  // one horizontal slab
  std::int64_t levels = 1;            // slabs per record x records
  std::optional<std::int64_t> time_step;
  std::optional<Meta> meta;
};

// Describes `path`: uses `meta_override` or the .meta beside it; without one, `shape`
// is required. Checks the file size (truncation and .meta disagreement are errors that
// name both files). `values_per_level` is the horizontal size the caller expects (0 = any).
Description describe(const std::string& path, const std::optional<Shape>& shape,
                     const std::optional<std::string>& meta_override = std::nullopt,
                     std::int64_t values_per_level = 0);

// Reads levels [first, first + count) as T (float or double), converting from the file's
// precision, in file order.
template <typename T>
std::vector<T> read_levels(const Description& d, std::int64_t first, std::int64_t count);

}  // namespace granary::mds
