#include "formats/mds/reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "util/endian.hpp"
#include "util/error.hpp"

namespace granary::mds {
namespace fs = std::filesystem;

Description describe(const std::string& path, const std::optional<Shape>& shape,
                     const std::optional<std::string>& meta_override, std::int64_t values_per_level) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail("{}: no such file", path);
  const std::uint64_t size = fs::file_size(path, ec);
  std::string meta_file = meta_override.value_or(meta_path_for(path));
  std::optional<Meta> meta;
  if (meta_override || (!shape && fs::exists(meta_file))) meta = read_meta(meta_file);
  return describe_record(path, size, meta, meta_file, shape, values_per_level);
}

Description describe_record(const std::string& name, std::uint64_t size, const std::optional<Meta>& meta,
                            const std::string& meta_name, const std::optional<Shape>& shape,
                            std::int64_t values_per_level) {
  Description d;
  d.path = name;
  d.time_step = timestep_from_name(name);
  if (meta) {
    const Meta& m = *meta;
    d.precision = m.precision;
    if (m.time_step) d.time_step = m.time_step;
    // Horizontal slab = the first two dimensions; the rest (and records) are levels.
    std::int64_t horiz = m.dims.size() >= 2 ? m.dims[0] * m.dims[1] : m.dims[0];
    d.values_per_level = horiz;
    d.levels = m.values_per_record() / horiz * m.n_records;
    if (values_per_level && horiz != values_per_level)
      fail("{}: describes {} values per level (dimList {}), but the grid has {}", meta_name, horiz,
           fmt::join(m.dims, "x"), values_per_level);
    if (size != m.expected_bytes()) {
      if (size < m.expected_bytes())
        fail("{}: truncated: {} bytes, but {} describes {} values of {} ({} bytes)", name, size, meta_name,
             m.values_per_record() * m.n_records, m.precision == Precision::Float32 ? "float32" : "float64",
             m.expected_bytes());
      fail("{}: {} bytes, but {} describes {} bytes", name, size, meta_name, m.expected_bytes());
    }
    d.meta = m;
    return d;
  }
  if (!shape) fail("{}: no .meta beside it ({}); give the shape and dtype", name, meta_name);
  d.precision = shape->precision;
  d.values_per_level = shape->values_per_level;
  const std::uint64_t level_bytes = static_cast<std::uint64_t>(d.values_per_level) * bytes_of(d.precision);
  if (level_bytes == 0) fail("{}: the shape has no values per level", name);
  if (shape->levels) {
    d.levels = *shape->levels;
    if (size != level_bytes * static_cast<std::uint64_t>(d.levels))
      fail("{}: {} bytes, but {} levels of {} values need {} bytes{}", name, size, d.levels, d.values_per_level,
           level_bytes * d.levels, size < level_bytes * d.levels ? " (truncated)" : "");
  } else {
    if (size == 0 || size % level_bytes)
      fail("{}: {} bytes is not a whole number of levels of {} values ({} bytes each)", name, size,
           d.values_per_level, level_bytes);
    d.levels = static_cast<std::int64_t>(size / level_bytes);
  }
  return d;
}

std::uint64_t level_offset(const Description& d, std::int64_t first) {
  return static_cast<std::uint64_t>(first * d.values_per_level) * bytes_of(d.precision);
}

std::uint64_t level_bytes(const Description& d, std::int64_t count) { return level_offset(d, count); }

template <typename T>
std::vector<T> decode_levels(const Description& d, std::span<const std::byte> raw) {
  const std::size_t esize = bytes_of(d.precision);
  const std::size_t n = raw.size() / esize;
  std::vector<T> out(n);
  if (d.precision == Precision::Float32)
    for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<T>(load_be<float>(&raw[4 * k]));
  else
    for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<T>(load_be<double>(&raw[8 * k]));
  return out;
}

template <typename T>
std::vector<T> read_levels(const Description& d, std::int64_t first, std::int64_t count) {
  if (first < 0 || count < 0 || first + count > d.levels)
    fail("{}: asked for levels [{}, {}), the file has {}", d.path, first, first + count, d.levels);
  std::vector<std::byte> raw(level_bytes(d, count));
  std::ifstream in(d.path, std::ios::binary);
  if (!in) fail("{}: cannot open ({})", d.path, std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(level_offset(d, first)));
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  if (static_cast<std::size_t>(in.gcount()) != raw.size())
    fail("{}: truncated while reading levels [{}, {})", d.path, first, first + count);
  return decode_levels<T>(d, raw);
}

template std::vector<float> read_levels<float>(const Description&, std::int64_t, std::int64_t);
template std::vector<double> read_levels<double>(const Description&, std::int64_t, std::int64_t);
template std::vector<float> decode_levels<float>(const Description&, std::span<const std::byte>);
template std::vector<double> decode_levels<double>(const Description&, std::span<const std::byte>);

}  // namespace granary::mds
