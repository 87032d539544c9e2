#pragma once
// Reading one model field of one timestep for a product task: where the file is, that it
// has the levels the grouping needs, and its values in tile order. The model output is a
// local directory (read in place) or an s3:// prefix (one listing for the record and its
// .meta, a GET of the .meta, and one ranged GET of the levels needed).
#include <cstdint>
#include <string>
#include <vector>

#include "grids/llc/grid.hpp"
#include "recipes/ecco/grouping.hpp"

namespace granary::ecco {

// {model_output_dir}/{diags_monthly|diags_daily|diags_inst}/{FIELD}_{suffix}/
//   {FIELD}_{suffix}.{10-digit timestep}.data
std::string model_field_path(const std::string& model_output_dir, const std::string& field, Frequency frequency,
                             std::int64_t timestep);

struct ModelField {
  std::string name;
  std::string path;  // local path or s3:// URI
  int levels = 1;
  std::vector<float> values;  // levels x points(), tile order
  const float* level(int k, std::size_t points) const { return values.data() + static_cast<std::size_t>(k) * points; }
};

// Reads `levels` levels (1 for 2D fields, grid.nz for 3D). Errors name the file or object:
// missing, truncated, .meta disagreeing with the grid, fewer levels than needed.
ModelField read_model_field(const llc::Grid& grid, const std::string& path, const std::string& name, int levels);

}  // namespace granary::ecco
