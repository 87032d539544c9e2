// docs/cli.md is the --help of every command; this keeps it from drifting from the code.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace granary {
namespace {

TEST(CliReference, DocsMatchTheHelpOfEveryCommand) {
  const std::string source = GRANARY_SOURCE_DIR;
  const auto r = test::run_command("bash " + source + "/scripts/cli-reference.sh " + test::granary_binary());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(source + "/docs/cli.md");
  ASSERT_TRUE(in) << "docs/cli.md is missing";
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(r.out, committed.str()) << "docs/cli.md is out of date: bash scripts/cli-reference.sh > docs/cli.md";
}

TEST(CliReference, EverySubcommandHelpDescribesEveryOption) {
  for (const char* command : {"ecco synth", "ecco factors", "ecco regrid", "ecco jobs", "ecco run", "atl06 synth",
                              "atl06 catalog", "atl06 cell", "atl06 run", "info", "quicklook", "report", "plan ecco",
                              "plan atl06", "work", "status", "retry", "submit slurm", "submit lambda", "lambda", "package lambda"}) {
    const auto r = test::run_granary(std::string(command) + " --help");
    ASSERT_EQ(r.exit_code, 0) << command;
    // CLI11 prints an option with no description as a line ending in its type/default only:
    // every "--flag" line must be followed by text on it or on the next line.
    std::istringstream lines(r.out);
    std::string line, previous;
    bool pending = false;
    while (std::getline(lines, line)) {
      const bool option = line.rfind("  -", 0) == 0;
      if (pending && (option || line.find_first_not_of(' ') == std::string::npos))
        ADD_FAILURE() << command << ": no description for: " << previous;
      pending = false;
      if (option) {
        // CLI11 puts the description from column 30 on, or on the next line when the name
        // and type are longer.
        pending = line.size() <= 30;
        previous = line;
      }
    }
  }
}

}  // namespace
}  // namespace granary
