#include "recipes/ecco/product_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "formats/netcdf/cf_grid_mapping.hpp"
#include "recipes/ecco/task_context.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

// Vertical fluxes and velocities live on the top face of the tracer cell (k_l), as
// xmitgcm's variable registry places them.
bool on_top_face(const std::string& name) {
  static const std::set<std::string> top = {"WVEL",    "WVELMASS", "WVELSTAR", "ADVr_TH", "ADVr_SLT",
                                            "DFrE_TH", "DFrI_TH",  "DFrE_SLT", "DFrI_SLT", "oceSPtnd_w"};
  return top.count(name) > 0;
}

struct Builder {
  const TaskContext& ctx;
  Product product;
  Frequency frequency;
  ProductDataset& out;

  void dim(const std::string& name, std::size_t size) { out.dataset.dimensions.push_back({name, size, false}); }

  template <typename T>
  void coord(const std::string& name, std::vector<std::string> dims, std::vector<T> values) {
    nc::Variable v;
    v.name = name;
    v.type = coordinate_type(name);
    v.dims = std::move(dims);
    v.attributes = ctx.metadata.coordinate_attributes(name, product, frequency, ctx.strings);
    v.encoding = coordinate_encoding();
    if (v.type == nc::Type::Int32) {
      std::vector<std::int32_t> ints(values.begin(), values.end());
      v.data = out.keep(std::move(ints));
    } else {
      std::vector<float> floats(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) floats[i] = static_cast<float>(values[i]);
      v.data = out.keep(std::move(floats));
    }
    out.dataset.variables.push_back(std::move(v));
  }

  void time_coords(const TimeInfo& time) {
    coord<std::int32_t>("time", {"time"}, {time.time_hours});
    if (time.bounds) coord<std::int32_t>("time_bnds", {"time", "nv"}, {(*time.bounds)[0], (*time.bounds)[1]});
  }

  // Z (= RC) and Z_bnds [top, bottom] of the first `levels` levels, on dimension zdim.
  void depth_coords(int levels, const std::string& zdim) {
    const auto& g = ctx.grid;
    std::vector<double> z(g.rc.begin(), g.rc.begin() + levels), bnds;
    double top = 0.0;
    for (int k = 0; k < levels; ++k) {
      double bottom = top - g.drf[k];
      bnds.push_back(top);
      bnds.push_back(bottom);
      top = bottom;
    }
    coord("Z", {zdim}, z);
    coord("Z_bnds", {zdim, "nv"}, bnds);
  }

  // Adds the data variables; attached coordinates are those whose dimensions it spans.
  void data_vars(const std::vector<ProductVariable>& variables, const std::vector<std::vector<std::string>>& dims) {
    std::vector<nc::Variable> data;
    for (std::size_t n = 0; n < variables.size(); ++n) {
      const auto& pv = variables[n];
      std::vector<std::string> attached;
      for (const auto& c : out.dataset.variables) {
        bool inside = std::all_of(c.dims.begin(), c.dims.end(), [&](const std::string& d) {
          return std::find(dims[n].begin(), dims[n].end(), d) != dims[n].end();
        });
        if (inside) attached.push_back(c.name);
      }
      nc::Variable v;
      v.name = pv.name;
      v.type = nc::Type::Float32;
      v.dims = dims[n];
      const bool streamed = static_cast<bool>(pv.level_source);
      // A streamed variable's range is known only after its levels: a placeholder for now.
      v.attributes = ctx.metadata.data_variable_attributes(
          pv.name, product, streamed ? std::optional<ValidRange>(ValidRange{0, 0}) : pv.range, attached);
      v.encoding = data_variable_encoding();
      if (streamed) {
        v.chunk_source = pv.level_source;  // one chunk per level (see the chunk shapes below)
        v.final_attributes = final_valid_range(pv.level_ranges);
      } else {
        v.data = std::as_bytes(std::span<const float>(pv.values));
      }
      data.push_back(std::move(v));
    }
    // Data variables first, then coordinates, as the original's files list them.
    data.insert(data.end(), std::make_move_iterator(out.dataset.variables.begin()),
                std::make_move_iterator(out.dataset.variables.end()));
    out.dataset.variables = std::move(data);
  }
};

std::vector<double> index_range(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

}  // namespace

Placement placement_of(const TaskContext& ctx, const std::string& output_name) {
  Placement p;
  p.top_face = on_top_face(output_name);
  if (const VariableMeta* meta = ctx.metadata.variable(output_name, Product::Native)) {
    if (meta->grid_location == "u") p.location = llc::Location::W;
    else if (meta->grid_location == "v") p.location = llc::Location::S;
  }
  return p;
}

std::optional<ValidRange> merge_ranges(const LevelRanges& ranges) {
  std::optional<ValidRange> all;
  for (const auto& r : ranges)
    if (r) all = all ? ValidRange{std::min(all->min, r->min), std::max(all->max, r->max)} : *r;
  return all;
}

std::function<std::vector<std::pair<std::string, std::optional<nc::AttrValue>>>()> final_valid_range(
    std::shared_ptr<LevelRanges> ranges) {
  return [ranges]() -> std::vector<std::pair<std::string, std::optional<nc::AttrValue>>> {
    auto r = merge_ranges(*ranges);
    if (!r) return {{"valid_min", std::nullopt}, {"valid_max", std::nullopt}};
    return {{"valid_min", std::vector<float>{r->min}}, {"valid_max", std::vector<float>{r->max}}};
  };
}

std::optional<ValidRange> valid_range(std::span<const float> values) {
  float lo = INFINITY, hi = -INFINITY;
  bool any = false;
  for (float v : values)
    if (!std::isnan(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      any = true;
    }
  if (!any) return std::nullopt;
  return ValidRange{lo, hi};
}

void build_latlon_dataset(const TaskContext& ctx, const Grouping& grouping, const TimeInfo& time, int levels,
                          const std::vector<ProductVariable>& variables, const GranuleStamp& stamp,
                          ProductDataset& out) {
  const auto& target = ctx.factors->target();
  Builder b{ctx, Product::Latlon, time.frequency, out};
  b.dim("time", 1);
  if (grouping.is_3d()) b.dim("Z", static_cast<std::size_t>(levels));
  b.dim("latitude", static_cast<std::size_t>(target.nlat));
  b.dim("longitude", static_cast<std::size_t>(target.nlon));
  b.dim("nv", 2);

  b.time_coords(time);
  b.coord("latitude", {"latitude"}, target.latitudes());
  b.coord("longitude", {"longitude"}, target.longitudes());
  if (grouping.is_3d()) b.depth_coords(levels, "Z");
  b.coord("latitude_bnds", {"latitude", "nv"}, target.latitude_bounds());
  b.coord("longitude_bnds", {"longitude", "nv"}, target.longitude_bounds());

  std::vector<std::string> dims = grouping.is_3d()
                                      ? std::vector<std::string>{"time", "Z", "latitude", "longitude"}
                                      : std::vector<std::string>{"time", "latitude", "longitude"};
  b.data_vars(variables, std::vector<std::vector<std::string>>(variables.size(), dims));
  for (auto& v : out.dataset.variables)
    if (v.encoding.deflate) v.encoding.chunks = grouping.is_3d()
                                                    ? std::vector<std::size_t>{1, 1, std::size_t(target.nlat), std::size_t(target.nlon)}
                                                    : std::vector<std::size_t>{1, std::size_t(target.nlat), std::size_t(target.nlon)};
  // Opt-in: the original's products have no grid mapping, and PO.DAAC's are those.
  if (ctx.config.grid_mapping) nc::add_wgs84_grid_mapping(out.dataset, "latitude", "longitude");
  out.dataset.attributes = ctx.metadata.global_attributes(grouping, time, ctx.strings, stamp);
}

void build_native_dataset(const TaskContext& ctx, const Grouping& grouping, const TimeInfo& time, int levels,
                          const std::vector<ProductVariable>& variables, const GranuleStamp& stamp,
                          ProductDataset& out) {
  const auto& g = ctx.grid;
  const int nx = g.layout.nx;
  const bool three_d = grouping.is_3d();
  Builder b{ctx, Product::Native, time.frequency, out};
  b.dim("time", 1);
  if (three_d) {
    for (const char* d : {"k", "k_u", "k_l"}) b.dim(d, static_cast<std::size_t>(levels));
    b.dim("k_p1", static_cast<std::size_t>(levels + 1));
  }
  b.dim("tile", llc::kTiles);
  for (const char* d : {"j", "i", "j_g", "i_g"}) b.dim(d, static_cast<std::size_t>(nx));
  b.dim("nb", 4);
  b.dim("nv", 2);

  b.time_coords(time);
  for (const char* d : {"i", "i_g", "j", "j_g"}) b.coord(d, {d}, index_range(nx));
  if (three_d)
    for (const char* d : {"k", "k_u", "k_l"}) b.coord(d, {d}, index_range(levels));
  if (three_d) b.coord("k_p1", {"k_p1"}, index_range(levels + 1));
  b.coord("tile", {"tile"}, index_range(llc::kTiles));
  b.coord("XC", {"tile", "j", "i"}, g.xc);
  b.coord("YC", {"tile", "j", "i"}, g.yc);
  if (!g.xg.empty()) b.coord("XG", {"tile", "j_g", "i_g"}, g.xg);
  if (!g.yg.empty()) b.coord("YG", {"tile", "j_g", "i_g"}, g.yg);
  if (three_d) {
    b.depth_coords(levels, "k");
    b.coord("Zp1", {"k_p1"}, std::vector<double>(g.rf.begin(), g.rf.begin() + levels + 1));
    b.coord("Zu", {"k_u"}, std::vector<double>(g.rf.begin() + 1, g.rf.begin() + levels + 1));
    b.coord("Zl", {"k_l"}, std::vector<double>(g.rf.begin(), g.rf.begin() + levels));
  }
  b.coord("XC_bnds", {"tile", "j", "i", "nb"}, ctx.corners.lon);
  b.coord("YC_bnds", {"tile", "j", "i", "nb"}, ctx.corners.lat);

  std::vector<std::vector<std::string>> dims;
  for (const auto& v : variables) {
    std::vector<std::string> d{"time"};
    if (three_d) d.push_back(v.placement.top_face ? "k_l" : "k");
    d.push_back("tile");
    d.push_back(v.placement.location == llc::Location::S ? "j_g" : "j");
    d.push_back(v.placement.location == llc::Location::W ? "i_g" : "i");
    dims.push_back(std::move(d));
  }
  b.data_vars(variables, dims);
  for (auto& v : out.dataset.variables)
    if (v.encoding.deflate)
      v.encoding.chunks = three_d ? std::vector<std::size_t>{1, 1, llc::kTiles, std::size_t(nx), std::size_t(nx)}
                                  : std::vector<std::size_t>{1, llc::kTiles, std::size_t(nx), std::size_t(nx)};
  out.dataset.attributes = ctx.metadata.global_attributes(grouping, time, ctx.strings, stamp);
}

}  // namespace granary::ecco
