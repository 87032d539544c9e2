#include "recipes/atl06/run_plan.hpp"

#include <filesystem>

#include "grids/healpix/morton.hpp"
#include "io/store.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::atl06 {
namespace fs = std::filesystem;
using nlohmann::json;

std::string resolve_granule(const std::string& entry, const std::string& catalog_path, const std::string& granule_dir) {
  if (io::is_s3_uri(entry) || entry.rfind("https://", 0) == 0 || entry.rfind("http://", 0) == 0) return entry;
  const fs::path p(entry);
  if (!granule_dir.empty()) return (fs::path(granule_dir) / p.filename()).string();
  if (p.is_absolute() || fs::exists(p)) return entry;
  const fs::path beside = fs::path(catalog_path).parent_path() / p;
  return fs::exists(beside) ? beside.string() : entry;
}

namespace {

// A parent is done when its status object says SUCCESS for the same inputs and options.
bool already_done(const io::Store& store, const json& payload) {
  const std::string key = status_key(require_json_integer<std::int64_t>(payload["parent_morton"], "parent_morton"),
                                     require_json_integer<int>(payload["child_order"], "child_order"));
  if (!store.exists(key)) return false;
  try {
    auto bytes = store.get(key);
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    require_json_depth(text, key);
    auto status = json::parse(text);
    return status.value("status", "") == "SUCCESS" && status.contains("inputs") && status["inputs"] == payload["granule_urls"] &&
           status.value("numerics", "") == payload.value("numerics", "double");
  } catch (const std::exception&) {
    return false;  // unreadable status: run the cell again
  }
}

}  // namespace

std::vector<PlannedCell> plan_cells(const Catalog& catalog, const StoreLayout& layout, const RunSelection& sel,
                                    const json& base_event, const std::string& store_uri, const std::string& catalog_path,
                                    const std::string& granule_dir, const io::Store* existing) {
  if (sel.morton_cell && !catalog.cells.count(*sel.morton_cell))
    fail("{}: parent {} is not in the catalog", catalog_path, *sel.morton_cell);
  std::vector<PlannedCell> out;
  for (const auto& [parent, granules] : catalog.cells) {
    if (sel.morton_cell && parent != *sel.morton_cell) continue;
    if (sel.max_cells && out.size() >= *sel.max_cells) break;
    PlannedCell c;
    c.parent = parent;
    c.chunk = *layout.chunk_of(parent);
    c.payload = base_event;
    c.payload["parent_morton"] = parent;
    c.payload["parent_order"] = layout.parent_order;
    c.payload["child_order"] = layout.child_order;
    json urls = json::array();
    for (const auto& g : granules) urls.push_back(resolve_granule(g, catalog_path, granule_dir));
    c.payload["granule_urls"] = std::move(urls);
    c.payload["store"] = store_uri;
    c.payload["chunk_idx"] = c.chunk;
    c.done = existing && !sel.overwrite && already_done(*existing, c.payload);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace granary::atl06
