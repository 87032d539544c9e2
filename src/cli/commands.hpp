#pragma once
// Each recipe/tool adds its subcommands. A command's callback sets `exit_code`
// (cli/exit_codes.hpp: 0 ok, 1 some jobs failed, 2 bad usage or input, 130 interrupted). Each command lives in its own file.
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace granary::cli {

extern int exit_code;

// A command line CLI11 accepts but granary does not (a bad -j, an unknown command): main
// prints "granary: <message>" on one line and exits 2, like any bad command line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void add_ecco_commands(CLI::App& root);
// granary ecco factors (cli/ecco_factors_cmd.cpp), regrid (cli/ecco_regrid_cmd.cpp)
void add_ecco_factors_command(CLI::App& ecco);
void add_ecco_regrid_command(CLI::App& ecco);
// granary ecco synth                     (cli/ecco_synth_cmd.cpp)
void add_ecco_synth_command(CLI::App& ecco);
// granary ecco jobs / run                (cli/ecco_run_cmd.cpp)
void add_ecco_jobs_command(CLI::App& ecco);
void add_ecco_run_command(CLI::App& ecco);

void add_atl06_commands(CLI::App& root);
// granary atl06 catalog                  (cli/atl06_catalog_cmd.cpp)
void add_atl06_catalog_command(CLI::App& atl06);
// granary atl06 synth                    (cli/atl06_synth_cmd.cpp)
void add_atl06_synth_command(CLI::App& atl06);
// granary atl06 cell / run               (cli/atl06_cell_cmd.cpp, cli/atl06_run_cmd.cpp)
void add_atl06_cell_command(CLI::App& atl06);
void add_atl06_run_command(CLI::App& atl06);

// granary info                           (cli/info_cmd.cpp)
void add_info_command(CLI::App& root);

// granary quicklook                      (cli/quicklook_cmd.cpp)
void add_quicklook_command(CLI::App& root);

// granary report: a run report (or a plan's results) summarised for a person.
void add_report_command(CLI::App& root);

// granary work / retry / status          (cli/plan_commands.cpp)
void add_plan_commands(CLI::App& root);
// granary plan ecco / atl06              (cli/ecco_run_cmd.cpp, cli/atl06_run_cmd.cpp)
void add_plan_ecco_command(CLI::App& plan);
void add_plan_atl06_command(CLI::App& plan);
// granary submit slurm: a plan as a Slurm job array (cli/submit_cmd.cpp, run/slurm_submit).
void add_submit_command(CLI::App& root);
// granary lambda: the AWS Lambda custom runtime (cli/lambda_cmd.cpp, cli/lambda_handler).
void add_lambda_command(CLI::App& root);
// granary package lambda: the Lambda package (cli/package_cmd.cpp, run/lambda_package).
void add_package_command(CLI::App& root);
// granary submit lambda: a plan as Lambda invocations (cli/submit_lambda_cmd.cpp, run/lambda_submit).
void add_submit_lambda_command(CLI::App& submit);

}  // namespace granary::cli
