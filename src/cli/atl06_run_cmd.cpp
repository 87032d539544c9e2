// granary atl06 run: every parent cell of a catalog -> one Zarr store, in a local process
// pool, with a progress bar, a JSON run report and resume (cells done with the same inputs
// are skipped).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include "cli/cell_index_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/parallelism_option.hpp"
#include "cli/plan_writing.hpp"
#include "cli/recipes.hpp"
#include "cli/granule_credentials.hpp"
#include "formats/zarr/zarr.hpp"
#include "grids/healpix/morton.hpp"
#include "io/store.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "recipes/atl06/run_plan.hpp"
#include "run/job_runner.hpp"
#include "run/plan.hpp"
#include "run/report.hpp"
#include "run/report_summary.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/user_paths.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RunOptions {
  std::string catalog, out, report, granule_dir, numerics = "double", compression = "zstd";
  std::string latitude, morton_form = "legacy";  // latitude: empty = the catalog's
  int workers = 0, child_order = 12, zarr_format = 3;
  std::int64_t morton_cell = 0;
  std::size_t max_cells = 0;
  bool dry_run = false, extra = false, overwrite = false, skip_bad = false;
  GranuleCredentialOptions credentials;
  // plan atl06
  std::string plan, log_name;
  std::optional<std::size_t> units, jobs_per_unit;

  std::string command_line() const { return fmt::format("granary atl06 run --catalog {} --out {}{}", catalog, out, flags()); }
  // The options after --catalog and --out, as typed (defaults left out).
  std::string flags() const {
    std::string t;
    if (workers) t += fmt::format(" -j {}", workers);
    if (max_cells) t += fmt::format(" --max-cells {}", max_cells);
    if (morton_cell) t += fmt::format(" --morton-cell {}", morton_cell);
    if (child_order != 12) t += fmt::format(" --child-order {}", child_order);
    if (numerics != "double") t += " --numerics " + numerics;
    if (extra) t += " --extra-stats";
    if (zarr_format != 3) t += fmt::format(" --zarr-format {}", zarr_format);
    if (compression != "zstd") t += " --compression " + compression;
    if (!latitude.empty()) t += " --latitude " + latitude;
    if (morton_form != "legacy") t += " --morton-form " + morton_form;
    if (!granule_dir.empty()) t += " --granule-dir " + granule_dir;
    if (overwrite) t += " --overwrite";
    if (skip_bad) t += " --skip-bad-granules";
    if (credentials.source != "chain") t += " --granule-credentials " + credentials.source;
    if (!credentials.url.empty()) t += " --s3-credentials-url " + credentials.url;
    if (!report.empty()) t += " --report " + report;
    if (!log_name.empty()) t += " --log-name " + log_name;
    if (dry_run) t += " --dry-run";
    return t;
  }
};

// magg's production_results summary, from the cell results.
json production_summary(const std::vector<json>& results, std::size_t planned, std::size_t skipped) {
  std::int64_t ok = 0, failed = 0, no_data = 0, with_data = 0, obs = 0, g_read = 0, g_skipped = 0, g_failed = 0;
  double seconds = 0;
  for (const auto& r : results) {
    const auto status = r.value("status", "");
    if (status == "SUCCESS") ++ok;
    else if (status == "FAILED") ++failed;
    if (r.contains("error") && r["error"].is_string() && r["error"] == "No data after filtering") ++no_data;
    with_data += r.value("cells_with_data", std::int64_t{0});
    obs += r.value("total_obs", std::int64_t{0});
    seconds += r.value("duration_s", 0.0);
    if (r.contains("granules")) {
      g_read += r["granules"].value("read", 0);
      g_skipped += r["granules"].value("skipped", 0);
      g_failed += r["granules"].value("failed", 0);
    }
  }
  return {{"total_cells", planned},      {"cells_skipped_done", skipped}, {"successful", ok},
          {"failed", failed},            {"no_data", no_data},            {"total_cells_with_data", with_data},
          {"total_obs", obs},            {"granules_read", g_read},       {"granules_skipped", g_skipped},
          {"granules_failed", g_failed}, {"total_duration_s", seconds}};
}

void print_plan(const std::vector<atl06::PlannedCell>& cells, const atl06::StoreLayout& layout, const RunOptions& o,
                bool store_exists) {
  std::size_t done = 0, granules = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    done += c.done;
    granules += c.payload["granule_urls"].size();
    if (i < 10 || i + 1 == cells.size())
      fmt::print("  cell {:>8} chunk {:>5}: {} granule(s){}\n", c.parent, c.chunk, c.payload["granule_urls"].size(),
                 c.done ? "  (done: skip)" : "");
    else if (i == 10)
      fmt::print("  ... {} more\n", cells.size() - 11);
  }
  fmt::print("plan: {} of {} parent cell(s), {} granule reads -> {} ({} store, Zarr v{}, child order {}, latitude {}, {} morton); "
             "{} done already ({})\n",
             cells.size(), layout.parents.size(), granules, o.out, store_exists ? "existing" : "new", o.zarr_format,
             layout.child_order, healpix::latitude_name(layout.index.latitude), atl06::morton_form_name(layout.index.morton_form), done,
             o.overwrite ? "rerun" : "skipped");
}

// The cells still to run, as the jobs of a run or a plan; `done` counts those skipped.
std::vector<run::PlannedJob> jobs_of(const std::vector<atl06::PlannedCell>& cells, std::size_t& done) {
  std::vector<run::PlannedJob> jobs;
  done = 0;
  for (const auto& c : cells) {
    if (c.done) {
      ++done;
      continue;
    }
    jobs.push_back({std::to_string(c.parent), std::to_string(c.parent), c.payload});
  }
  return jobs;
}

// The store's layout from the catalog and the options, and the cells to run (done ones
// marked): what `atl06 run` runs and `plan atl06` writes down.
struct RunSetup {
  atl06::Catalog catalog;
  atl06::StoreLayout layout;
  std::unique_ptr<io::Store> store;
  bool store_exists = false;
  std::vector<atl06::PlannedCell> cells;
};

RunSetup setup_run(const RunOptions& o) {
  // Paths the OS would refuse are bad input naming the option, before any work.
  files::check_writable(o.out, files::Kind::Directory, "--out");
  files::check_writable(o.report, files::Kind::File, "--report");
  files::check_writable(o.plan, files::Kind::Directory, "--plan");
  RunSetup r;
  auto& catalog = r.catalog;
  catalog = atl06::read_catalog(o.catalog);
  if (catalog.cells.empty()) fail("{}: the catalog lists no cells", o.catalog);
  auto& layout = r.layout;
  layout.format = o.zarr_format == 2 ? zarr::Format::V2 : zarr::Format::V3;
  layout.codec.kind = o.compression == "zstd" ? zarr::Codec::Kind::Zstd : zarr::Codec::Kind::None;
  layout.parent_order = healpix::morton_order(catalog.cells.begin()->first);
  layout.child_order = o.child_order;
  layout.extra = o.extra;
  // The catalog's cells are the parents: a job under another convention would read the
  // wrong granules for each of them.
  const auto catalog_latitude = atl06::catalog_latitude(catalog, o.catalog);
  layout.index = cell_index_of(o.latitude.empty() ? std::string(healpix::latitude_name(catalog_latitude)) : o.latitude, o.morton_form);
  if (layout.index.latitude != catalog_latitude)
    fail("{}: the catalog's cells use latitude {}, but --latitude is {}: build the catalog with `granary atl06 catalog --latitude {}`",
         o.catalog, healpix::latitude_name(catalog_latitude), o.latitude, o.latitude);
  for (const auto& [parent, _] : catalog.cells) layout.parents.push_back(parent);
  if (layout.child_order < layout.parent_order || layout.child_order - layout.parent_order > 10)
    fail("--child-order {} must be between the catalog's parent order {} and {}", layout.child_order, layout.parent_order,
         layout.parent_order + 10);

  r.store = io::open_store(o.out);
  auto& store = r.store;
  const auto existing = atl06::read_layout(*store, layout.child_order);
  atl06::RunSelection sel;
  if (o.morton_cell) sel.morton_cell = o.morton_cell;
  if (o.max_cells) sel.max_cells = o.max_cells;
  sel.overwrite = o.overwrite;
  json base = {{"numerics", o.numerics},
               {"extra_stats", o.extra},
               {"skip_bad_granules", o.skip_bad},
               {"latitude", healpix::latitude_name(layout.index.latitude)},
               {"morton_form", atl06::morton_form_name(layout.index.morton_form)}};
  r.store_exists = existing.has_value();
  r.cells = atl06::plan_cells(catalog, layout, sel, base, o.out, o.catalog, o.granule_dir, existing ? store.get() : nullptr);
  return r;
}

void run_atl06_run(const RunOptions& o) {
  const auto start = std::chrono::system_clock::now();
  auto setup = setup_run(o);
  auto& layout = setup.layout;
  auto& store = setup.store;
  auto& cells = setup.cells;
  const bool store_existed = setup.store_exists;
  if (o.dry_run) {
    print_plan(cells, layout, o, store_existed);
    return;
  }
  // Temporaries of runs killed with -9 would stay forever: no later rename claims them.
  if (auto local = store->local_path("")) files::remove_stale_temporaries(*local);
  atl06::create_store(*store, layout);  // or check that the existing store has this layout

  std::size_t skipped = 0;
  const auto jobs = jobs_of(cells, skipped);
  if (skipped) spdlog::info("{} of {} cell(s) done in an earlier run with the same inputs: skipped (--overwrite reruns them)", skipped, cells.size());

  run::JobRunOutcome outcome;
  if (!jobs.empty()) {
    // Earthdata keys are fetched once here (prepare); each task gets the current keys as it
    // starts (refreshed before expiry).
    const auto recipe = make_recipe("atl06");
    recipe->prepare(atl06_plan_parameters(o.credentials));
    const int workers = std::min<int>(run::default_workers(o.workers), static_cast<int>(jobs.size()));
    spdlog::info("running {} cell(s) on {} worker(s) -> {}", jobs.size(), workers, o.out);
    run::JobRunOptions run_options;
    run_options.workers = workers;
    run_options.progress_label = "atl06 run";
    run_options.failure_message = [](const run::PlannedJob& job, const json& r) {
      return fmt::format("cell {}: {}", job.label,
                         r.contains("error") && r["error"].is_string() ? r["error"].get<std::string>() : std::string("failed"));
    };
    outcome = run::run_jobs(*recipe, jobs, run_options);
  }
  zarr::consolidate(*store, "");

  run::RunRecord record;
  record.command = o.command_line();
  record.start = start;
  record.end = std::chrono::system_clock::now();
  record.results = outcome.results;
  for (const auto& j : jobs) record.job_keys.push_back(j.label);
  record.workers = outcome.pool.workers;
  record.interrupted = outcome.pool.interrupted;
  record.extra = {{"recipe", "atl06"},
                  {"catalog", fs::absolute(o.catalog).string()},
                  {"store", o.out},
                  {"zarr_format", o.zarr_format},
                  {"numerics", o.numerics},
                  {"latitude", healpix::latitude_name(layout.index.latitude)},
                  {"morton_form", atl06::morton_form_name(layout.index.morton_form)},
                  {"log_name", o.log_name},
                  {"production_results", production_summary(outcome.results, cells.size(), skipped)},
                  {"workers_replaced", outcome.pool.workers_replaced}};
  auto report = run::build_report(record);
  fs::path report_path;
  if (!o.report.empty()) report_path = o.report;
  else if (auto local = store->local_path("")) report_path = run::default_report_path(fs::path(*local).parent_path(), start);
  else report_path = run::default_report_path(fs::current_path(), start);
  run::write_report(report_path, report);
  const auto& summary = record.extra["production_results"];
  fmt::print("{}Report: {}\n", run::human_summary(report, 3), report_path.string());
  std::fflush(stdout);
  exit_code = run_exit_code(outcome.pool.interrupted, summary["failed"].get<std::int64_t>() > 0,
                            run::count_unavailable(outcome.results));
}

// plan atl06: the store is created here (as magg's orchestrator made its template), so the
// units only ever write their own chunks.
void run_plan_atl06(const RunOptions& o) {
  auto setup = setup_run(o);
  if (auto local = setup.store->local_path("")) files::remove_stale_temporaries(*local);
  atl06::create_store(*setup.store, setup.layout);
  std::size_t done = 0;
  const auto jobs = jobs_of(setup.cells, done);
  if (jobs.empty()) fail("{}: every selected cell is done in {} already (--overwrite plans them again)", o.catalog, o.out);
  run::PlanHeader header;
  header.recipe = "atl06";
  header.parameters = atl06_plan_parameters(o.credentials);
  header.command = fmt::format("granary plan atl06 --catalog {} --out {} --plan {}{}", o.catalog, o.out, o.plan, o.flags());
  header.log_name = o.log_name;
  write_and_announce_plan(o.plan, header, jobs, o.units, o.jobs_per_unit,
                          done ? fmt::format("cell(s) ({} done already, not planned)", done) : std::string("cell(s)"), o.out);
  exit_code = 0;
}

// The options a cell job takes, shared by `atl06 run` and `plan atl06`.
void add_job_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--catalog", o.catalog, "Catalog JSON (see `granary atl06 catalog`)")->required()->check(CLI::ExistingFile);
  cmd.add_option("--out", o.out, "Output Zarr store (path or s3://bucket/prefix)")->required();
  cmd.add_option("--max-cells", o.max_cells, "Only the first N parent cells of the catalog");
  cmd.add_option("--morton-cell,--parent", o.morton_cell, "Only this parent cell (morton index)");
  cmd.add_option("--child-order", o.child_order, "Order of the output cells")->capture_default_str();
  cmd.add_option("--numerics", o.numerics, "double (default) or magg (numpy float32, bit-identical to magg)")
      ->check(CLI::IsMember({"double", "magg"}))
      ->capture_default_str();
  cmd.add_flag("--extra-stats", o.extra, "Also h_std, t_min/t_max (delta_time) and n_granules");
  cmd.add_option("--zarr-format", o.zarr_format, "3 (dggs convention) or 2 (xdggs attributes)")->check(CLI::IsMember({2, 3}))->capture_default_str();
  cmd.add_option("--compression", o.compression, "Chunk compression")->check(CLI::IsMember({"zstd", "none"}))->capture_default_str();
  cmd.add_option("--latitude", o.latitude,
                 "Latitude fed to HEALPix, geodetic-spherical or authalic-wgs84; must be the catalog's (the default: "
                 "geodetic-spherical, magg's, unless the catalog was built with --latitude authalic-wgs84)")
      ->check(CLI::IsMember({"geodetic-spherical", "authalic-wgs84"}));
  add_morton_form_option(cmd, o.morton_form);
  cmd.add_option("--granule-dir", o.granule_dir, "Read the catalog's granules (by file name) from this directory");
  cmd.add_flag("--overwrite", o.overwrite, "Rerun cells that an earlier run finished");
  cmd.add_flag("--skip-bad-granules", o.skip_bad, "Write a cell even if some of its granules cannot be read");
  add_granule_credential_options(cmd, o.credentials);
}

}  // namespace

void add_plan_atl06_command(CLI::App& plan) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = plan.add_subcommand("atl06", "Plan every parent cell of a catalog (one job per cell) for any engine; creates the store");
  add_job_options(*cmd, *o);
  cmd->add_option("--plan", o->plan, "Plan directory to write (path or s3://bucket/prefix; must not hold a plan)")->required();
  cmd->add_option("--units", o->units, "Units of work (array tasks); default: one per cell");
  cmd->add_option("--jobs-per-unit", o->jobs_per_unit, "Cells per unit of work (instead of --units)");
  cmd->add_option("--log-name", o->log_name, "A tag for the run (in the plan, the Slurm job name and the report)");
  cmd->callback([o] { run_plan_atl06(*o); });
}

void add_atl06_run_command(CLI::App& atl06) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = atl06.add_subcommand("run", "Process every parent cell of a catalog into one Zarr store (parallel, resumable)");
  add_job_options(*cmd, *o);
  add_parallelism_option(*cmd, "-j,--workers", o->workers, "Worker processes (default: number of cores; 1 runs in-process)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan (cells, granules, what is done already) and exit");
  cmd->add_option("--report", o->report, "Run report path (default: beside the store, reports/run-YYYYmmddTHHMMSS.json)");
  cmd->add_option("--log-name", o->log_name, "A tag for the run, kept in its report (the original's --log_name)");
  cmd->callback([o] { run_atl06_run(*o); });
}

}  // namespace granary::cli
