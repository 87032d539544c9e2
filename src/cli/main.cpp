// granary: Earth-science granules -> analysis-ready gridded datasets.
// Exit codes (cli/exit_codes.hpp): 0 success, 1 some jobs failed (the rest finished; see the run
// report), 2 bad input (command line, files, config), 3 a service stayed unavailable after retries
// (S3, CMR, a credentials endpoint) or the output's disk is full or read-only: run the same
// command again once it is back, 70 internal error (a bug),
// 130 interrupted by SIGINT/SIGTERM.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/unknown_command.hpp"
#include "formats/netcdf/writer.hpp"
#include "util/error.hpp"
#include "util/output_error.hpp"
#include "util/unavailable_error.hpp"
#include "util/log.hpp"

int main(int argc, char** argv) {
  using namespace granary;
  CLI::App app{"granary: turns Earth-science granules into analysis-ready gridded datasets"};
  app.set_version_flag("--version", std::string("granary ") + GRANARY_VERSION);
  app.require_subcommand(1);
  std::string log_format = "text", log_level = "info";
  // Until the flags are read, messages (e.g. about the command line) go through the same
  // sink, so NO_COLOR holds for them too.
  log::setup(log::Format::Text, log_level);
  app.add_option("--log-format", log_format, "Log lines as text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.parse_complete_callback([&] {
    log::setup(log_format == "json" ? log::Format::Json : log::Format::Text, log_level);
  });
  cli::add_ecco_commands(app);
  cli::add_atl06_commands(app);
  cli::add_quicklook_command(app);
  cli::add_info_command(app);
  cli::add_report_command(app);
  cli::add_plan_commands(app);
  cli::add_submit_command(app);
  cli::add_lambda_command(app);
  cli::add_package_command(app);
  // After the subcommands, which would inherit it: the codes are listed once, on the root's help.
  app.footer(cli::exit_codes_help());
  try {
    app.parse(argc, argv);
  } catch (const cli::UsageError& e) {
    fmt::print(stderr, "granary: {}\n", e.what());
    return cli::kExitBadInput;
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed; a bad command line is bad input (exit 2), like
    // every other input error.
    if (e.get_exit_code() != 0) {
      if (auto message = cli::unknown_command_message(app)) {
        fmt::print(stderr, "granary: {}\n", *message);
        return cli::kExitBadInput;
      }
    }
    const int printed = app.exit(e);
    return printed == 0 ? cli::kExitOk : cli::kExitBadInput;
  } catch (const OutputUnavailable& e) {
    spdlog::error("{} (the output's disk, not the input: free space or make it writable, then run the same command again; "
                  "it resumes)", e.what());
    return cli::kExitUnavailable;
  } catch (const UnavailableError& e) {
    spdlog::error("{} (a service was unavailable, not the input: run the same command again; it resumes)", e.what());
    return cli::kExitUnavailable;
  } catch (const cli::Interrupted& e) {
    spdlog::error("{}", e.what());
    return cli::kExitInterrupted;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return cli::kExitBadInput;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {} (a bug in granary {}: please report it with the command line and this message)",
                  e.what(), GRANARY_VERSION);
    return cli::kExitInternal;
  }
  if (nc::files_left_open()) {
    // libnetcdf's exit handler would crash closing a file abandoned on a full disk.
    spdlog::shutdown();
    std::fflush(nullptr);
    std::_Exit(cli::exit_code);
  }
  return cli::exit_code;
}
