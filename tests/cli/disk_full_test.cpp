// Issue 13, capability 6: a run whose outputs land on a full or read-only filesystem fails
// those jobs with a message naming the file and the cause and exits 3, leaves no partial or
// temporary file visible, and a rerun once space is back resumes and completes the outputs.
// The filesystem is a small tmpfs mounted in a private user and mount namespace (unshare), so
// no root is needed; the granary runs happen inside that namespace, in one shell script.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/product_compare.hpp"
#include "support/small_inputs.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;

bool can_mount_tmpfs() {
  static const bool ok =
      test::run_command("unshare --user --map-root-user --mount sh -c 'mount -t tmpfs -o size=64k tmpfs /tmp' 2>&1").exit_code == 0;
  return ok;
}

#define GRANARY_REQUIRE_TMPFS()                                                                              \
  if (!can_mount_tmpfs())                                                                                    \
  GTEST_SKIP() << "unshare --user --map-root-user --mount (to mount a small tmpfs without root) is not "      \
                  "permitted here (user namespaces disabled?)"

std::string read_or_empty(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec) ? files::read_text(p) : std::string();
}

int rc(const fs::path& p) {
  const auto text = read_or_empty(p);
  return text.empty() ? -1 : std::stoi(text);
}

// "path inode" lines -> {path: inode}.
std::map<std::string, std::string> inodes(const fs::path& p) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_or_empty(p));
  std::string path, inode;
  while (in >> path >> inode) out[path] = inode;
  return out;
}

class DiskFull : public test::SmallInputsTest<DiskFull> {
 protected:
  // An ECCO config beside the demo's with its products in `products`.
  static fs::path ecco_config(const std::string& name, const fs::path& products) {
    const auto text =
        test::with_config_key(files::read_text(dir() / "ecco" / "config.yaml"), "processed_output_dir", products.string());
    const auto path = dir() / "ecco" / (name + ".yaml");
    files::write_atomic(path, text);
    return path;
  }

  static std::string atl06_catalog() { return (dir() / "atl06" / "catalog.json").string(); }

  // The store a plain `atl06 run` writes into an ordinary directory, to compare with.
  static fs::path atl06_reference(const std::string& name) {
    const auto ref = dir() / name;
    const auto r = test::run_granary("--log-level warn atl06 run -j 1 --catalog " + atl06_catalog() + " --out " + ref.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ref;
  }

  // Runs `script` (sh) in a private user and mount namespace in which a tmpfs of `size_kib`
  // is mounted at $M (= dir()/name/mnt); $OUT (= dir()/name/out) is an ordinary directory for
  // what the script records. Returns $OUT.
  static fs::path in_tmpfs(const std::string& name, int size_kib, const std::string& script) {
    const auto base = dir() / name;
    fs::create_directories(base / "mnt");
    fs::create_directories(base / "out");
    const std::string text = "set -u\nM='" + (base / "mnt").string() + "'\nOUT='" + (base / "out").string() +
                             "'\nG='" + test::granary_binary() + "'\nmount -t tmpfs -o size=" +
                             std::to_string(size_kib) + "k tmpfs \"$M\" || exit 97\n" + script;
    files::write_atomic(base / "script.sh", text);
    const auto r = test::run_command("unshare --user --map-root-user --mount sh " + (base / "script.sh").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return base / "out";
  }

};

// What every scenario records: the run on the tiny tmpfs (1), its files and temporaries, the
// rerun after the tmpfs grew (2) and a copy of its outputs, and a run into a directory of the
// tmpfs remounted read-only (3). The test's shell function run() runs granary with its outputs
// in $1.
const char* kScenario = R"(
run "$M/out" >"$OUT/1.out" 2>"$OUT/1.err"; echo $? >"$OUT/1.rc"
find "$M" -name '*.part-*' >"$OUT/1.parts"
find "$M" -type f ! -name '*.part-*' -exec stat -c '%n %i' {} + | sed "s|^$M/||" >"$OUT/1.files"
df -k "$M" >"$OUT/1.df"
mount -o remount,size=64m "$M" || exit 98
run "$M/out" >"$OUT/2.out" 2>"$OUT/2.err"; echo $? >"$OUT/2.rc"
find "$M" -type f -exec stat -c '%n %i' {} + | sed "s|^$M/||" >"$OUT/2.files"
cp -a "$M/out" "$OUT/copy"
mkdir "$M/ro"
mount -o remount,ro "$M" || exit 99
run "$M/ro/out" >"$OUT/3.out" 2>"$OUT/3.err"; echo $? >"$OUT/3.rc"
)";

// Checks the three runs: exit 3 naming the file and "disk full", nothing partial, the rerun
// resumes (the first run's outputs whose path holds `kept_marker` are kept as they were) and
// exits 0, and "read-only" exit 3.
void expect_scenario(const fs::path& out, const std::string& kept_marker) {
  const auto err1 = read_or_empty(out / "1.err");
  EXPECT_EQ(rc(out / "1.rc"), 3) << err1 << read_or_empty(out / "1.df");
  EXPECT_NE(err1.find("no space left on device (disk full"), std::string::npos) << err1;
  EXPECT_NE(err1.find("/mnt/out/"), std::string::npos) << "the message names the file:\n" << err1;
  EXPECT_EQ(read_or_empty(out / "1.parts"), "") << "temporary files left visible";

  const auto err2 = read_or_empty(out / "2.err");
  EXPECT_EQ(rc(out / "2.rc"), 0) << err2;
  // Resumed: what the first run finished is kept (same inode: not written again).
  const auto before = inodes(out / "1.files");
  const auto after = inodes(out / "2.files");
  std::size_t kept = 0;
  for (const auto& [path, inode] : before) {
    if (path.find(kept_marker) == std::string::npos) continue;
    auto it = after.find(path);
    ASSERT_NE(it, after.end()) << path;
    EXPECT_EQ(it->second, inode) << path << " was written again";
    ++kept;
  }
  EXPECT_GT(after.size(), before.size());

  const auto err3 = read_or_empty(out / "3.err");
  EXPECT_EQ(rc(out / "3.rc"), 3) << err3;
  EXPECT_NE(err3.find("read-only file system"), std::string::npos) << err3;
  EXPECT_NE(err3.find("/mnt/ro/out"), std::string::npos) << err3;
  EXPECT_GT(kept, 0u) << "the tmpfs should fill up part way, after some outputs were finished";
}

TEST_F(DiskFull, EccoRunFailsWithExitThreeLeavesNothingPartialAndResumes) {
  GRANARY_REQUIRE_TMPFS();
  const auto jobs = (dir() / "ecco" / "jobs.txt").string();
  // Reference products into an ordinary directory.
  const auto ref = dir() / "ecco-ref";
  auto r = test::run_granary("--log-level warn ecco run -j 1 --config " + ecco_config("ref", ref).string() + " --jobs " + jobs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(test::files_under(ref).empty());
  // The config names the products directory: run() writes one for $1 (beside the demo's, so
  // its relative paths hold); the reports go to $OUT, off the tmpfs.
  const auto demo = dir() / "ecco";
  const std::string script = "run() {\n  sed \"s|^processed_output_dir:.*|processed_output_dir: $1|\" '" +
                             (demo / "config.yaml").string() + "' >'" + (demo / "tmpfs.yaml").string() +
                             "'\n  \"$G\" --log-level warn ecco run -j 1 --config '" + (demo / "tmpfs.yaml").string() +
                             "' --jobs '" + jobs + "' --report \"$OUT/report-$(date +%s%N).json\"\n}\n" + kScenario;
  // Products are 66-150 kB: 300 KiB holds a few before the disk is full.
  const auto out = in_tmpfs("ecco-tmpfs", 300, script);
  expect_scenario(out, ".nc");
  EXPECT_NE(read_or_empty(out / "1.err").find(".nc"), std::string::npos);
  test::expect_same_products(out / "copy", ref);
}

TEST_F(DiskFull, Atl06RunFailsWithExitThreeLeavesNothingPartialAndResumes) {
  GRANARY_REQUIRE_TMPFS();
  const auto catalog = atl06_catalog();
  const auto ref = atl06_reference("atl06-ref.zarr");
  const std::string script = "run() {\n  \"$G\" --log-level warn atl06 run -j 1 --catalog '" + catalog +
                             "' --report \"$OUT/report.json\" --out \"$1\"\n}\n" + kScenario;
  // The store's metadata and one cell's chunks (4 KiB pages each) fit in 180 KiB, not three cells.
  const auto out = in_tmpfs("atl06-tmpfs", 180, script);
  // Cells the first run finished are not run again: their .granary status records stay as they
  // were (the chunks of a cell it failed part way are rewritten, as they should be).
  expect_scenario(out, ".granary/");
  test::expect_same_zarr(out / "copy", ref);
}

// The same through a plan, as an engine's array tasks run it: a unit whose cells fill the disk
// exits 3 (a resource, not the input: the engine may retry the task), leaves nothing partial,
// and the same units run again once the disk has grown finish the store, equal to a plain run.
TEST_F(DiskFull, Atl06PlanUnitsFailWithExitThreeAndRerunsFinishTheStore) {
  GRANARY_REQUIRE_TMPFS();
  const auto catalog = atl06_catalog();
  const auto ref = atl06_reference("atl06-plan-ref.zarr");
  // The plan lives off the tmpfs (an engine's plan is on shared storage); the store on it.
  const std::string script =
      "\"$G\" --log-level warn plan atl06 --catalog '" + catalog +
      "' --out \"$M/out\" --plan \"$OUT/plan\" --units 3 2>\"$OUT/plan.err\" || exit 96\n"
      "units() { for i in 0 1 2; do \"$G\" --log-level warn work \"$OUT/plan\" --index $i -j 1 2>>\"$OUT/$1.err\"; "
      "echo $? >>\"$OUT/$1.rc\"; done; }\n"
      "units 1\n"
      "find \"$M\" -name '*.part-*' >\"$OUT/1.parts\"\n"
      "\"$G\" status \"$OUT/plan\" >\"$OUT/1.status\" 2>&1; echo $? >\"$OUT/1.status.rc\"\n"
      "mount -o remount,size=64m \"$M\" || exit 98\n"
      "units 2\n"
      "cp -a \"$M/out\" \"$OUT/copy\"\n";
  const auto out = in_tmpfs("atl06-plan-tmpfs", 180, script);
  ASSERT_EQ(read_or_empty(out / "plan.err"), "");

  const auto err1 = read_or_empty(out / "1.err");
  const auto rc1 = read_or_empty(out / "1.rc");
  EXPECT_NE(rc1.find('3'), std::string::npos) << rc1 << err1;
  for (char c : rc1) EXPECT_TRUE(c == '0' || c == '3' || c == '\n') << "unit exit codes:\n" << rc1 << err1;
  EXPECT_NE(err1.find("no space left on device (disk full"), std::string::npos) << err1;
  EXPECT_EQ(read_or_empty(out / "1.parts"), "") << "temporary files left visible";
  // The plan says which jobs failed (for `granary retry`) and which finished before the disk filled.
  const auto status = read_or_empty(out / "1.status");
  EXPECT_EQ(read_or_empty(out / "1.status.rc"), "0\n") << status;
  EXPECT_NE(status.find(" FAILED"), std::string::npos) << status;
  EXPECT_NE(status.find(" SUCCESS"), std::string::npos) << "the tmpfs should fill part way:\n" << status;

  const auto rc2 = read_or_empty(out / "2.rc");
  EXPECT_EQ(rc2, "0\n0\n0\n") << read_or_empty(out / "2.err");
  test::expect_same_zarr(out / "copy", ref);
}

}  // namespace
}  // namespace granary
