// granary atl06 cell: one parent cell -> its chunk of the Zarr store. The same job handler
// reads magg's Lambda event on stdin (--event -) and prints magg's return JSON.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include "cli/cell_index_options.hpp"
#include "cli/commands.hpp"
#include "cli/parallelism_option.hpp"
#include "io/store.hpp"
#include "cli/granule_credentials.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/json_input.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;

struct CellOptions {
  std::string event;  // "-" = stdin, or a file
  std::int64_t parent = 0;
  int parent_order = 6, child_order = 12;
  std::vector<std::string> granules;
  std::string out, csv, numerics = "double", compression = "zstd";
  std::string latitude = "geodetic-spherical", morton_form = "legacy";
  std::int64_t chunk_idx = -1;
  int zarr_format = 3, threads = 0;
  bool extra = false, skip_bad = false;
  GranuleCredentialOptions credentials;
};

json event_from_options(const CellOptions& o) {
  json e = {{"parent_morton", o.parent}, {"parent_order", o.parent_order}, {"child_order", o.child_order},
            {"granule_urls", o.granules}, {"store", o.out}, {"numerics", o.numerics}, {"extra_stats", o.extra},
            {"skip_bad_granules", o.skip_bad}, {"create_store", true}, {"zarr_format", o.zarr_format},
            {"compression", o.compression}, {"latitude", o.latitude}, {"morton_form", o.morton_form}};
  if (o.chunk_idx >= 0) e["chunk_idx"] = o.chunk_idx;
  return e;
}

json read_event(const std::string& source) {
  std::string text;
  if (source == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  else text = files::read_text(source);
  const std::string name = source == "-" ? "event on stdin" : source;
  require_json_depth(text, name);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // Only the position: the parser's message quotes the text it last read, which may be
    // part of a secret (s3_credentials).
    fail("{}: not valid JSON ({})", name, json_error_detail(e));
  }
}

// Temporaries of runs killed with -9 would stay forever in a local store: no rename claims them.
void remove_stale_temporaries(const std::string& store_uri) {
  if (io::is_s3_uri(store_uri)) return;
  if (auto local = io::open_store(store_uri)->local_path("")) files::remove_stale_temporaries(*local);
}

void run_cell(const CellOptions& o) {
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0) threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  if (!o.event.empty()) {
    // Lambda-style: a bad event is answered with statusCode 400, never with a stack trace.
    json response;
    try {
      auto event = read_event(o.event);
      if (auto keys = granule_credentials(o.credentials)) event = with_granule_credentials(event, *keys);
      auto job = atl06::parse_cell_event(event);
      remove_stale_temporaries(job.store);
      auto result = atl06::run_cell_job(job);
      response = atl06::magg_response(result);
      exit_code = result["status"] == "SUCCESS" ? 0 : 1;
      if (exit_code) spdlog::error("cell {}: {}", job.parent, result["error"].dump());
    } catch (const Error& e) {
      response = {{"statusCode", 400}, {"body", {{"error", e.what()}}}};
      spdlog::error("{}", e.what());
      exit_code = 2;
    }
    fmt::print("{}\n", response.dump());
    return;
  }
  if (o.parent == 0 || o.out.empty()) fail("atl06 cell: give --parent and --out (or --event FILE|- with a magg event)");
  auto event = event_from_options(o);
  if (auto keys = granule_credentials(o.credentials)) event = with_granule_credentials(event, *keys);
  auto job = atl06::parse_cell_event(event);
  remove_stale_temporaries(job.store);
  // --csv: the oracle's child-rows CSV as well (for comparisons with goldens and other tools).
  auto result = atl06::run_cell_job(job, [&](const atl06::CellResult& cell) {
    if (!o.csv.empty()) files::write_atomic(o.csv, atl06::child_rows_csv(job.parent, job.child_order, cell.stats, true));
  });
  const auto& g = result.value("granules", json::object());
  if (result["status"] == "SUCCESS") {
    spdlog::info("cell {}: {} points in {} child cells from {} granules ({} read, {} skipped, {} failed) -> {} chunk {} in {:.3f} s{}",
                 job.parent, result["total_obs"].get<std::int64_t>(), result["cells_with_data"].get<std::int64_t>(),
                 job.granules.size(), g.value("read", 0), g.value("skipped", 0), g.value("failed", 0), job.store,
                 result.value("chunk_idx", 0), result["duration_s"].get<double>(),
                 result["error"].is_null() ? "" : fmt::format(" ({})", result["error"].get<std::string>()));
    for (const auto& oc : result.value("granule_outcomes", json::array()))
      if (oc["status"] == "failed") spdlog::warn("{}: {}", oc["granule"].get<std::string>(), oc.value("reason", ""));
  } else {
    spdlog::error("cell {}: {}", job.parent, result["error"].is_string() ? result["error"].get<std::string>() : result["error"].dump());
    exit_code = 1;
  }
  fmt::print("{}\n", atl06::magg_response(result).dump());
}

}  // namespace

void add_atl06_cell_command(CLI::App& atl06) {
  auto o = std::make_shared<CellOptions>();
  auto* cmd = atl06.add_subcommand("cell", "Process one parent cell: granules -> per-child statistics -> its chunk of the Zarr store");
  cmd->add_option("--event", o->event, "Run magg's Lambda event JSON from FILE or - (stdin); prints magg's return JSON");
  cmd->add_option("--parent,--morton-cell", o->parent, "Parent cell (morton index, e.g. -4113213)");
  cmd->add_option("--parent-order", o->parent_order, "Order of the parent cell")->capture_default_str();
  cmd->add_option("--child-order", o->child_order, "Order of the output cells")->capture_default_str();
  cmd->add_option("--granules", o->granules, "ATL06 granules (paths or s3:// URIs) that may cross the cell");
  cmd->add_option("--out", o->out, "Output Zarr store (created for this one cell if it does not exist)");
  cmd->add_option("--chunk-idx", o->chunk_idx, "Chunk of the store that holds this parent (default: its position in the store)");
  cmd->add_option("--numerics", o->numerics, "double: accumulate in double (default); magg: numpy float32, bit-identical to magg")
      ->check(CLI::IsMember({"double", "magg"}))
      ->capture_default_str();
  cmd->add_flag("--extra-stats", o->extra, "Also h_std, t_min/t_max (delta_time) and n_granules");
  cmd->add_option("--zarr-format", o->zarr_format, "Zarr format of a new store: 3 (dggs convention) or 2 (xdggs attributes)")
      ->check(CLI::IsMember({2, 3}))
      ->capture_default_str();
  cmd->add_option("--compression", o->compression, "Chunk compression of a new store")->check(CLI::IsMember({"zstd", "none"}))->capture_default_str();
  add_latitude_option(*cmd, o->latitude);
  add_morton_form_option(*cmd, o->morton_form);
  cmd->add_flag("--skip-bad-granules", o->skip_bad, "Write the cell even if some granules cannot be read (they are reported)");
  cmd->add_option("--csv", o->csv, "Also write the non-empty child rows as CSV (the oracle's columns)");
  add_parallelism_option(*cmd, "-j,--threads", o->threads, "Threads (default: all cores)");
  add_granule_credential_options(*cmd, o->credentials);
  cmd->callback([o] { run_cell(*o); });
}

}  // namespace granary::cli
