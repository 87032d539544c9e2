// granary info PATH: what a granary output holds (netCDF-4 file or Zarr store): dimensions,
// attributes, variables/arrays with storage and value statistics, and for ATL06 stores the
// cells processed and observations. Text for people, --json for scripts.
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/info_text.hpp"
#include "formats/zarr/zarr.hpp"
#include "io/store.hpp"
#include "ops/describe/describe.hpp"
#include "recipes/atl06/store_summary.hpp"
#include "util/error.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;

struct InfoOptions {
  std::string path;
  bool json = false, no_stats = false;
};

nlohmann::json describe_path(const InfoOptions& o) {
  describe::Options options;
  options.stats = !o.no_stats;
  std::error_code ec;
  if (io::is_s3_uri(o.path) || fs::is_directory(o.path, ec)) {
    auto store = io::open_store(o.path);
    if (!zarr::detect_format(*store, ""))
      fail("{}: not a Zarr store (no zarr.json, .zgroup or .zarray at its root)", o.path);
    auto d = describe::describe_zarr(*store, options);
    if (auto atl06 = atl06::summarize_store(*store, d)) d["atl06"] = *atl06;
    return d;
  }
  if (!fs::exists(o.path, ec)) fail("{}: no such file or directory", o.path);
  return describe::describe_netcdf(o.path, options);
}

}  // namespace

void add_info_command(CLI::App& root) {
  auto o = std::make_shared<InfoOptions>();
  auto* cmd = root.add_subcommand("info", "Describe a granary output: a netCDF-4 file or a Zarr store (v2/v3)");
  cmd->add_option("path", o->path, "netCDF file, or Zarr store directory / s3:// URI")->required();
  cmd->add_flag("--json", o->json, "Print the description as JSON");
  cmd->add_flag("--no-stats", o->no_stats, "Do not read the values (no min/max/mean/NaN statistics)");
  cmd->callback([o] {
    const auto d = describe_path(*o);
    std::cout << (o->json ? d.dump(2) + "\n" : info_text(d)) << std::flush;
    exit_code = 0;
  });
}

}  // namespace granary::cli
