#include "recipes/ecco/model_field.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "formats/mds/reader.hpp"
#include "io/store.hpp"
#include "recipes/ecco/locations.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;
namespace {

// Model diagnostics always come with a .meta; without one, assume compact >f4.
mds::Shape compact_float32(std::int64_t points) { return mds::Shape{points, std::nullopt, mds::Precision::Float32}; }

std::vector<float> read_local(const std::string& path, const std::string& name, std::int64_t points, int levels) {
  if (!fs::exists(path)) fail("{}: missing field {} (no such file)", path, name);
  auto d = mds::describe(path, fs::exists(mds::meta_path_for(path)) ? std::nullopt
                                                                    : std::optional<mds::Shape>(compact_float32(points)),
                         std::nullopt, points);
  if (d.levels < levels) fail("{}: {} has {} level(s), the grouping needs {}", path, name, d.levels, levels);
  return mds::read_levels<float>(d, 0, levels);
}

std::vector<float> read_remote(const std::string& uri, const std::string& name, std::int64_t points, int levels) {
  auto store = io::open_store(io::parent_uri(uri));
  const std::string data_key = io::basename_of(uri);
  const std::string meta_uri = mds::meta_path_for(uri);
  const std::string meta_key = io::basename_of(meta_uri);
  // One listing finds both the record and its .meta, with the record's size.
  std::optional<std::uint64_t> data_size;
  bool have_meta = false;
  for (const auto& object : store->list(data_key.substr(0, data_key.size() - 4))) {
    if (object.key == data_key) data_size = object.size;
    if (object.key == meta_key) have_meta = true;
  }
  if (!data_size) fail("{}: missing field {} (no such object)", uri, name);
  std::optional<mds::Meta> meta;
  if (have_meta) {
    auto bytes = store->get(meta_key);
    meta = mds::parse_meta(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), meta_uri);
  }
  auto d = mds::describe_record(uri, *data_size, meta, meta_uri,
                                meta ? std::nullopt : std::optional<mds::Shape>(compact_float32(points)), points);
  if (d.levels < levels) fail("{}: {} has {} level(s), the grouping needs {}", uri, name, d.levels, levels);
  return mds::decode_levels<float>(d, store->get_range(data_key, 0, mds::level_bytes(d, levels)));
}

}  // namespace

std::string model_field_path(const std::string& model_output_dir, const std::string& field, Frequency frequency,
                             std::int64_t timestep) {
  auto layout = layout_of(frequency);
  auto stem = field + "_" + layout.suffix;
  return join_uri(join_uri(join_uri(model_output_dir, layout.directory), stem),
                  fmt::format("{}.{:010d}.data", stem, timestep));
}

ModelField read_model_field(const llc::Grid& grid, const std::string& path, const std::string& name, int levels) {
  const auto points = static_cast<std::int64_t>(grid.points());
  auto compact = is_remote(path) ? read_remote(path, name, points, levels) : read_local(path, name, points, levels);
  ModelField f;
  f.name = name;
  f.path = path;
  f.levels = levels;
  f.values.resize(compact.size());
  for (int k = 0; k < levels; ++k)
    llc::compact_to_tiles(grid.layout, compact.data() + k * points, f.values.data() + k * points);
  return f;
}

}  // namespace granary::ecco
