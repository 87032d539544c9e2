#include "recipes/atl06/catalog_describe.hpp"

#include <algorithm>
#include <set>

#include "grids/healpix/morton.hpp"

namespace granary::atl06 {

nlohmann::json describe_catalog(const Catalog& catalog, const std::string& path) {
  std::set<std::string> granules;
  std::vector<std::size_t> per_cell;
  std::size_t reads = 0;
  for (const auto& [cell, list] : catalog.cells) {
    granules.insert(list.begin(), list.end());
    per_cell.push_back(list.size());
    reads += list.size();
  }
  std::sort(per_cell.begin(), per_cell.end());
  nlohmann::json out = {{"format", "granary ATL06 catalog"},
                        {"path", path},
                        {"metadata", nlohmann::json::parse(catalog.metadata.dump())},
                        {"cells", catalog.cells.size()},
                        {"granules", granules.size()},
                        {"granule_reads", reads}};
  if (!catalog.cells.empty()) {
    out["parent_order"] = healpix::morton_order(catalog.cells.begin()->first);
    out["granules_per_cell"] = {{"min", per_cell.front()}, {"median", per_cell[per_cell.size() / 2]}, {"max", per_cell.back()}};
    out["cell_min"] = catalog.cells.begin()->first;
    out["cell_max"] = catalog.cells.rbegin()->first;
  }
  return out;
}

}  // namespace granary::atl06
