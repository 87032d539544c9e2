// granary atl06 synth: writes synthetic, full-layout ATL06 granules whose tracks cross one
// cell or several (Antarctic by default; no small real Antarctic granule is public), for benchmarks,
// demos and tests. The C++ port of shared/reference/atl06_synth.py.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "recipes/atl06/synth.hpp"
#include "util/timer.hpp"
#include "util/user_paths.hpp"

namespace granary::cli {
namespace {

void run_synth(const atl06::synth::SynthOptions& opt) {
  files::check_writable(opt.out_dir.string(), files::Kind::Directory, "--out");
  PhaseTimer timer;
  const auto granules = atl06::synth::write_synthetic_granules(opt);
  timer.mark("write");
  // The same summary the Python generator prints, so scripts can use either.
  nlohmann::json files = nlohmann::json::array();
  std::int64_t total = 0;
  for (const auto& g : granules) {
    files.push_back(g.path.string());
    if (g.points_in_cell)
      for (const auto& [beam, n] : *g.points_in_cell) total += n;
  }
  // "cell" as the Python generator prints it (the first cell), "cells" for several.
  std::cout << nlohmann::json{{"cell", opt.cells.front()}, {"cells", opt.cells}, {"granules", granules.size()},
                              {"files", files}, {"total_points_in_cell", total}}
                   .dump()
            << std::endl;
  spdlog::info("atl06 synth: {} granules x {} beams x {} segments in {} ({:.2f} s)", granules.size(), opt.beams.size(),
               opt.segments_per_beam, opt.out_dir.string(), timer.seconds().at("write"));
}

}  // namespace

void add_atl06_synth_command(CLI::App& atl06) {
  auto opt = std::make_shared<atl06::synth::SynthOptions>();
  auto surface = std::make_shared<std::string>("slope");
  auto no_check = std::make_shared<bool>(false);
  auto* cmd = atl06.add_subcommand(
      "synth", "Write synthetic ATL06 granules (real layout and storage) whose tracks cross chosen cells; prints a JSON summary");
  cmd->add_option("--out", opt->out_dir, "Output directory")->required();
  cmd->add_option("--granules", opt->granules, "Granules (one ground track each)")->capture_default_str();
  cmd->add_option("--segments-per-beam", opt->segments_per_beam, "Land-ice segments per beam (>= 100)")->capture_default_str();
  cmd->add_option("--cell,--morton-cell", opt->cells,
                  "Morton index of the cell the tracks cross; a comma-separated list spreads the granules over "
                  "the cells in turn (default: East Antarctica, 80S 120E)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--surface", *surface,
                  "Ice surface model: slope (the Python generator's, for one cell) or antarctica (domes of "
                  "the Antarctic ice sheet, for continent-wide demos)")
      ->check(CLI::IsMember({"slope", "antarctica"}))
      ->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Random seed (same seed, same files)")->capture_default_str();
  cmd->add_option("--cycle", opt->cycle, "Cycle number (file name, orbit_info, dates)")->capture_default_str();
  cmd->add_option("--region", opt->region, "Granule region 1..14 (file name)")->capture_default_str();
  cmd->add_option("--product-version,--version", opt->version, "ATL06 product version (file name, three digits)")->capture_default_str();
  cmd->add_option("--beams", opt->beams, "Beams to write, comma separated (e.g. gt1l,gt1r for a missing-beam granule)")
      ->delimiter(',')
      ->check(CLI::IsMember(atl06::synth::all_beams()))
      ->capture_default_str();
  cmd->add_flag("--no-check", *no_check, "Do not require every beam to have points in the cell");
  cmd->callback([opt, surface, no_check] {
    opt->surface = atl06::synth::parse_surface_model(*surface);
    opt->check = !*no_check;
    run_synth(*opt);
  });
}

}  // namespace granary::cli
