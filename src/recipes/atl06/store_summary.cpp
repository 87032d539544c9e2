#include "recipes/atl06/store_summary.hpp"

#include <cstring>
#include <set>

#include "formats/zarr/zarr.hpp"
#include "ops/describe/zarr_chunks.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "util/error.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

zarr::NodeInfo array_node(const io::Store& store, const std::string& path, zarr::DType dtype) {
  auto node = zarr::read_node(store, path);
  if (!node || !node->array) fail("{}/{}: missing array", store.uri(), path);
  if (node->array->dtype != dtype || node->array->shape.size() != 1)
    fail("{}/{}: not the 1-D array of an ATL06 cell group", store.uri(), path);
  return *node;
}

json summarize_group(const io::Store& store, const std::string& group) {
  auto at = [&](const std::string& name) { return group.empty() ? name : group + "/" + name; };
  const auto cells = array_node(store, at("cell_ids"), zarr::DType::UInt64);
  const auto count = array_node(store, at("count"), zarr::DType::Int32);
  if (cells.array->shape != count.array->shape || cells.array->chunks != count.array->chunks)
    fail("{}/{}: cell_ids and count have different shapes or chunks", store.uri(), group);

  json out{{"group", group}, {"cells", cells.array->shape[0]}};
  std::uint64_t with_data = 0, obs = 0, id_min = UINT64_MAX, id_max = 0;
  const auto grid = describe::chunk_grid(*count.array);
  const auto chunk = count.array->chunks[0], total = count.array->shape[0];
  for (std::uint64_t c = 0; c < grid[0]; ++c) {
    const std::uint64_t coords[1] = {c};
    auto counts = describe::read_chunk(store, at("count"), count, coords);
    if (!counts) continue;  // never written: no data
    auto ids = describe::read_chunk(store, at("cell_ids"), cells, coords);
    if (!ids) fail("{}/{}: chunk {} is missing while count has it", store.uri(), at("cell_ids"), c);
    const std::uint64_t n = std::min(chunk, total - c * chunk);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::int32_t k;
      std::uint64_t id;
      std::memcpy(&k, counts->data() + i * sizeof k, sizeof k);
      if (k <= 0) continue;
      std::memcpy(&id, ids->data() + i * sizeof id, sizeof id);
      ++with_data;
      obs += static_cast<std::uint64_t>(k);
      id_min = std::min(id_min, id);
      id_max = std::max(id_max, id);
    }
  }
  out["cells_with_data"] = with_data;
  out["total_obs"] = obs;
  out["cell_id_min"] = with_data ? json(id_min) : json(nullptr);
  out["cell_id_max"] = with_data ? json(id_max) : json(nullptr);

  // Parents: chunk i of the group holds parent_morton[i]'s children.
  const auto parents_path = at("parent_morton");
  if (zarr::read_node(store, parents_path)) {
    auto raw = zarr::read_array(store, parents_path);
    std::vector<std::int64_t> parents(raw.size() / sizeof(std::int64_t));
    std::memcpy(parents.data(), raw.data(), parents.size() * sizeof(std::int64_t));
    std::set<std::string> status;
    for (const auto& o : store.list(".granary/cells/")) status.insert(o.key);
    std::uint64_t processed = 0;
    int child_order = -1;
    try {
      child_order = std::stoi(group);
    } catch (const std::exception&) {
    }
    for (auto p : parents) processed += status.count(status_key(p, child_order));
    out["parents"] = parents.size();
    out["parents_processed"] = processed;
  } else {
    out["parents"] = out["parents_processed"] = nullptr;
  }
  return out;
}

}  // namespace

std::optional<json> summarize_store(const io::Store& store, const json& zarr_description) {
  std::set<std::string> arrays;
  for (const auto& a : zarr_description.at("arrays")) arrays.insert(a.at("path").get<std::string>());
  json groups = json::array();
  for (const auto& g : zarr_description.at("groups")) {
    const auto path = g.at("path").get<std::string>();
    const auto prefix = path.empty() ? "" : path + "/";
    if (arrays.count(prefix + "cell_ids") && arrays.count(prefix + "count")) groups.push_back(summarize_group(store, path));
  }
  if (groups.empty()) return std::nullopt;
  return json{{"groups", groups}};
}

}  // namespace granary::atl06
