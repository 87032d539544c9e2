// A run killed with SIGKILL (no handler runs) leaves its temporaries (*.part-PID-N) behind;
// the next run removes them, finishes the products and leaves none. Also: the progress bar
// of that run on a terminal holds no escape sequence with NO_COLOR.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

extern char** environ;

namespace granary::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<fs::path> files_named(const fs::path& dir, const std::string& part) {
  // Error codes, not exceptions: a running writer renames files while this looks.
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().find(part) != std::string::npos && it->is_regular_file(ec)) found.push_back(it->path());
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

// Starts `args` (stdout and stderr to `log`) as the leader of a new session.
pid_t spawn_in_own_session(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// `ecco synth` (of `size`) and `ecco factors` into DIR/ecco; what failed, or "" when both ran.
std::string make_ecco_inputs(const std::string& dir, const std::string& size) {
  auto r = test::run_granary("ecco synth --out " + dir + "/ecco " + size);
  if (r.exit_code == 0) r = test::run_granary("ecco factors --grid " + dir + "/ecco/grid --out " + dir + "/ecco/factors.bin");
  return r.exit_code == 0 ? "" : r.err;
}

TEST(StaleTemporaries, AnEccoRunKilledWithSigkillIsCleanedUpAndFinishedByTheNextRun) {
  test::TempDir tmp;
  const std::string d = tmp.path().string();
  ASSERT_EQ(make_ecco_inputs(d, "--nx 12 --levels 8 --timesteps 6 --days 6"), "");
  const fs::path products = tmp / "ecco" / "products";

  // The run gets a session of its own, so one SIGKILL reaches its workers too; it is killed
  // as soon as a temporary appears (polled every millisecond), or when ~20 s have passed.
  const pid_t pid = spawn_in_own_session({test::granary_binary(), "ecco", "run", "--config", d + "/ecco/config.yaml", "--jobs",
                                          d + "/ecco/jobs.txt", "-j", "2", "--report", d + "/killed.json"},
                                         tmp / "killed.log");
  ASSERT_GT(pid, 0);
  bool finished = false;
  for (int i = 0; i < 20000 && files_named(products, ".part-").empty(); ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      finished = true;
      break;
    }
    usleep(1000);
  }
  if (!finished) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  // SIGKILL lands asynchronously: wait (boundedly) until no worker of the session runs.
  test::run_command(fmt::format("j=0; while [ $j -lt 500 ] && ps -o stat= --sid {} | grep -qv '^Z'; do j=$((j+1)); sleep 0.01; done", pid));
  // Should the run have ended before a temporary was seen (a fast machine), leave one as a
  // killed run would have (its PID is gone now), so the next run always has one to remove.
  auto parts = files_named(products, ".part-");
  if (parts.empty()) {
    fs::create_directories(products / "native");
    std::ofstream(products / "native" / fmt::format("SSH_1992-01.nc.part-{}-0", static_cast<long>(pid))) << "partial";
    parts = files_named(products, ".part-");
  } else {
    EXPECT_FALSE(finished);
    EXPECT_FALSE(fs::exists(tmp / "killed.json")) << "a killed run wrote its report";
  }
  ASSERT_FALSE(parts.empty());

  // A temporary of a live writer (this test process) is left alone.
  const fs::path live = products / fmt::format("live.nc.part-{}-0", static_cast<long>(getpid()));
  std::ofstream(live) << "being written";

  auto r = test::run_granary("ecco run --config " + d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 2 --report " + d +
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
  ASSERT_EQ(make_ecco_inputs(d, "--nx 8 --levels 2 --timesteps 2 --days 2"), "");
  auto on_terminal = [&](const std::string& env, const std::string& out) {
    return test::run_command("env " + env + " TERM=xterm script -qec \"" + test::granary_binary() + " ecco run --config " +
                             d + "/ecco/config.yaml --jobs " + d + "/ecco/jobs.txt -j 2 --overwrite --report " + d + "/" +
                             out + "\" /dev/null");
  };
  auto r = on_terminal("-u NO_COLOR", "a.json");  // the control: the bar erases with an escape sequence
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
