// granary quicklook: a PNG map of one granary output, to eyeball a product without Python:
// ECCO lat-lon netCDF (plate carree), ECCO native netCDF (LLC tile mosaic) or an ATL06 Zarr
// store (HEALPix cells on a polar stereographic map). Rendering lives in render/.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "io/store.hpp"
#include "render/cell_map.hpp"
#include "render/coastlines.hpp"
#include "render/color_scale.hpp"
#include "render/figure.hpp"
#include "render/grid_maps.hpp"
#include "render/netcdf_field.hpp"
#include "render/png.hpp"
#include "render/polar_field.hpp"
#include "render/zarr_cells.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

struct QuicklookOptions {
  std::string path, variable, out, projection = "auto", range, cmap = "viridis", coastlines = "auto";
  std::optional<std::size_t> level;
  std::size_t time = 0;
  bool no_graticule = false;
  double edge_latitude = 50;
};

// "auto": GSHHG when installed (a note otherwise); "none"; or a GSHHG binned file.
std::optional<render::Coastlines> load_coastlines(const QuicklookOptions& opt) {
  if (opt.coastlines == "none") return std::nullopt;
  std::optional<std::filesystem::path> file;
  if (opt.coastlines == "auto") {
    file = render::find_coastline_file();
    if (!file) {
      spdlog::warn("quicklook: no coastlines (install Debian's gmt-gshhg-low, or give --coastlines FILE)");
      return std::nullopt;
    }
  } else {
    file = opt.coastlines;
  }
  return render::read_coastlines(*file);
}

std::string file_name(const std::string& path) {
  std::filesystem::path p(path);
  if (!p.has_filename()) p = p.parent_path();  // "store.zarr/"
  return p.filename().string();
}

std::string input_stem(const std::string& path) { return std::filesystem::path(file_name(path)).stem().string(); }

render::ColorScale choose_scale(const QuicklookOptions& opt, std::span<const float> values, const std::string& what) {
  const auto map = render::parse_colormap(opt.cmap);
  return opt.range.empty() ? render::percentile_scale(values, map, what) : render::parse_range(opt.range, map);
}

std::string join_title(std::initializer_list<std::string> parts) {
  std::string title;
  for (const auto& part : parts)
    if (!part.empty()) title += (title.empty() ? "" : "  ") + part;
  return title;
}

struct Rendered {
  render::Image page;
  std::string variable;
};

Rendered quicklook_netcdf(const QuicklookOptions& opt) {
  const auto projection = render::parse_projection(opt.projection);
  render::SliceRequest request;
  if (!opt.variable.empty()) request.variable = opt.variable;
  request.level = opt.level.value_or(0);
  request.time = opt.time;
  const auto field = render::read_netcdf_field(opt.path, request);
  const auto scale = choose_scale(opt, field.values, fmt::format("{}: {}", opt.path, field.variable));
  const auto coastlines = load_coastlines(opt);
  const render::MapDecor decor{coastlines ? &*coastlines : nullptr, !opt.no_graticule};
  std::optional<render::Image> map;
  std::string where;
  if (projection == render::Projection::SouthPolar || projection == render::Projection::NorthPolar) {
    const render::MapProjection polar(projection);
    map = render::render_field_polar(field, polar, scale, decor, opt.edge_latitude);
    where = polar.name();
  } else if (field.kind == render::GridKind::Llc) {
    if (projection == render::Projection::PlateCarree)
      fail("{}: native LLC files are drawn as a tile mosaic (--projection auto) or polar (south-polar, north-polar)", opt.path);
    map = render::render_llc_mosaic(field, scale);
  } else {
    map = render::render_latlon_map(field, scale, decor);
  }
  const std::string title = join_title({field.variable, field.level_label, field.time_label, where, file_name(opt.path)});
  return {render::compose_figure(*map, title, scale, field.units), field.variable};
}

Rendered quicklook_zarr(const QuicklookOptions& opt) {
  const std::string variable = opt.variable.empty() ? "h_mean" : opt.variable;
  std::optional<int> order;
  if (opt.level) order = static_cast<int>(*opt.level);
  const auto field = render::read_zarr_cells(opt.path, variable, order);
  if (field.nest.empty()) fail("{}: no cells with data (count > 0) at order {}", opt.path, field.order);
  const auto scale = choose_scale(opt, field.values, fmt::format("{}: {}", opt.path, variable));
  const render::MapProjection projection(render::resolve_projection(render::parse_projection(opt.projection), field));
  const auto coastlines = load_coastlines(opt);
  const auto map = render::render_cell_map(field, projection, scale, {coastlines ? &*coastlines : nullptr, !opt.no_graticule});
  const std::string title = join_title({variable, fmt::format("order {}, {} cells", field.order, field.nest.size()),
                                        field.time_label, projection.name(), file_name(opt.path)});
  return {render::compose_figure(map, title, scale, field.units), variable};
}

void run_quicklook(const QuicklookOptions& opt) {
  // s3:// outputs are Zarr stores (netCDF products are read from local files).
  const bool zarr = io::is_s3_uri(opt.path) || render::looks_like_zarr(opt.path);
  if (!zarr && !std::filesystem::is_regular_file(opt.path))
    fail("{}: no such netCDF file or Zarr store (a directory with zarr.json or .zgroup)", opt.path);
  const Rendered result = zarr ? quicklook_zarr(opt) : quicklook_netcdf(opt);
  const std::string out = opt.out.empty() ? fmt::format("{}_{}.png", input_stem(opt.path), result.variable) : opt.out;
  render::write_png(result.page, out);
  spdlog::info("quicklook: {} ({}x{}) from {}", out, result.page.width(), result.page.height(), opt.path);
}

}  // namespace

void add_quicklook_command(CLI::App& root) {
  auto opt = std::make_shared<QuicklookOptions>();
  auto* cmd = root.add_subcommand("quicklook", "Render a PNG map of an output (ECCO netCDF, lat-lon or native; ATL06 Zarr)");
  cmd->add_option("path", opt->path, "netCDF file, or Zarr store (directory or s3:// URI)")->required();
  cmd->add_option("--var", opt->variable,
                  "Variable (default: the first data variable with 2 horizontal dims; h_mean for Zarr)");
  cmd->add_option("--level", opt->level, "netCDF: index along the vertical dimension (default 0); Zarr: HEALPix order of the cell group");
  cmd->add_option("--time", opt->time, "Index along time (netCDF)")->capture_default_str();
  cmd->add_option("--out", opt->out, "PNG to write (default: <input stem>_<var>.png)");
  cmd->add_option("--projection", opt->projection,
                  "auto (lat-lon: plate carree; native: tile mosaic; cells: polar stereographic of their "
                  "hemisphere), platecarree, south-polar (EPSG:3031) or north-polar (EPSG:3413)")
      ->check(CLI::IsMember({"auto", "platecarree", "south-polar", "north-polar"}))
      ->capture_default_str();
  cmd->add_option("--range", opt->range, "Colour range lo,hi, e.g. --range=-1,1 (default: 2nd-98th percentile)");
  cmd->add_option("--cmap", opt->cmap, "viridis or balance")->check(CLI::IsMember({"viridis", "balance"}))->capture_default_str();
  cmd->add_option("--coastlines", opt->coastlines,
                  "auto (GSHHG from Debian's gmt-gshhg-low when installed), none, or a GSHHG binned_GSHHS_*.nc file")
      ->capture_default_str();
  cmd->add_flag("--no-graticule", opt->no_graticule, "No lines of latitude and longitude on polar maps");
  cmd->add_option("--edge-latitude", opt->edge_latitude,
                  "Polar maps of netCDF fields reach from the pole to this latitude (degrees)")
      ->check(CLI::Range(1.0, 89.0))
      ->capture_default_str();
  cmd->callback([opt] {
    run_quicklook(*opt);
    exit_code = 0;
  });
}

}  // namespace granary::cli
