#include "recipes/ecco/model_field.hpp"

#include <fmt/format.h>

#include "formats/mds/reader.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

fs::path model_field_path(const fs::path& model_output_dir, const std::string& field, Frequency frequency,
                          std::int64_t timestep) {
  auto layout = layout_of(frequency);
  auto stem = field + "_" + layout.suffix;
  return model_output_dir / layout.directory / stem / fmt::format("{}.{:010d}.data", stem, timestep);
}

ModelField read_model_field(const llc::Grid& grid, const fs::path& path, const std::string& name, int levels) {
  const auto points = static_cast<std::int64_t>(grid.points());
  if (!fs::exists(path)) fail("{}: missing field {} (no such file)", path.string(), name);
  // Model diagnostics always come with a .meta; without one, assume compact >f4.
  auto d = mds::describe(path.string(),
                         fs::exists(mds::meta_path_for(path.string()))
                             ? std::nullopt
                             : std::optional<mds::Shape>(mds::Shape{points, std::nullopt, mds::Precision::Float32}),
                         std::nullopt, points);
  if (d.levels < levels)
    fail("{}: {} has {} level(s), the grouping needs {}", path.string(), name, d.levels, levels);
  auto compact = mds::read_levels<float>(d, 0, levels);
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
