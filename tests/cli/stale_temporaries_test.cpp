// A run killed with SIGKILL (no handler runs) leaves its temporaries (*.part-PID-N) behind;
// the next run removes them, finishes the products and leaves none. Also: the progress bar
// of that run on a terminal holds no escape sequence with NO_COLOR.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<fs::path> files_named(const fs::path& dir, const std::string& part) {
  std::vector<fs::path> found;
  if (!fs::exists(dir)) return found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().find(part) != std::string::npos) found.push_back(e.path());
  return found;
}

std::size_t count_with_suffix(const fs::path& dir, const std::string& suffix) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    n += e.is_regular_file() && name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return n;
}

TEST(StaleTemporaries, AnEccoRunKilledWithSigkillIsCleanedUpAndFinishedByTheNextRun) {
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  auto r = test::run_granary("ecco synth --out " + d + "/ecco --nx 12 --levels 8 --timesteps 6 --days 6");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("ecco factors --grid " + d + "/ecco/grid --out " + d + "/ecco/factors.bin");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path products = tmp / "ecco" / "products";
  const std::string run = test::granary_binary() + " ecco run --config " + d + "/ecco/config.yaml --jobs " + d +
                          "/ecco/jobs.txt -j 2";

  // The run gets a process group of its own (setsid), so SIGKILL reaches its workers too; it
  // is killed as soon as a temporary appears (or after ~15 s, if none was ever seen).
  r = test::run_command(fmt::format(
      "cd {} && (setsid {} --report killed.json > killed.log 2>&1 & pid=$!; i=0; "
      "while [ $i -lt 3000 ] && ! find ecco/products -name '*.part-*' 2>/dev/null | grep -q .; do i=$((i+1)); sleep 0.005; done; "
      "kill -9 -- -$pid 2>/dev/null; wait $pid 2>/dev/null; "
      // SIGKILL lands asynchronously: wait (boundedly) until no worker of the session runs.
      "j=0; while [ $j -lt 500 ] && ps -o stat= --sid $pid | grep -qv '^Z'; do j=$((j+1)); sleep 0.01; done; "
      "echo $pid)",
      d, run));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const long killed = std::stol(r.out);
  // The window in which a temporary exists is short; if the kill missed it, leave one as the
  // killed run would have (its PID is gone now), so the next run always has one to remove.
  auto parts = files_named(products, ".part-");
  if (parts.empty()) {
    fs::create_directories(products / "native");
    std::ofstream(products / "native" / fmt::format("SSH_1992-01.nc.part-{}-0", killed)) << "partial";
    parts = files_named(products, ".part-");
  }
  ASSERT_FALSE(parts.empty());
  EXPECT_FALSE(fs::exists(tmp / "killed.json")) << "the run finished before it was killed";

  // A temporary of a live writer (this test process) is left alone.
  const fs::path live = products / fmt::format("live.nc.part-{}-0", static_cast<long>(getpid()));
  std::ofstream(live) << "being written";

  r = test::run_granary("ecco run --config " + d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 2 --report " + d +
                        "/rerun.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(fmt::format("removed {} temporary file(s)", parts.size())), std::string::npos) << r.err;
  EXPECT_EQ(files_named(products, ".part-"), std::vector<fs::path>{live});
  fs::remove(live);

  // Every product is there: a third run has nothing left to do.
  r = test::run_granary("ecco run --config " + d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 2 --report " + d +
                        "/third.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = json::parse(files::read_text(tmp / "third.json"));
  const auto& by_status = report["totals"]["by_status"];
  ASSERT_EQ(by_status.size(), 1u) << by_status.dump();
  ASSERT_TRUE(by_status.contains("SKIP")) << by_status.dump();
  EXPECT_EQ(by_status["SKIP"].get<std::size_t>(), count_with_suffix(products, ".nc"));
  EXPECT_GT(count_with_suffix(products, ".nc"), 10u);
}

// The same kind of leftover in a local ATL06 store: `atl06 run` and `atl06 cell` remove it.
TEST(StaleTemporaries, Atl06RunAndCellCleanTheirLocalStore) {
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  auto r = test::run_granary("atl06 synth --out " + d + "/g --granules 1 --segments-per-beam 2000 --cell -4113213");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("atl06 catalog --granules " + d + "/g --out " + d + "/c.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("atl06 run --catalog " + d + "/c.json --out " + d + "/s.zarr -j 1 --max-cells 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const long dead = [] {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    return static_cast<long>(child);
  }();
  auto plant = [&](const fs::path& store) {
    std::ofstream(store / "12" / fmt::format("zarr.json.part-{}-0", dead)) << "{";
    fs::create_directories(store / "12" / "count" / "c");
    std::ofstream(store / "12" / "count" / "c" / fmt::format("0.part-{}-1", dead)) << "x";
  };
  plant(tmp / "s.zarr");
  r = test::run_granary("atl06 run --catalog " + d + "/c.json --out " + d + "/s.zarr -j 1 --max-cells 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(files_named(tmp / "s.zarr", ".part-").empty());

  r = test::run_granary("atl06 cell --parent -4113213 --granules " + d + "/g/*.h5 --out " + d + "/one.zarr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  plant(tmp / "one.zarr");
  r = test::run_granary("atl06 cell --parent -4113213 --granules " + d + "/g/*.h5 --out " + d + "/one.zarr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(files_named(tmp / "one.zarr", ".part-").empty());
}

// A progress bar is drawn on a terminal; with NO_COLOR it is redrawn without escape sequences.
TEST(NoColor, TheProgressBarHasNoEscapeSequence) {
  if (test::run_command("script --version").exit_code != 0) GTEST_SKIP() << "util-linux `script` is not installed";
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  auto r = test::run_granary("ecco synth --out " + d + "/ecco --nx 8 --levels 2 --timesteps 2 --days 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("ecco factors --grid " + d + "/ecco/grid --out " + d + "/ecco/factors.bin");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto on_terminal = [&](const std::string& env, const std::string& out) {
    return test::run_command("env " + env + " TERM=xterm script -qec \"" + test::granary_binary() + " ecco run --config " +
                             d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 2 --overwrite --report " + d + "/" +
                             out + "\" /dev/null");
  };
  r = on_terminal("-u NO_COLOR", "a.json");  // the control: the bar erases with an escape sequence
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_NE(r.out.find("ecco run ["), std::string::npos) << r.out;
  EXPECT_NE(r.out.find('\x1b'), std::string::npos);
  r = on_terminal("NO_COLOR=1", "b.json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_NE(r.out.find("ecco run ["), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
}

}  // namespace
}  // namespace granary::cli
