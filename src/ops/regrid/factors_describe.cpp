#include "ops/regrid/factors_describe.hpp"

#include <cstring>
#include <fstream>

#include "ops/regrid/factors_file.hpp"
#include "ops/regrid/level_weights.hpp"

namespace granary::regrid {

bool looks_like_factors_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, kFactorsMagic, sizeof magic) == 0;
}

nlohmann::json describe_factors_file(const std::string& path) {
  const FactorsData data = read_factors_file(path);
  const FactorsParams& p = data.params;
  nlohmann::json levels = nlohmann::json::array();
  const auto stats = count_levels(data);
  for (std::size_t k = 0; k < stats.size(); ++k)
    levels.push_back({{"level", k},
                      {"wet", stats[k].wet},
                      {"ocean", stats[k].ocean},
                      {"nnz", stats[k].nnz},
                      {"fallback", stats[k].fallback},
                      {"max_in_radius", stats[k].max_in_r}});
  return {{"format", "granary mapping factors"},
          {"path", path},
          {"target", {{"resolution", p.target.resolution}, {"nlat", p.target.nlat}, {"nlon", p.target.nlon}}},
          {"source", {{"nx", p.nx}, {"points", p.points}, {"geometry_crc32", p.geometry_crc32}, {"grid_dir", p.grid_dir}}},
          {"search",
           {{"area_radius_m", p.area_radius},
            {"ecef_radius_m", p.ecef_radius},
            {"radius_bound_m", p.radius_bound},
            {"nearest_bound_m", p.nearest_bound},
            {"max_neighbours", p.max_neighbours}}},
          {"levels", p.levels},
          {"per_level", levels}};
}

}  // namespace granary::regrid
