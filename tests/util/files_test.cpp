// files::remove_stale_temporaries: a run killed with -9 leaves "<name>.part-<pid>-<n>" files
// that no rename will claim; a later run removes those of processes that are gone, and
// never those of a live process (another writer may be about to rename them).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::files {
namespace {

namespace fs = std::filesystem;

// The PID of a process that has exited and been reaped: nothing runs under it now.
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "partial";
}

TEST(FilesStaleTemporaries, RemovesOnlyTheTemporariesOfProcessesThatAreGone) {
  test::TempDir tmp;
  const auto dead = dead_pid();
  const fs::path gone = tmp / fmt::format("SSH_1992-01.nc.part-{}-0", dead);
  const fs::path gone_deep = tmp / "latlon" / "mon_mean" / fmt::format("THETA.nc.part-{}-17", dead);
  const fs::path mine = tmp / fmt::format("SALT.nc.part-{}-3", getpid());  // a live writer: this test
  const fs::path init = tmp / "sub" / "x.nc.part-1-0";                      // pid 1 is always alive
  const fs::path product = tmp / "SSH_1992-02.nc";
  const fs::path lookalikes[] = {tmp / fmt::format("a.nc.part-{}", dead), tmp / "b.nc.part-x-1",
                                 tmp / fmt::format(".part-{}-1", dead), tmp / fmt::format("c.part-{}-1x", dead)};
  for (const auto& p : {gone, gone_deep, mine, init, product}) touch(p);
  for (const auto& p : lookalikes) touch(p);

  EXPECT_EQ(remove_stale_temporaries(tmp.path()), 2u);
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_FALSE(fs::exists(gone_deep));
  EXPECT_TRUE(fs::exists(mine));
  EXPECT_TRUE(fs::exists(init));
  EXPECT_TRUE(fs::exists(product));
  for (const auto& p : lookalikes) EXPECT_TRUE(fs::exists(p)) << p;
  EXPECT_EQ(remove_stale_temporaries(tmp.path()), 0u);  // nothing left to do
}

// A killed worker that nobody has reaped yet still has its PID, but will never write again.
TEST(FilesStaleTemporaries, AZombieWriterCountsAsGone) {
  test::TempDir tmp;
  const pid_t child = fork();
  if (child == 0) _exit(0);
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);  // exited, not reaped
  const fs::path part = tmp / fmt::format("x.nc.part-{}-0", child);
  touch(part);
  EXPECT_EQ(remove_stale_temporaries(tmp.path()), 1u);
  EXPECT_FALSE(fs::exists(part));
  waitpid(child, nullptr, 0);
}

TEST(FilesStaleTemporaries, NonRecursiveLeavesSubdirectoriesAlone) {
  test::TempDir tmp;
  const auto dead = dead_pid();
  const fs::path top = tmp / fmt::format("zarr.json.part-{}-0", dead);
  const fs::path chunk = tmp / "12" / "count" / "c" / fmt::format("0.part-{}-4", dead);
  touch(top);
  touch(chunk);
  EXPECT_EQ(remove_stale_temporaries(tmp.path(), /*recursive=*/false), 1u);
  EXPECT_TRUE(fs::exists(chunk));
  EXPECT_EQ(remove_stale_temporaries(tmp.path()), 1u);
  EXPECT_FALSE(fs::exists(chunk));
}

TEST(FilesStaleTemporaries, AMissingDirectoryIsNothingToDo) {
  test::TempDir tmp;
  EXPECT_EQ(remove_stale_temporaries(tmp / "not-yet"), 0u);
  touch(tmp / "file");
  EXPECT_EQ(remove_stale_temporaries(tmp / "file"), 0u);
}

TEST(FilesStaleTemporaries, OwnerIsReadFromTempSiblingNamesOnly) {
  EXPECT_EQ(temporary_owner(temp_sibling("/out/x.nc").filename().string()), getpid());
  EXPECT_EQ(temporary_owner("x.nc.part-4242-7"), 4242);
  EXPECT_EQ(temporary_owner("x.part-1-2.part-99-0"), 99);
  for (const char* name : {"x.nc", "x.nc.part-", "x.nc.part-12", "x.nc.part-12-", "x.nc.part--3", ".part-12-3",
                           "x.nc.part-1a-3", "x.nc.part-12-3b", "x.nc.part-99999999999-0"})
    EXPECT_EQ(temporary_owner(name), 0) << name;
}

// A temporary that a writer is still filling survives a cleanup, and its rename still works.
TEST(FilesStaleTemporaries, ALiveWriterFinishesWhileAnotherRunCleansUp) {
  test::TempDir tmp;
  const fs::path out = tmp / "product.nc";
  publish_atomic(out, [&](const fs::path& part) {
    std::ofstream(part) << "data";
    EXPECT_EQ(remove_stale_temporaries(tmp.path()), 0u);
    EXPECT_TRUE(fs::exists(part));
  });
  EXPECT_EQ(read_text(out), "data");
}

}  // namespace
}  // namespace granary::files
