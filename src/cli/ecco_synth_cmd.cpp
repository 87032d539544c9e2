// granary ecco synth: writes a small synthetic LLC grid and ECCO-like model output (the files
// and formats of a real run) so the whole chain can be demonstrated without real data.
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/demo_run.hpp"
#include "recipes/ecco/synth_fields.hpp"
#include "util/timer.hpp"
#include "util/user_paths.hpp"

namespace granary::cli {
namespace {

struct SynthCommandOptions {
  std::string out;
  ecco::synth::SynthOptions synth;
};

void run_synth(const SynthCommandOptions& opt) {
  files::check_writable(opt.out, files::Kind::Directory, "--out");
  PhaseTimer timer;
  ecco::synth::write_synthetic_ecco(opt.out, opt.synth);
  ecco::write_demo_metadata(std::filesystem::path(opt.out) / "metadata", fmt::format("llc{:04d}", opt.synth.nx));
  ecco::write_demo_run_files(opt.out, opt.synth.nx);
  timer.mark("write");
  const auto& s = opt.synth;
  spdlog::info("synth: LLC{} grid ({} x {} compact, {} levels) and {} monthly + {} daily records, metadata, config.yaml and jobs.txt in {} ({:.2f} s)", s.nx,
               s.nx, 13 * s.nx, s.levels, s.months, s.days, opt.out, timer.seconds().at("write"));
}

}  // namespace

void add_ecco_synth_command(CLI::App& ecco) {
  auto opt = std::make_shared<SynthCommandOptions>();
  auto* cmd = ecco.add_subcommand(
      "synth", "Write demo inputs: a synthetic LLC grid (DIR/grid), ECCO-like model output (DIR/model_output), metadata (DIR/metadata), DIR/config.yaml and DIR/jobs.txt");
  cmd->add_option("--out", opt->out, "Output directory")->required();
  cmd->add_option("--nx", opt->synth.nx, "Tile size (LLC90 has 90)")->capture_default_str()->check(CLI::Range(4, 1080));
  cmd->add_option("--levels", opt->synth.levels, "Vertical levels")->capture_default_str()->check(CLI::Range(1, 200));
  cmd->add_option("--timesteps", opt->synth.months, "Monthly records (from January 1992)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1200));
  cmd->add_option("--days", opt->synth.days, "Daily SSH records (from 2 January 1992); with 0 the AVG_DAY jobs of jobs.txt find no input")
      ->capture_default_str()
      ->check(CLI::Range(0, 3660));
  cmd->callback([opt] { run_synth(*opt); });
}

}  // namespace granary::cli
