#include "cli/commands.hpp"

namespace granary::cli {

void add_ecco_commands(CLI::App& root) {
  auto* ecco = root.add_subcommand("ecco", "ECCO: MITgcm LLC90 output -> PO.DAAC CF netCDF (native, lat-lon)");
  ecco->require_subcommand(1);
  add_ecco_factors_command(*ecco);
  add_ecco_regrid_command(*ecco);
  add_ecco_jobs_command(*ecco);
  add_ecco_run_command(*ecco);
  add_ecco_synth_command(*ecco);
}

}  // namespace granary::cli
