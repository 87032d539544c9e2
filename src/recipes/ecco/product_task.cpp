#include "recipes/ecco/product_task.hpp"

#include <cmath>
#include <filesystem>
#include <map>

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include "formats/netcdf/writer.hpp"
#include "ops/vector/east_north.hpp"
#include "recipes/ecco/model_field.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/locations.hpp"
#include "recipes/ecco/naming.hpp"
#include "recipes/ecco/product_output.hpp"
#include "recipes/ecco/product_dataset.hpp"
#include "recipes/ecco/task_context.hpp"
#include "run/report.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/timer.hpp"
#include "util/json_input.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

nlohmann::json ProductTask::to_json() const {
  return {{"grouping", grouping}, {"product", to_string(product)}, {"frequency", to_string(frequency)},
          {"timestep", timestep}};
}

ProductTask ProductTask::from_json(const nlohmann::json& j) {
  ProductTask t;
  try {
    t.grouping = require_json_integer<int>(j.at("grouping"), "task grouping");
    auto product = parse_product(j.at("product").get<std::string>());
    auto frequency = parse_frequency(j.at("frequency").get<std::string>());
    if (!product) fail("task {}: unknown product", j.dump());
    if (!frequency) fail("task {}: unknown frequency", j.dump());
    t.product = *product;
    t.frequency = *frequency;
    t.timestep = require_json_integer<std::int64_t>(j.at("timestep"), "task timestep");
  } catch (const nlohmann::json::exception& e) {
    fail("task {}: {}", j.dump(), e.what());
  }
  return t;
}

namespace {

// The grid and its cell corners, read in place or from a scratch copy of an s3:// grid_dir.
void load_grid(TaskContext& ctx, const std::string& grid_dir) {
  if (!is_remote(grid_dir)) {
    ctx.grid = llc::load_grid(grid_dir);
    ctx.corners = llc::load_cell_corners(grid_dir, ctx.grid.layout);
    return;
  }
  ScratchDir scratch("grid");
  download_directory(grid_dir, scratch.path(), "grid directory");
  const std::string local = scratch.path().string();
  naming_uri(local, grid_dir, [&] {
    ctx.grid = llc::load_grid(local);
    ctx.corners = llc::load_cell_corners(local, ctx.grid.layout);
  });
  ctx.grid.dir = grid_dir;
  ctx.corners.source = replace_all(ctx.corners.source, local, grid_dir);
}

// The mapping factors, read in place or from a scratch copy of an s3:// object.
void load_factors(TaskContext& ctx, const std::string& uri) {
  if (!is_remote(uri)) {
    ctx.factors = regrid::Factors::load(uri);
    ctx.factors->check_grid(ctx.grid);
    return;
  }
  ScratchDir scratch("factors");
  const std::string local = (scratch.path() / io::basename_of(uri)).string();
  download_object(uri, local, "mapping factors (granary ecco factors writes them)");
  naming_uri(local, uri, [&] {
    ctx.factors = regrid::Factors::load(local);
    ctx.factors->check_grid(ctx.grid);
  });
}

}  // namespace

std::shared_ptr<const TaskContext> make_task_context(const RunConfig& config, bool need_factors) {
  auto ctx = std::make_shared<TaskContext>();
  ctx->config = config;
  ctx->strings = product_strings_of(config);
  ctx->clock = ctx->strings.clock();
  require_local_directory(config, "metadata_dir", config.metadata_dir);
  require_local_directory(config, "grid_dir", config.grid_dir);
  ctx->metadata = Metadata::load(config.metadata_dir, config.podaac_csv.value_or(std::string{}));
  load_grid(*ctx, config.grid_dir);
  if (need_factors) load_factors(*ctx, config.mapping_factors);
  return ctx;
}

namespace {

// East/north components at cell centres of one (x, y) model vector pair, every level.
struct EastNorth {
  std::vector<float> east, north;
};

EastNorth rotate_pair(const TaskContext& ctx, const ModelField& x, const ModelField& y, int levels) {
  const std::size_t n = ctx.grid.points();
  EastNorth en{std::vector<float>(levels * n), std::vector<float>(levels * n)};
  tbb::parallel_for(0, levels, [&](int k) {
    vec::velocity_to_east_north(ctx.grid, k, x.level(k, n), y.level(k, n), en.east.data() + k * n,
                                en.north.data() + k * n);
  });
  return en;
}

// Native values: the model's, NaN where the cell (face) is dry.
std::vector<float> mask_native(const TaskContext& ctx, const float* values, int levels, const Placement& where) {
  const std::size_t n = ctx.grid.points();
  std::vector<float> out(levels * n);
  tbb::parallel_for(0, levels, [&](int k) {
    const std::uint8_t* wet = ctx.grid.mask_level(where.location, k);
    for (std::size_t p = 0; p < n; ++p) out[k * n + p] = wet[p] ? values[k * n + p] : NAN;
  });
  return out;
}

// Lat-lon values are regridded level by level on the writer's compression threads, so
// regridding overlaps compression; `values` must live until the file is written.
void stream_latlon(const TaskContext& ctx, const float* values, int levels, ProductVariable& pv) {
  pv.level_ranges = std::make_shared<LevelRanges>(static_cast<std::size_t>(levels));
  pv.level_source = [factors = &*ctx.factors, values, n = ctx.grid.points(), ranges = pv.level_ranges](
                        std::size_t k, std::byte* out) {
    auto* level = reinterpret_cast<float*>(out);
    factors->apply(static_cast<int>(k), values + k * n, level);
    (*ranges)[k] = valid_range(std::span<const float>(level, factors->target().size()));
  };
}

}  // namespace

nlohmann::json run_product_task(const TaskContext& ctx, const ProductTask& task, bool overwrite) {
  nlohmann::json result = {{"task", task.to_json()}, {"status", "FAILED"}};
  PhaseTimer timer;
  try {
    const Grouping& grouping = ctx.metadata.grouping(task.product, task.grouping);
    if (!grouping.has_frequency(task.frequency))
      fail("grouping {} ({}) of the {} product has no {} frequency", task.grouping, grouping.filename,
           to_string(task.product), to_string(task.frequency));
    const TimeInfo time = time_info(task.frequency, task.timestep, ctx.clock);
    const std::string relative = product_relative_path(grouping, time, ctx.strings);
    const std::string output = join_uri(ctx.config.processed_output_dir, relative);
    result["output"] = output;
    result["grouping_name"] = grouping.filename;
    ProductOutput out(ctx.config.processed_output_dir, relative);
    if (!overwrite && out.complete()) {
      result["status"] = "SKIP";
      result["reason"] = "output exists";
      return result;
    }
    const int levels = grouping.is_3d() ? ctx.grid.nz : 1;
    if (task.product == Product::Latlon) {
      if (!ctx.factors) fail("lat-lon task without mapping factors (set mapping_factors in the config)");
      // The config's name for the factors (their origin may be a scratch copy).
      if (levels > ctx.factors->levels())
        fail("factors {} have {} levels, the field has {}", ctx.config.mapping_factors, ctx.factors->levels(), levels);
    }

    // Read every input field once.
    std::map<std::string, ModelField> inputs;
    std::vector<std::string> input_files;
    for (const auto& field : grouping.input_fields()) {
      auto path = model_field_path(ctx.config.model_output_dir, field, task.frequency, task.timestep);
      inputs.emplace(field, read_model_field(ctx.grid, path, field, levels));
      input_files.push_back(path);
    }
    result["inputs"] = input_files;
    timer.mark("read");

    std::map<std::pair<std::string, std::string>, EastNorth> rotated;
    std::vector<ProductVariable> variables;
    for (const auto& field : grouping.fields) {
      ProductVariable pv;
      pv.name = grouping.output_name(field);
      const float* source = nullptr;
      auto comp = grouping.components.find(field);
      if (comp != grouping.components.end()) {
        auto key = comp->second;
        auto it = rotated.find(key);
        if (it == rotated.end())
          it = rotated.emplace(key, rotate_pair(ctx, inputs.at(key.first), inputs.at(key.second), levels)).first;
        auto orientation = grouping.orientations.count(field) ? grouping.orientations.at(field) : "";
        if (orientation != "zonal" && orientation != "meridional")
          fail("grouping {} ({}): field {} has orientation '{}', expected zonal or meridional", task.grouping,
               grouping.filename, field, orientation);
        source = orientation == "zonal" ? it->second.east.data() : it->second.north.data();
      } else {
        source = inputs.at(field).values.data();
        pv.placement = placement_of(ctx, pv.name);
      }
      if (task.product == Product::Latlon) {
        stream_latlon(ctx, source, levels, pv);
      } else {
        pv.values = mask_native(ctx, source, levels, pv.placement);
        pv.range = valid_range(pv.values);
      }
      variables.push_back(std::move(pv));
    }
    timer.mark("transform");

    ProductDataset ds;
    const auto stamp = GranuleStamp::now();
    if (task.product == Product::Latlon)
      build_latlon_dataset(ctx, grouping, time, levels, variables, stamp, ds);
    else
      build_native_dataset(ctx, grouping, time, levels, variables, stamp, ds);
    auto written = out.write([&](const std::string& path) { return nc::write_netcdf(ds.dataset, path).bytes; },
                             timer);

    result["status"] = "SUCCESS";
    result["bytes"] = written.bytes;
    result["sha256"] = written.sha256;
    result["uuid"] = stamp.uuid;
  } catch (const std::exception& e) {
    result["status"] = "FAILED";
    result["error"] = e.what();
    run::mark_if_unavailable(result, e);
  }
  timer.mark("other");
  nlohmann::json durations = nlohmann::json::object();
  for (const auto& [phase, seconds] : timer.seconds()) durations[phase] = seconds;
  result["durations"] = durations;
  result["peak_rss_bytes"] = peak_rss_bytes();
  return result;
}

}  // namespace granary::ecco
