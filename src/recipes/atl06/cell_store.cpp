#include "recipes/atl06/cell_store.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "grids/healpix/morton.hpp"
#include "grids/healpix/packed_morton.hpp"
#include "recipes/atl06/dggs_attributes.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;
using zarr::DType;

struct ArrayDef {
  const char* name;
  DType dtype;
  json fill;
  const char* long_name;
  const char* units;
};

const std::vector<ArrayDef>& base_arrays() {
  static const std::vector<ArrayDef> defs = {
      {"count", DType::Int32, 0, "number of ATL06 segments with atl06_quality_summary == 0", "1"},
      {"h_min", DType::Float32, "NaN", "minimum land-ice height h_li", "m"},
      {"h_max", DType::Float32, "NaN", "maximum land-ice height h_li", "m"},
      {"h_mean", DType::Float32, "NaN", "inverse-variance weighted mean of h_li (weights 1/h_li_sigma^2)", "m"},
      {"h_sigma", DType::Float32, "NaN", "uncertainty of h_mean: 1/sqrt(sum of weights)", "m"},
      {"h_variance", DType::Float32, "NaN", "population variance of h_li", "m2"},
      {"h_q25", DType::Float32, "NaN", "25th percentile of h_li (linear interpolation)", "m"},
      {"h_q50", DType::Float32, "NaN", "median of h_li (linear interpolation)", "m"},
      {"h_q75", DType::Float32, "NaN", "75th percentile of h_li (linear interpolation)", "m"},
  };
  return defs;
}

const std::vector<ArrayDef>& extra_arrays() {
  static const std::vector<ArrayDef> defs = {
      {"h_std", DType::Float32, "NaN", "population standard deviation of h_li", "m"},
      {"t_min", DType::Float64, "NaN", "earliest delta_time (GPS seconds since the ATLAS SDP epoch 2018-01-01)", "seconds since 2018-01-01"},
      {"t_max", DType::Float64, "NaN", "latest delta_time (GPS seconds since the ATLAS SDP epoch 2018-01-01)", "seconds since 2018-01-01"},
      {"n_granules", DType::Int32, 0, "number of distinct granules with a kept segment in the cell", "1"},
  };
  return defs;
}

constexpr std::uint64_t kNoCell = std::numeric_limits<std::uint64_t>::max();

zarr::ArraySpec cells_spec(const StoreLayout& l, DType dtype, json fill, json attrs) {
  zarr::ArraySpec s;
  s.dtype = dtype;
  s.shape = {l.parents.size() * l.cells_per_parent()};
  s.chunks = {l.cells_per_parent()};
  s.fill_value = std::move(fill);
  s.dimension_names = {"cells"};
  s.attributes = std::move(attrs);
  s.codec = l.codec;
  return s;
}

template <typename T>
std::uint64_t put_chunk(io::Store& store, const StoreLayout& l, const std::string& name, std::size_t chunk,
                        const std::vector<T>& values, DType dtype, const json& fill) {
  const auto spec = cells_spec(l, dtype, fill, json::object());
  if (values.size() != l.cells_per_parent()) fail("{}: chunk of {} values, expected {}", name, values.size(), l.cells_per_parent());
  std::span<const std::byte> raw(reinterpret_cast<const std::byte*>(values.data()), values.size() * sizeof(T));
  const std::uint64_t coord = chunk;
  const auto encoded = zarr::encode_chunk(spec, raw);
  zarr::write_chunk(store, l.group() + "/" + name, l.format, {&coord, 1}, encoded);
  return encoded.size();
}

// Integer arrays: a fill value in v3 (required, and not a _FillValue for xarray there);
// none in v2, where xarray would mask it and turn the array into float64.
json int_fill(const StoreLayout& l, json fill) { return l.format == zarr::Format::V2 ? json(nullptr) : fill; }

// cell_ids, morton and a zero count for one parent: what the store's creation writes.
void write_cells(io::Store& store, const StoreLayout& l, std::size_t chunk) {
  const std::int64_t parent = l.parents.at(chunk);
  const auto kids = healpix::morton_children(parent, l.child_order);
  const auto first = healpix::morton_to_nest(kids.front()).nest;
  std::vector<std::uint64_t> ids(kids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::uint64_t>(first) + i;
  put_chunk(store, l, "count", chunk, std::vector<std::int32_t>(kids.size(), 0), DType::Int32, int_fill(l, 0));
  if (l.index.morton_form == MortonForm::Packed) {
    std::vector<std::uint64_t> words(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) words[i] = healpix::nest_to_packed(static_cast<std::int64_t>(ids[i]), l.child_order);
    put_chunk(store, l, "morton", chunk, words, DType::UInt64, int_fill(l, 0));
  } else {
    put_chunk(store, l, "morton", chunk, kids, DType::Int64, int_fill(l, 0));
  }
  put_chunk(store, l, "cell_ids", chunk, ids, DType::UInt64, int_fill(l, kNoCell));
}

std::string index_description(const StoreLayout& l) {
  const bool packed = l.index.morton_form == MortonForm::Packed;
  return fmt::format("cell_ids: HEALPix nested ids at order {}; morton: {}; latitude {}: {}", l.child_order,
                     packed ? "packed uint64 morton word (mortie 1.x)" : "legacy decimal morton index (int64, magg, mortie <= 0.7)",
                     healpix::latitude_name(l.index.latitude),
                     l.index.latitude == healpix::LatitudeConvention::AuthalicWgs84
                         ? "geodetic latitude converted to authalic latitude on WGS84 before indexing (cells equal-area on the ellipsoid)"
                         : "geodetic latitude used directly as spherical latitude (cells equal-area on a sphere)");
}

json root_attributes(const StoreLayout& l) {
  return {{"title", "ICESat-2 ATL06 land-ice height statistics on HEALPix cells"},
          {"source", "ICESat-2 ATL06 land_ice_segments (h_li, h_li_sigma, atl06_quality_summary == 0)"},
          {"history", "granary atl06"},
          {"parent_order", l.parent_order},
          {"child_orders", json::array({l.child_order})},
          {"index", index_description(l)},
          {"latitude", healpix::latitude_name(l.index.latitude)},
          {"morton_form", morton_form_name(l.index.morton_form)}};
}

}  // namespace

std::optional<std::size_t> StoreLayout::chunk_of(std::int64_t parent) const {
  auto it = std::find(parents.begin(), parents.end(), parent);
  if (it == parents.end()) return std::nullopt;
  return static_cast<std::size_t>(it - parents.begin());
}

std::vector<std::string> array_names(bool extra) {
  std::vector<std::string> names;
  for (const auto& d : base_arrays()) names.push_back(d.name);
  if (extra)
    for (const auto& d : extra_arrays()) names.push_back(d.name);
  names.push_back("morton");
  names.push_back("cell_ids");
  return names;
}

// Whether the root's consolidated metadata already holds the child-order group.
static bool consolidated_lists(const io::Store& store, const StoreLayout& l) {
  const std::string g = l.group();
  auto read = [&](const std::string& key) {
    auto bytes = store.get(key);
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (json_too_deep_at(text) != std::string::npos) return json();  // unreadable, as below
    return json::parse(text);
  };
  try {
    if (l.format == zarr::Format::V3) {
      auto root = read("zarr.json");
      return root.contains("consolidated_metadata") && root["consolidated_metadata"]["metadata"].contains(g);
    }
    if (!store.exists(".zmetadata")) return false;
    return read(".zmetadata")["metadata"].contains(g + "/.zgroup");
  } catch (const json::exception&) {
    return false;  // unreadable: consolidating again rewrites it
  }
}

void check_same_index(const StoreLayout& have, const CellIndex& job, const std::string& uri) {
  if (have.index.latitude != job.latitude)
    fail("{}: the store's cells use latitude {}, this job {}: the two conventions are different partitions of the Earth and never "
         "mix in one store (run with --latitude {}, or write to a new store)",
         uri, healpix::latitude_name(have.index.latitude), healpix::latitude_name(job.latitude), healpix::latitude_name(have.index.latitude));
  if (have.index.morton_form != job.morton_form)
    fail("{}: the store's morton coordinate is {}, this job writes {} (run with --morton-form {}, or write to a new store)", uri,
         morton_form_name(have.index.morton_form), morton_form_name(job.morton_form), morton_form_name(have.index.morton_form));
}

std::string status_key(std::int64_t parent, int child_order) {
  return ".granary/cells/" + std::to_string(child_order) + "/" + std::to_string(parent) + ".json";
}

std::optional<StoreLayout> read_layout(const io::Store& store, int child_order) {
  const std::string group = std::to_string(child_order);
  auto node = zarr::read_node(store, group);
  if (!node) return std::nullopt;
  if (node->is_array) fail("{}/{}: expected a group of cells, found an array", store.uri(), group);
  StoreLayout l;
  l.format = node->format;
  l.child_order = child_order;
  const json& a = node->attributes;
  if (!a.contains("granary") || !a["granary"].is_object())
    fail("{}/{}: not a granary ATL06 store (no 'granary' attributes)", store.uri(), group);
  try {
    l.parent_order = require_json_integer<int>(a["granary"].at("parent_order"), store.uri() + "/" + group + ": parent_order");
    l.extra = a["granary"].at("extra_statistics").get<bool>();
  } catch (const std::exception& e) {
    fail("{}/{}: bad 'granary' attributes ({})", store.uri(), group, e.what());
  }
  const json& g = a["granary"];
  if (g.contains("latitude")) {
    auto c = g["latitude"].is_string() ? healpix::parse_latitude(g["latitude"].get<std::string>()) : std::nullopt;
    if (!c) fail("{}/{}: granary.latitude is {}, expected \"geodetic-spherical\" or \"authalic-wgs84\"", store.uri(), group, g["latitude"].dump());
    l.index.latitude = *c;
  }
  if (g.contains("morton_form")) {
    auto f = g["morton_form"].is_string() ? parse_morton_form(g["morton_form"].get<std::string>()) : std::nullopt;
    if (!f) fail("{}/{}: granary.morton_form is {}, expected \"legacy\" or \"packed\"", store.uri(), group, g["morton_form"].dump());
    l.index.morton_form = *f;
  }
  auto cells = zarr::read_node(store, group + "/cell_ids");
  if (!cells || !cells->array) fail("{}/{}: missing array cell_ids", store.uri(), group);
  l.codec = cells->array->codec;
  auto raw = zarr::read_array(store, group + "/parent_morton");
  l.parents.resize(raw.size() / sizeof(std::int64_t));
  std::memcpy(l.parents.data(), raw.data(), raw.size());
  return l;
}

void create_store(io::Store& store, const StoreLayout& l) {
  if (l.parents.empty()) fail("{}: a store needs at least one parent cell", store.uri());
  for (auto p : l.parents)
    if (healpix::morton_order(p) != l.parent_order) fail("parent {} is not a cell of order {}", p, l.parent_order);
  if (auto existing = read_layout(store, l.child_order)) {
    auto differs = [&](const char* what) { fail("{}: exists with a different {}; write to a new store or remove it", store.uri(), what); };
    if (existing->format != l.format) differs("Zarr format");
    if (existing->parent_order != l.parent_order) differs("parent order");
    if (existing->extra != l.extra) differs("set of statistics (--extra-stats)");
    check_same_index(*existing, l.index, store.uri());
    if (existing->parents != l.parents) differs("list of parent cells (catalog)");
    // A creator stopped between the group and the consolidation leaves this to finish.
    if (!consolidated_lists(store, l)) zarr::consolidate(store, "");
    return;
  }
  const std::string g = l.group();
  json root = root_attributes(l);
  // A new child order in an existing store joins the orders already there.
  if (const auto existing_root = zarr::read_node(store, ""); existing_root && !existing_root->is_array) {
    // Other child orders of the store: one cell index for the whole store (a root from
    // before it was recorded is geodetic-spherical and legacy).
    StoreLayout others;
    const json& ra = existing_root->attributes;
    if (auto c = healpix::parse_latitude(ra.value("latitude", "geodetic-spherical"))) others.index.latitude = *c;
    if (auto f = parse_morton_form(ra.value("morton_form", "legacy"))) others.index.morton_form = *f;
    if (ra.contains("child_orders")) check_same_index(others, l.index, store.uri());
    std::set<int> orders{l.child_order};
    for (const auto& o : existing_root->attributes.value("child_orders", json::array()))
      if (o.is_number_integer()) orders.insert(o.get<int>());
    root["child_orders"] = orders;
  }
  zarr::write_group(store, "", l.format, root);

  auto write = [&](const std::string& name, DType dtype, json fill, json attrs) {
    zarr::write_array(store, g + "/" + name, l.format, cells_spec(l, dtype, std::move(fill), std::move(attrs)));
  };
  // CF "coordinates": xarray makes cell_ids and morton coordinates of every statistic.
  auto stat_attrs = [](const ArrayDef& d) {
    return json{{"long_name", d.long_name}, {"units", d.units}, {"coordinates", "cell_ids morton"}};
  };
  auto fill_of = [&](const ArrayDef& d) { return d.dtype == DType::Float32 || d.dtype == DType::Float64 ? d.fill : int_fill(l, d.fill); };
  for (const auto& d : base_arrays()) write(d.name, d.dtype, fill_of(d), stat_attrs(d));
  if (l.extra)
    for (const auto& d : extra_arrays()) write(d.name, d.dtype, fill_of(d), stat_attrs(d));
  if (l.index.morton_form == MortonForm::Packed)
    write("morton", DType::UInt64, int_fill(l, 0), {{"long_name", "packed morton word of the cell (mortie 1.x, uint64)"}});
  else
    write("morton", DType::Int64, int_fill(l, 0), {{"long_name", "legacy decimal morton index of the cell"}});
  // Only xdggs's own keys: xdggs refuses a cell-id coordinate with any other attribute.
  write("cell_ids", DType::UInt64, int_fill(l, kNoCell), xdggs_cell_ids_attributes(l.child_order, l.index.latitude));

  zarr::ArraySpec parents;
  parents.dtype = DType::Int64;
  parents.shape = {l.parents.size()};
  parents.chunks = {l.parents.size()};
  parents.fill_value = int_fill(l, 0);
  parents.dimension_names = {"parents"};
  parents.attributes = {{"long_name", "parent cell (morton) whose children fill chunk i of the cell arrays"}};
  parents.codec = l.codec;
  zarr::write_array(store, g + "/parent_morton", l.format, parents);
  const std::uint64_t zero = 0;
  std::span<const std::byte> raw(reinterpret_cast<const std::byte*>(l.parents.data()), l.parents.size() * sizeof(std::int64_t));
  zarr::write_chunk(store, g + "/parent_morton", l.format, {&zero, 1}, zarr::encode_chunk(parents, raw));
  for (std::size_t chunk = 0; chunk < l.parents.size(); ++chunk) write_cells(store, l, chunk);
  // The group is what read_layout looks for, so it goes last: a creation that fails before
  // it (S3 unavailable, a kill) leaves no store that looks complete, and the next run
  // creates it again (every write above is idempotent).
  // The dggs block in v2's .zattrs too: one place where any reader finds the convention.
  json gattrs = dggs_group_attributes(l.child_order, l.index);
  gattrs["granary"] = {{"parent_order", l.parent_order},
                       {"child_order", l.child_order},
                       {"extra_statistics", l.extra},
                       {"cells_per_parent", l.cells_per_parent()},
                       {"latitude", healpix::latitude_name(l.index.latitude)},
                       {"morton_form", morton_form_name(l.index.morton_form)}};
  zarr::write_group(store, g, l.format, gattrs);
  // Metadata never changes after this, so the store is consolidated from birth (runs
  // consolidate again at the end, which rewrites the same document).
  zarr::consolidate(store, "");
}

std::uint64_t write_parent(io::Store& store, const StoreLayout& l, std::size_t chunk, std::int64_t parent, const ops::GroupStats& s) {
  if (chunk >= l.parents.size() || l.parents[chunk] != parent)
    fail("{}: chunk {} does not hold parent {}", store.uri(), chunk, parent);
  if (s.extra != l.extra) fail("{}: statistics do not match the store's (--extra-stats)", store.uri());
  std::uint64_t bytes = 0;
  const std::vector<const std::vector<float>*> f32 = {&s.h_min, &s.h_max, &s.h_mean, &s.h_sigma, &s.h_variance, &s.h_q25, &s.h_q50, &s.h_q75};
  for (std::size_t i = 0; i < f32.size(); ++i) bytes += put_chunk(store, l, base_arrays()[i + 1].name, chunk, *f32[i], DType::Float32, "NaN");
  if (l.extra) {
    bytes += put_chunk(store, l, "h_std", chunk, s.h_std, DType::Float32, "NaN");
    bytes += put_chunk(store, l, "t_min", chunk, s.t_min, DType::Float64, "NaN");
    bytes += put_chunk(store, l, "t_max", chunk, s.t_max, DType::Float64, "NaN");
    bytes += put_chunk(store, l, "n_granules", chunk, s.n_sources, DType::Int32, int_fill(l, 0));
  }
  // count last: the statistics it describes are in place before it says there is data.
  bytes += put_chunk(store, l, "count", chunk, s.count, DType::Int32, int_fill(l, 0));
  return bytes;
}

}  // namespace granary::atl06
