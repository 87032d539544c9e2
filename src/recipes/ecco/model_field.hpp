#pragma once
// Reading one model field of one timestep for a product task: where the file is, that it
// has the levels the grouping needs, and its values in tile order.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "grids/llc/grid.hpp"
#include "recipes/ecco/grouping.hpp"

namespace granary::ecco {

// {model_output_dir}/{diags_monthly|diags_daily|diags_inst}/{FIELD}_{suffix}/
//   {FIELD}_{suffix}.{10-digit timestep}.data
std::filesystem::path model_field_path(const std::filesystem::path& model_output_dir, const std::string& field,
                                       Frequency frequency, std::int64_t timestep);

struct ModelField {
  std::string name;
  std::filesystem::path path;
  int levels = 1;
  std::vector<float> values;  // levels x points(), tile order
  const float* level(int k, std::size_t points) const { return values.data() + static_cast<std::size_t>(k) * points; }
};

// Reads `levels` levels (1 for 2D fields, grid.nz for 3D). Errors name the file: missing,
// truncated, .meta disagreeing with the grid, fewer levels than needed.
ModelField read_model_field(const llc::Grid& grid, const std::filesystem::path& path, const std::string& name,
                            int levels);

}  // namespace granary::ecco
