// NO_COLOR (https://no-color.org): set and non-empty, nothing granary prints on a terminal
// holds an ANSI escape sequence. granary colours only on a terminal, so the commands run
// under a pseudo-terminal (util-linux `script`), with a TERM that spdlog would colour for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "support/test_support.hpp"
#include "util/log.hpp"

namespace granary::cli {
namespace {

bool has_escape(const std::string& text) { return text.find('\x1b') != std::string::npos; }

// `granary args` on a pseudo-terminal with `env` set; what the terminal showed.
test::CommandResult on_terminal(const std::string& env, const std::string& args) {
  return test::run_command("env " + env + " TERM=xterm script -qec \"" + test::granary_binary() + " " + args +
                           "\" /dev/null");
}

TEST(NoColor, LogLinesOnATerminalAreColouredUnlessNoColorIsSet) {
  if (test::run_command("script --version").exit_code != 0) GTEST_SKIP() << "util-linux `script` is not installed";
  test::TempDir tmp;
  std::ofstream(tmp / "event.json") << "{ not json";
  const std::string args = "atl06 cell --event " + (tmp / "event.json").string();
  // The control: the same error line is coloured when NO_COLOR is unset, or set but empty.
  auto coloured = on_terminal("-u NO_COLOR", args);
  ASSERT_NE(coloured.out.find("not valid JSON"), std::string::npos) << coloured.out << coloured.err;
  EXPECT_TRUE(has_escape(coloured.out)) << coloured.out;
  EXPECT_TRUE(has_escape(on_terminal("NO_COLOR=", args).out));

  auto plain = on_terminal("NO_COLOR=1", args);
  ASSERT_NE(plain.out.find("not valid JSON"), std::string::npos) << plain.out << plain.err;
  EXPECT_FALSE(has_escape(plain.out)) << plain.out;
  // Help and usage errors are plain text in any case.
  for (const char* other : {"--help", "atl06 run --help", "bogus", "ecco run -j abc", "info /nonexistent"}) {
    auto r = on_terminal("NO_COLOR=1", other);
    EXPECT_FALSE(r.out.empty()) << other;
    EXPECT_FALSE(has_escape(r.out)) << other << ": " << r.out;
  }
}

TEST(NoColor, ColourIsOffOnlyForANonEmptyValue) {
  const char* saved = std::getenv("NO_COLOR");
  const std::string keep = saved ? saved : "";
  unsetenv("NO_COLOR");
  EXPECT_TRUE(log::colour());
  setenv("NO_COLOR", "", 1);
  EXPECT_TRUE(log::colour());
  setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(log::colour());
  setenv("NO_COLOR", "false", 1);  // any value: the convention has no "off" spelling
  EXPECT_FALSE(log::colour());
  if (saved) setenv("NO_COLOR", keep.c_str(), 1);
  else unsetenv("NO_COLOR");
}

}  // namespace
}  // namespace granary::cli
