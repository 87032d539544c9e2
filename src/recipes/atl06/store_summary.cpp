#include "recipes/atl06/store_summary.hpp"

#include <cstring>
#include <set>

#include "formats/zarr/zarr.hpp"
#include "ops/describe/zarr_chunks.hpp"
#include "recipes/atl06/cell_index.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "util/error.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

// The cells of one chunk as nested ids (-1: none): cell_ids when the group has them, else
// the decoded morton coordinate (a store of zagg's has only that).
std::vector<std::int64_t> chunk_cells(const io::Store& store, const std::string& path, const zarr::NodeInfo& node,
                                      std::span<const std::uint64_t> coords, std::optional<MortonForm> morton, int order) {
  auto raw = describe::read_chunk(store, path, node, coords);
  if (!raw) fail("{}/{}: chunk {} is missing while count has it", store.uri(), path, coords[0]);
  if (morton) return nested_from_morton(*raw, *morton, order);
  std::vector<std::int64_t> out(raw->size() / 8);
  std::memcpy(out.data(), raw->data(), out.size() * 8);
  return out;
}

zarr::NodeInfo array_node(const io::Store& store, const std::string& path, zarr::DType dtype) {
  auto node = zarr::read_node(store, path);
  if (!node || !node->array) fail("{}/{}: missing array", store.uri(), path);
  if (node->array->dtype != dtype || node->array->shape.size() != 1)
    fail("{}/{}: not the 1-D array of an ATL06 cell group", store.uri(), path);
  return *node;
}

json summarize_group(const io::Store& store, const std::string& group) {
  auto at = [&](const std::string& name) { return group.empty() ? name : group + "/" + name; };
  int order = -1;
  try {
    order = std::stoi(group);
  } catch (const std::exception&) {
  }
  const auto group_node = zarr::read_node(store, group);
  const bool has_ids = zarr::read_node(store, at("cell_ids")).has_value();
  const CellIndex index = declared_cell_index(group_node ? group_node->attributes : json(),
                                              has_ids ? zarr::read_node(store, at("cell_ids"))->attributes : json());
  std::optional<MortonForm> decode;  // cells from `morton` when there is no cell_ids
  if (!has_ids) decode = index.morton_form;
  const std::string ids_name = has_ids ? "cell_ids" : "morton";
  const auto cells = array_node(store, at(ids_name),
                                has_ids || index.morton_form == MortonForm::Packed ? zarr::DType::UInt64 : zarr::DType::Int64);
  const auto count = array_node(store, at("count"), zarr::DType::Int32);
  if (cells.array->shape != count.array->shape || cells.array->chunks != count.array->chunks)
    fail("{}/{}: {} and count have different shapes or chunks", store.uri(), group, ids_name);

  json out{{"group", group},
           {"cells", cells.array->shape[0]},
           {"latitude", healpix::latitude_name(index.latitude)},
           {"morton_form", morton_form_name(index.morton_form)}};
  std::uint64_t with_data = 0, obs = 0, id_min = UINT64_MAX, id_max = 0;
  const auto grid = describe::chunk_grid(*count.array);
  const auto chunk = count.array->chunks[0], total = count.array->shape[0];
  for (std::uint64_t c = 0; c < grid[0]; ++c) {
    const std::uint64_t coords[1] = {c};
    auto counts = describe::read_chunk(store, at("count"), count, coords);
    if (!counts) continue;  // never written: no data
    const auto ids = chunk_cells(store, at(ids_name), cells, coords, decode, order);
    const std::uint64_t n = std::min({chunk, total - c * chunk, static_cast<std::uint64_t>(ids.size())});
    for (std::uint64_t i = 0; i < n; ++i) {
      std::int32_t k;
      std::memcpy(&k, counts->data() + i * sizeof k, sizeof k);
      if (k <= 0 || ids[i] < 0) continue;
      const auto id = static_cast<std::uint64_t>(ids[i]);
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
    for (auto p : parents) processed += status.count(status_key(p, order));
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
    if ((arrays.count(prefix + "cell_ids") || arrays.count(prefix + "morton")) && arrays.count(prefix + "count"))
      groups.push_back(summarize_group(store, path));
  }
  if (groups.empty()) return std::nullopt;
  return json{{"groups", groups}};
}

}  // namespace granary::atl06
