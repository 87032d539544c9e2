#pragma once
// What an ATL06 output store holds (for `granary info`): per child-order group with
// cell_ids and count arrays, the parents it has room for, those whose job finished (status
// objects), cells with data, observations and the range of cell ids with data.
#include <optional>

#include <nlohmann/json.hpp>

#include "io/store.hpp"

namespace granary::atl06 {

// `zarr_description` is describe::describe_zarr's output for `store`. nullopt when no group
// looks like an ATL06 cell group (arrays cell_ids and count side by side); otherwise
// {"groups": [{group, parents, parents_processed, cells, cells_with_data, total_obs,
// cell_id_min, cell_id_max}]}. Reads cell_ids and count one chunk (one parent) at a time.
std::optional<nlohmann::json> summarize_store(const io::Store& store, const nlohmann::json& zarr_description);

}  // namespace granary::atl06
