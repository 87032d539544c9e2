#pragma once
// What an ATL06 catalog holds, for `granary info`: cells, granules, how many granules each
// cell reads, and the catalog's own metadata (including failed granules).
#include <string>

#include <nlohmann/json.hpp>

#include "recipes/atl06/catalog.hpp"

namespace granary::atl06 {

// {format: "granary ATL06 catalog", path, metadata, parent_order, cells, granules (distinct),
// granule_reads, granules_per_cell {min, median, max}, cell_min, cell_max}.
nlohmann::json describe_catalog(const Catalog& catalog, const std::string& path);

}  // namespace granary::atl06
