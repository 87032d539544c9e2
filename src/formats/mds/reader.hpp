#pragma once
// Reading MDS ".data" records (big-endian float32/float64) with size checks against the
// ".meta" or a caller-given shape. Values come back in host byte order, file order.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
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

// The same description and checks for a record that is not a local file (an S3 object):
// `name` and `meta_name` are what messages call it and its .meta, `size` its byte count and
// `meta` its parsed .meta when there is one (without one, `shape` is required).
Description describe_record(const std::string& name, std::uint64_t size, const std::optional<Meta>& meta,
                            const std::string& meta_name, const std::optional<Shape>& shape,
                            std::int64_t values_per_level = 0);

// Reads levels [first, first + count) as T (float or double), converting from the file's
// precision, in file order.
template <typename T>
std::vector<T> read_levels(const Description& d, std::int64_t first, std::int64_t count);

// Converts `raw` (levels [first, first + count) of d's record as stored, big-endian) to T.
template <typename T>
std::vector<T> decode_levels(const Description& d, std::span<const std::byte> raw);

// Bytes of levels [first, first + count) of d's record: where they start and how many.
std::uint64_t level_offset(const Description& d, std::int64_t first);
std::uint64_t level_bytes(const Description& d, std::int64_t count);

}  // namespace granary::mds
