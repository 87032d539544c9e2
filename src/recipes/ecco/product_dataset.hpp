#pragma once
// Assembles the netCDF description of one ECCO granule (lat-lon or native) from computed
// values and the metadata: dimensions, coordinates, data variables, attributes, encodings.
// The Dataset borrows its arrays; ProductDataset owns them so they live until written.
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "formats/netcdf/dataset.hpp"
#include "grids/llc/grid.hpp"
#include "recipes/ecco/attributes.hpp"
#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/time_axis.hpp"

namespace granary::ecco {

class TaskContext;

// Where a native variable sits: its horizontal location and, for 3D, whether it lives on
// the top faces of the cells (k_l: vertical velocities and fluxes) instead of centres (k).
struct Placement {
  llc::Location location = llc::Location::C;
  bool top_face = false;
};
// From the variable metadata's grid_location ("c", "u", "v") and the variable's name.
Placement placement_of(const TaskContext& ctx, const std::string& output_name);

// Per-level nanmin/nanmax of a streamed variable, filled in as its levels are produced.
using LevelRanges = std::vector<std::optional<ValidRange>>;

struct ProductVariable {
  std::string name;                // output name (after renames)
  Placement placement;             // native only
  std::vector<float> values;       // levels x horizontal, NaN where there is no data
  std::optional<ValidRange> range; // nanmin / nanmax of values
  // Streamed instead (lat-lon): level k's values are computed into a chunk by the netCDF
  // writer's compression threads, recording its range in level_ranges[k]; valid_min and
  // valid_max are written once every level is done.
  std::function<void(std::size_t level, std::byte* out)> level_source;
  std::shared_ptr<LevelRanges> level_ranges;
};

// nanmin/nanmax of the values (std::nullopt when all are NaN).
std::optional<ValidRange> valid_range(std::span<const float> values);
std::optional<ValidRange> merge_ranges(const LevelRanges& ranges);
// The writer's final_attributes for a streamed variable: valid_min/valid_max from the
// levels' ranges (deleted when every value is NaN).
std::function<std::vector<std::pair<std::string, std::optional<nc::AttrValue>>>()> final_valid_range(
    std::shared_ptr<LevelRanges> ranges);

class ProductDataset {
 public:
  nc::Dataset dataset;

  template <typename T>
  std::span<const std::byte> keep(std::vector<T> values) {
    auto& held = owned_.emplace_back(values.size() * sizeof(T));
    std::memcpy(held.data(), values.data(), held.size());
    return {held.data(), held.size()};
  }

 private:
  std::deque<std::vector<std::byte>> owned_;
};

// levels: 1 for 2D groupings. Variables' values must stay alive until the dataset is written.
// With ctx.config.grid_mapping, the lat-lon dataset also gets the CF `crs` variable (WGS 84)
// named by grid_mapping on its data variables; native datasets never do (their LLC tiles
// are no regular grid a CRS and a geotransform could describe).
void build_latlon_dataset(const TaskContext& ctx, const Grouping& grouping, const TimeInfo& time, int levels,
                          const std::vector<ProductVariable>& variables, const GranuleStamp& stamp,
                          ProductDataset& out);
void build_native_dataset(const TaskContext& ctx, const Grouping& grouping, const TimeInfo& time, int levels,
                          const std::vector<ProductVariable>& variables, const GranuleStamp& stamp,
                          ProductDataset& out);

}  // namespace granary::ecco
