// granary ecco regrid: one compact LLC field file -> one lat-lon CF netCDF file, with
// factors from `granary ecco factors`. For users checking a single field, and for tests.
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "cli/commands.hpp"
#include "cli/ecco_uri_option.hpp"
#include "cli/parallelism_option.hpp"
#include "formats/mds/reader.hpp"
#include "formats/netcdf/cf_grid_mapping.hpp"
#include "formats/netcdf/writer.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/layout.hpp"
#include "ops/regrid/factors.hpp"
#include "io/store.hpp"
#include "recipes/ecco/attributes.hpp"
#include "recipes/ecco/locations.hpp"
#include "recipes/ecco/product_output.hpp"
#include "recipes/ecco/product_dataset.hpp"
#include "util/error.hpp"
#include "util/timer.hpp"

namespace granary::cli {
namespace fs = std::filesystem;
namespace {

struct RegridOptions {
  std::string factors, field, meta, shape, dtype = ">f4", out, name, grid;
  int levels = 0;
  long long timestep = -1;
  int deflate = 5;
  int threads = 0;
  bool grid_mapping = false;
};

mds::Precision parse_dtype(const std::string& dtype) {
  if (dtype == ">f4" || dtype == "float32") return mds::Precision::Float32;
  if (dtype == ">f8" || dtype == "float64") return mds::Precision::Float64;
  fail("--dtype {}: expected >f4 or >f8 (MITgcm writes big-endian)", dtype);
}

void run_regrid(const RegridOptions& opt) {
  PhaseTimer timer;
  auto factors = regrid::Factors::load(opt.factors);
  const auto points = static_cast<std::int64_t>(factors.points());
  std::optional<mds::Shape> shape;
  if (!opt.shape.empty()) {
    if (opt.shape != "2D" && opt.shape != "3D") fail("--shape {}: expected 2D or 3D", opt.shape);
    shape = mds::Shape{points, opt.shape == "2D" ? std::optional<std::int64_t>(1) : std::nullopt, parse_dtype(opt.dtype)};
  }
  auto desc = mds::describe(opt.field, opt.meta.empty() ? shape : std::nullopt,
                            opt.meta.empty() ? std::nullopt : std::optional<std::string>(opt.meta), points);
  int levels = opt.levels > 0 ? opt.levels : static_cast<int>(desc.levels);
  if (levels > desc.levels) fail("{}: asked for {} levels, the file has {}", opt.field, levels, desc.levels);
  factors.check_levels(levels);
  const bool stream = opt.deflate > 0;
  // Streamed output reads each level on the compression thread that regrids it.
  std::vector<float> compact;
  if (!stream) compact = mds::read_levels<float>(desc, 0, levels);
  timer.mark("read");

  const llc::Layout layout{factors.params().nx};
  const std::size_t m = factors.target().size();
  // Level k of the lat-lon field, recording its range. Compressed output streams: levels are
  // regridded on the writer's compression threads, overlapping the two.
  auto ranges = std::make_shared<ecco::LevelRanges>(static_cast<std::size_t>(levels));
  auto regrid_level = [&, ranges](std::size_t k, float* out) {
    std::vector<float> tiles(points);
    if (stream) {
      auto level = mds::read_levels<float>(desc, static_cast<std::int64_t>(k), 1);
      llc::compact_to_tiles(layout, level.data(), tiles.data());
    } else {
      llc::compact_to_tiles(layout, compact.data() + k * points, tiles.data());
    }
    factors.apply(static_cast<int>(k), tiles.data(), out);
    (*ranges)[k] = ecco::valid_range(std::span<const float>(out, m));
  };
  std::vector<float> values;
  if (!stream) {
    values.resize(static_cast<std::size_t>(levels) * m);
    tbb::parallel_for(0, levels, [&](int k) { regrid_level(k, values.data() + k * m); });
  }
  timer.mark("transform");

  std::string name = opt.name;
  if (name.empty()) {
    name = fs::path(opt.field).filename().string();
    name = name.substr(0, name.find_first_of("._"));
  }
  long long timestep = opt.timestep >= 0 ? opt.timestep : desc.time_step.value_or(0);

  ecco::ProductDataset ds;
  auto& d = ds.dataset;
  const auto& target = factors.target();
  const bool three_d = levels > 1;
  d.dimensions = {{"time", 1}, {"latitude", std::size_t(target.nlat)}, {"longitude", std::size_t(target.nlon)}, {"nv", 2}};
  if (three_d) d.dimensions.insert(d.dimensions.begin() + 1, nc::Dimension{"Z", std::size_t(levels)});

  nc::Variable var{name, nc::Type::Float32, {"time", "latitude", "longitude"}, {nc::attr("long_name", name)}};
  if (three_d) var.dims.insert(var.dims.begin() + 1, "Z");
  if (stream) {
    var.attributes.push_back(nc::attr("valid_min", 0.0f));  // placeholders, see final_attributes
    var.attributes.push_back(nc::attr("valid_max", 0.0f));
    var.chunk_source = [regrid_level](std::size_t k, std::byte* out) { regrid_level(k, reinterpret_cast<float*>(out)); };
    var.final_attributes = ecco::final_valid_range(ranges);
  } else if (auto r = ecco::merge_ranges(*ranges)) {
    var.attributes.push_back(nc::attr("valid_min", r->min));
    var.attributes.push_back(nc::attr("valid_max", r->max));
  }
  var.encoding = ecco::data_variable_encoding();
  var.encoding.deflate = opt.deflate > 0;
  var.encoding.level = opt.deflate;
  var.encoding.shuffle = opt.deflate > 0;
  var.encoding.chunks = three_d ? std::vector<std::size_t>{1, 1, std::size_t(target.nlat), std::size_t(target.nlon)}
                                : std::vector<std::size_t>{1, std::size_t(target.nlat), std::size_t(target.nlon)};
  if (!stream) var.data = std::as_bytes(std::span<const float>(values));
  d.variables.push_back(std::move(var));

  auto coord = [&](std::string vname, std::vector<std::string> dims, const std::vector<double>& v,
                   std::vector<nc::Attribute> attrs) {
    nc::Variable c{std::move(vname), nc::Type::Float32, std::move(dims), std::move(attrs)};
    c.data = ds.keep(std::vector<float>(v.begin(), v.end()));
    d.variables.push_back(std::move(c));
  };
  nc::Variable time{"time", nc::Type::Int32, {"time"},
                    {nc::attr("long_name", "time"), nc::attr("standard_name", "time"), nc::attr("axis", "T"),
                     nc::attr("units", "hours since 1992-01-01 12:00:00"), nc::attr("calendar", ecco::kCalendar)}};
  time.data = ds.keep(std::vector<std::int32_t>{static_cast<std::int32_t>(timestep)});
  d.variables.push_back(std::move(time));
  auto axis_attrs = [](const std::string& axis, const char* units, const char* xy) {
    return std::vector<nc::Attribute>{nc::attr("long_name", axis + " at grid cell center"), nc::attr("standard_name", axis),
                                      nc::attr("units", units), nc::attr("axis", xy), nc::attr("bounds", axis + "_bnds")};
  };
  coord("latitude", {"latitude"}, target.latitudes(), axis_attrs("latitude", "degrees_north", "Y"));
  coord("longitude", {"longitude"}, target.longitudes(), axis_attrs("longitude", "degrees_east", "X"));
  coord("latitude_bnds", {"latitude", "nv"}, target.latitude_bounds(), {});
  coord("longitude_bnds", {"longitude", "nv"}, target.longitude_bounds(), {});
  if (three_d) {
    std::string grid_dir = opt.grid.empty() ? factors.params().grid_dir : opt.grid;
    std::optional<ecco::ScratchDir> scratch;  // a copy of an s3:// grid
    if (ecco::is_remote(grid_dir)) {
      scratch.emplace("grid");
      ecco::download_directory(grid_dir, scratch->path(), "grid directory");
    }
    const std::string local_grid = scratch ? scratch->path().string() : grid_dir;
    if (grid_dir.empty() || !fs::exists(fs::path(local_grid) / "RC.data"))
      fail("{}: a 3D field needs the grid's RC/DRF for the Z coordinate: pass --grid DIR", opt.field);
    auto [rc, drf] = ecco::naming_uri(local_grid, grid_dir, [&] {
      return std::pair(llc::read_grid_vector(local_grid, "RC"), llc::read_grid_vector(local_grid, "DRF"));
    });
    if (static_cast<int>(rc.size()) < levels || static_cast<int>(drf.size()) < levels)
      fail("{}: RC/DRF have {} levels, the field has {}", grid_dir, rc.size(), levels);
    std::vector<double> z(rc.begin(), rc.begin() + levels), zb;
    double top = 0;
    for (int k = 0; k < levels; ++k) {
      zb.push_back(top);
      top -= drf[k];
      zb.push_back(top);
    }
    coord("Z", {"Z"}, z, {nc::attr("long_name", "depth of grid cell center"), nc::attr("units", "m"),
                          nc::attr("positive", "up"), nc::attr("axis", "Z"), nc::attr("bounds", "Z_bnds")});
    coord("Z_bnds", {"Z", "nv"}, zb, {});
  }
  if (opt.grid_mapping) nc::add_wgs84_grid_mapping(d, "latitude", "longitude");
  d.attributes = {nc::attr("Conventions", "CF-1.8"),
                  nc::attr("title", name + " on the " + fmt::format("{:g}", target.resolution) + " degree lat-lon grid"),
                  nc::attr("source", "granary ecco regrid " + opt.field + " with factors " + opt.factors)};
  nc::WriteOptions wopt;
  wopt.threads = opt.threads;
  std::uint64_t bytes = 0;
  if (ecco::is_remote(opt.out)) {  // a scratch file, then one upload
    ecco::ProductOutput out(io::parent_uri(opt.out), io::basename_of(opt.out));
    bytes = out.write([&](const std::string& path) { return nc::write_netcdf(d, path, wopt).bytes; }, timer).bytes;
  } else {
    bytes = nc::write_netcdf(d, opt.out, wopt).bytes;
    timer.mark("write");
  }
  spdlog::info("regrid: {} ({} level(s)) -> {} ({:.2f} MB): read {:.3f} s, transform {:.3f} s, write {:.3f} s (regridding included when streamed)", opt.field,
               levels, opt.out, bytes / 1e6, timer.seconds().at("read"), timer.seconds().at("transform"),
               timer.seconds().at("write"));
}

}  // namespace

void add_ecco_regrid_command(CLI::App& ecco) {
  auto opt = std::make_shared<RegridOptions>();
  auto* cmd = ecco.add_subcommand("regrid", "Regrid one compact LLC field file to a lat-lon CF netCDF file");
  cmd->add_option("--factors", opt->factors, "Factors file from `granary ecco factors`")->required()->check(CLI::ExistingFile);
  cmd->add_option("--field", opt->field, "Compact field (.data with .meta, or bare .data/.bin with --shape)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* meta = cmd->add_option("--meta", opt->meta, "The field's .meta (default: beside the .data)")->check(CLI::ExistingFile);
  cmd->add_option("--shape", opt->shape, "2D or 3D, for a field without .meta (3D: levels from the file size)")
      ->excludes(meta);
  cmd->add_option("--dtype", opt->dtype, "Precision of a field without .meta: >f4 or >f8")->capture_default_str();
  cmd->add_option("--out", opt->out, "Output netCDF file (written atomically), or an s3:// URI")
      ->required()
      ->check(local_or_s3());
  cmd->add_option("--name", opt->name, "Variable name (default: the file name up to the first '.' or '_')");
  cmd->add_option("--levels", opt->levels, "Levels to regrid (default: all in the file)")->check(CLI::PositiveNumber);
  cmd->add_option("--timestep", opt->timestep, "Hours since 1992-01-01T12 (default: .meta or file name, else 0)");
  cmd->add_option("--grid", opt->grid,
                  "Grid directory (or s3:// prefix) for Z of 3D fields (default: the one the factors were built from)")
      ->check(local_or_s3());
  cmd->add_option("--deflate-level", opt->deflate, "zlib level of the data variable, 0 = uncompressed")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  cmd->add_flag("--grid-mapping", opt->grid_mapping,
                "Add a CF `crs` variable (WGS 84, EPSG:4326) and grid_mapping on the lat-lon field, so GDAL and GIS "
                "tools find its CRS (off by default, as in `ecco run`)");
  add_parallelism_option(*cmd, "-j,--threads", opt->threads, "Threads (default: all cores)");
  cmd->callback([opt] {
    std::unique_ptr<tbb::global_control> limit;
    if (opt->threads > 0)
      limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, opt->threads);
    run_regrid(*opt);
  });
}

}  // namespace granary::cli
