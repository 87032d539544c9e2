// A bad command line gets one line naming the problem and exit code 2: an unknown command
// (at any level, with the commands there and a near miss suggested), and a -j that is not a
// whole number of workers/threads in range (every command that takes -j).
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.hpp"

namespace granary::cli {
namespace {

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(CliUsage, AnUnknownCommandIsNamedWithTheCommandsThere) {
  auto r = test::run_granary("bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "granary: 'bogus' is not a granary command (commands: ecco, atl06, quicklook, info, report, plan, work, retry, status, "
            "submit, lambda, package; see granary "
            "--help)\n");
  EXPECT_EQ(r.out, "");

  r = test::run_granary("ecco bogus --out x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("granary: 'bogus' is not a granary ecco command (commands: factors, regrid, jobs, run, synth; "
                       "see granary ecco --help)"),
            std::string::npos)
      << r.err;

  r = test::run_granary("atl06 bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'bogus' is not a granary atl06 command (commands: catalog, cell, run, synth;"), std::string::npos)
      << r.err;
}

TEST(CliUsage, ANearMissSuggestsTheCommand) {
  auto r = test::run_granary("ecco rn --config c.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("granary: 'rn' is not a granary ecco command: did you mean 'run'?"), std::string::npos) << r.err;
  r = test::run_granary("quiklook x.nc");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'quicklook'?"), std::string::npos) << r.err;
  r = test::run_granary("zzzzzzzz");
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;  // nothing close: no guess
}

TEST(CliUsage, OtherMistakesKeepTheirOwnMessages) {
  // Not an unknown command: a missing one, or an extra argument to a command that takes none.
  auto r = test::run_granary("ecco");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("is not a granary"), std::string::npos) << r.err;
  r = test::run_granary("report a.json b.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("is not a granary"), std::string::npos) << r.err;
  EXPECT_EQ(test::run_granary("ecco --help").exit_code, 0);
}

// Every command with -j, and the name its -j has there.
const std::pair<const char*, const char*> kParallelCommands[] = {
    {"ecco factors", "-j/--threads"}, {"ecco regrid", "-j/--threads"}, {"ecco run", "-j/--workers"},
    {"atl06 catalog", "-j/--workers"}, {"atl06 cell", "-j/--threads"}, {"atl06 run", "-j/--workers"}};

TEST(CliUsage, ABadJobsValueGetsOneLine) {
  for (const auto& [command, name] : kParallelCommands) {
    for (const std::string value : {"abc", "-3", "100000", "1.5", "4x", "1025", "''"}) {
      auto r = test::run_granary(std::string(command) + " -j " + value);
      SCOPED_TRACE(std::string(command) + " -j " + value);
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_EQ(lines(r.err), 1) << r.err;
      const std::string shown = value == "''" ? "" : value;
      EXPECT_EQ(r.err, std::string("granary: ") + name +
                           " must be a whole number from 1 to 1024, or 0 for one per core (got '" + shown + "')\n");
    }
  }
}

TEST(CliUsage, GoodJobsValuesAreAccepted) {
  // --help is answered after the options are read, so a value that parses gets the help.
  for (const auto& [command, name] : kParallelCommands) {
    for (const char* value : {"0", "1", "3", "1024"}) {
      auto r = test::run_granary(std::string(command) + " -j " + value + " --help");
      EXPECT_EQ(r.exit_code, 0) << command << " -j " << value << ": " << r.err;
    }
    auto r = test::run_granary(std::string(command) + " --help");
    EXPECT_NE(r.out.find(std::string(name).substr(3) + " N"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace granary::cli
