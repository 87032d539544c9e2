#pragma once
// What a mapping-factors file holds, for `granary info`: its parameters, the source grid it
// was built for and the oracle's per-level counts (wet sources, ocean targets, nnz, nearest
// fallbacks).
#include <string>

#include <nlohmann/json.hpp>

namespace granary::regrid {

// True when the file starts with the factors magic (cheap; reads 8 bytes).
bool looks_like_factors_file(const std::string& path);

// {format: "granary mapping factors", path, target {resolution, nlat, nlon}, source {nx,
// points, geometry_crc32, grid_dir}, search {...}, levels, per_level [{level, wet, ocean,
// nnz, fallback, max_in_radius}]}. Errors name the file.
nlohmann::json describe_factors_file(const std::string& path);

}  // namespace granary::regrid
