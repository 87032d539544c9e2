#pragma once
// `granary atl06 run`: from a catalog to one job payload per parent cell. The store's layout
// takes every parent of the catalog in ascending order (chunk i = i-th parent), whatever
// subset a run selects, so partial runs, resumed runs and later runs fill the same store.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cell_store.hpp"

namespace granary::atl06 {

struct RunSelection {
  std::optional<std::int64_t> morton_cell;  // only this parent
  std::optional<std::size_t> max_cells;     // only the first N parents (catalog order)
  bool overwrite = false;                   // rerun parents that already succeeded
};

struct PlannedCell {
  std::int64_t parent = 0;
  std::size_t chunk = 0;
  nlohmann::json payload;  // the cell job's event
  bool done = false;       // succeeded in an earlier run with the same inputs: skipped
};

// Granules in a catalog are URIs or paths; a relative path that does not exist as given is
// looked up beside the catalog file (catalogs often list bare file names), or in granule_dir.
std::string resolve_granule(const std::string& entry, const std::string& catalog_path, const std::string& granule_dir);

// `base_event` carries the job options (numerics, extra_stats, ...); each payload adds
// parent_morton, parent_order, child_order, granule_urls, store and chunk_idx.
std::vector<PlannedCell> plan_cells(const Catalog& catalog, const StoreLayout& layout, const RunSelection& selection,
                                    const nlohmann::json& base_event, const std::string& store_uri,
                                    const std::string& catalog_path, const std::string& granule_dir,
                                    const io::Store* existing_store);

}  // namespace granary::atl06
