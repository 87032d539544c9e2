// granary ecco factors: builds the LLC -> lat-lon mapping factors of every level into one
// file and prints the per-level counts (the columns of the oracle's counts.csv).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/ecco_uri_option.hpp"
#include "cli/parallelism_option.hpp"
#include "grids/llc/grid.hpp"
#include "io/store.hpp"
#include "ops/regrid/factors.hpp"
#include "recipes/ecco/locations.hpp"
#include "util/files.hpp"
#include "util/timer.hpp"

namespace granary::cli {
namespace {

struct FactorsOptions {
  std::string grid;
  std::string out;
  double resolution = 0.5;
  int levels = 0;
  int threads = 0;
};

void print_counts(const regrid::Factors& factors, int threads) {
  std::string table = "k,wet,ocean,nnz,in_r_1,in_r_2,in_r_3plus,fallback,max_in_r\n";
  auto stats = factors.all_stats(threads);
  for (int k = 0; k < factors.levels(); ++k) {
    const auto& s = stats[k];
    table += fmt::format("{},{},{},{},{},{},{},{},{}\n", k, s.wet, s.ocean, s.nnz, s.in_r_1, s.in_r_2, s.in_r_3plus,
                         s.fallback, s.max_in_r);
  }
  std::fputs(table.c_str(), stdout);
  std::fflush(stdout);
}

// The grid of a local directory, or of an s3:// prefix through a scratch copy (grid.dir is the URI).
llc::Grid load_grid(const std::string& uri) {
  if (!ecco::is_remote(uri)) return llc::load_grid(uri);
  ecco::ScratchDir scratch("grid");
  ecco::download_directory(uri, scratch.path(), "grid directory");
  auto grid = ecco::naming_uri(scratch.path().string(), uri, [&] { return llc::load_grid(scratch.path().string()); });
  grid.dir = uri;
  return grid;
}

// Saves in place, or to a scratch file uploaded with one PUT for s3://; returns the size.
std::uint64_t save(const regrid::Factors& factors, const std::string& uri) {
  if (!ecco::is_remote(uri)) {
    factors.save(uri);
    return std::filesystem::file_size(uri);
  }
  ecco::ScratchDir scratch("factors");
  const auto local = scratch.path() / io::basename_of(uri);
  factors.save(local.string());
  const auto bytes = files::read_all(local);
  io::open_store(io::parent_uri(uri))->put(io::basename_of(uri), bytes);
  return bytes.size();
}

void run_factors(const FactorsOptions& opt) {
  PhaseTimer timer;
  auto grid = load_grid(opt.grid);
  timer.mark("read_grid");
  int levels = opt.levels > 0 ? opt.levels : grid.nz;
  auto factors = regrid::Factors::build(grid, levels, opt.resolution, opt.threads);
  timer.mark("search");
  const auto size = save(factors, opt.out);
  timer.mark("write");
  print_counts(factors, opt.threads);
  timer.mark("counts");
  const auto& p = factors.params();
  double total = 0.0;
  for (const auto& [phase, s] : timer.seconds()) total += s;
  spdlog::info("factors: {} levels, LLC{} -> {}x{} ({} deg), RB {} m, LB {} m -> {} ({:.2f} MB)", levels, p.nx,
               p.target.nlat, p.target.nlon, p.target.resolution, p.radius_bound, p.nearest_bound, opt.out,
               size / 1e6);
  spdlog::info("factors: read grid {:.3f} s, search {:.3f} s, write {:.3f} s, counts {:.3f} s, total {:.3f} s",
               timer.seconds().at("read_grid"), timer.seconds().at("search"), timer.seconds().at("write"),
               timer.seconds().at("counts"), total);
}

}  // namespace

void add_ecco_factors_command(CLI::App& ecco) {
  auto opt = std::make_shared<FactorsOptions>();
  auto* cmd = ecco.add_subcommand(
      "factors", "Build the LLC -> lat-lon mapping factors (land masks + sparse weights) of every level into one file");
  cmd->add_option("--grid", opt->grid, "MDS grid directory (XC, YC, Depth, DXG, DYG, RC, RF, DRF), or an s3:// prefix")
      ->required()
      ->check(local_or_s3(&CLI::ExistingDirectory));
  cmd->add_option("--out", opt->out, "Factors file to write (atomically), or an s3:// URI")
      ->required()
      ->check(local_or_s3());
  cmd->add_option("--resolution", opt->resolution, "Target grid spacing in degrees (180/resolution rows)")
      ->capture_default_str();
  cmd->add_option("--levels", opt->levels, "Number of levels (default: all levels of the grid)")
      ->check(CLI::PositiveNumber);
  add_parallelism_option(*cmd, "-j,--threads", opt->threads, "Search threads (default: all cores)");
  cmd->callback([opt] { run_factors(*opt); });
}

}  // namespace granary::cli
