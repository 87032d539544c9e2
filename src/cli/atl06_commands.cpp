#include "cli/commands.hpp"

namespace granary::cli {

void add_atl06_commands(CLI::App& root) {
  auto* atl06 = root.add_subcommand(
      "atl06", "ICESat-2 ATL06: land-ice heights -> per-cell statistics on HEALPix (morton) cells, Zarr v3/v2");
  atl06->require_subcommand(1);
  add_atl06_catalog_command(*atl06);
  add_atl06_cell_command(*atl06);
  add_atl06_run_command(*atl06);
  add_atl06_synth_command(*atl06);
}

}  // namespace granary::cli
