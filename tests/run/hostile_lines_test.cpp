// Lines and names that come from the network or the command line, long enough that
// libstdc++'s std::regex (one recursion per character) overflowed the stack on them: the
// linear scans that replaced it read them, with the answers the regexes gave on short ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <string>

#include <fmt/format.h>

#include "io/file_store.hpp"
#include "run/lambda_log_lines.hpp"
#include "run/plan.hpp"
#include "run/plan_report.hpp"
#include "run/report_summary.hpp"
#include "support/test_support.hpp"

namespace granary::run {
namespace {

const std::string kMegabyte(1 << 20, 'x');

TEST(HostileLines, CloudWatchLinesOfAMegabyte) {
  // A REPORT line whose request id is a megabyte long.
  auto r = lambda::parse_report_line("REPORT RequestId: " + kMegabyte + "\tDuration: 2.05 ms\tMemory Size: 128 MB\t");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id.size(), kMegabyte.size());
  EXPECT_DOUBLE_EQ(r->duration_ms, 2.05);
  EXPECT_FALSE(lambda::parse_report_line("REPORT RequestId: " + kMegabyte));
  // A timed-out line whose id is a megabyte, and a megabyte of text without one.
  auto t = lambda::parse_timeout_line(kMegabyte + " Task timed out after 900.00 seconds");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->request_id == kMegabyte);
  EXPECT_DOUBLE_EQ(t->seconds, 900);
  EXPECT_FALSE(lambda::parse_timeout_line(kMegabyte));
  EXPECT_FALSE(lambda::parse_timeout_line(std::string(1 << 20, ' ') + "Task timed out after 1 seconds"));
  // Runtime exits: a megabyte id, a megabyte of "RequestId:" in one word, a megabyte of
  // "RequestId: " words before the line that counts.
  auto e = lambda::parse_runtime_exit_line("RequestId: " + kMegabyte + " Error: Runtime exited with error: signal: killed");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->request_id == kMegabyte);
  EXPECT_TRUE(e->killed);
  std::string words, word;
  for (int i = 0; i < 100000; ++i) word += "RequestId:";
  EXPECT_FALSE(lambda::parse_runtime_exit_line(word + " Runtime"));
  e = lambda::parse_runtime_exit_line(word + " Process exited before completing request");
  ASSERT_TRUE(e);  // the id is the rest of the word after its first "RequestId:", as the regex read it
  EXPECT_EQ(e->request_id.size(), word.size() - 10);
  for (int i = 0; i < 100000; ++i) words += "RequestId: ";
  e = lambda::parse_runtime_exit_line(words + "r1 Process exited before completing request");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->request_id, "r1");
}

TEST(HostileLines, TimeoutAndExitLinesReadAsTheRegexesDid) {
  auto t = lambda::parse_timeout_line("a Error: Task timed out after 3 seconds");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->request_id, "a");  // the id before "Error:"
  t = lambda::parse_timeout_line("Error: Task timed out after 3 seconds");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->request_id, "Error:");  // nothing before it: "Error:" is the id
  EXPECT_FALSE(lambda::parse_timeout_line("a xTask timed out after 3 seconds"));
  EXPECT_FALSE(lambda::parse_timeout_line("a Task timed out after x seconds"));
  t = lambda::parse_timeout_line("a Task timed out after x seconds b Task timed out after 7.5 seconds");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->request_id, "b");
  EXPECT_DOUBLE_EQ(t->seconds, 7.5);
  auto e = lambda::parse_runtime_exit_line("RequestId:r2\tError:Runtime exited oops\r\nRuntime.OutOfMemory");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->request_id, "r2");
  EXPECT_EQ(e->detail, "Runtime exited oops");
  EXPECT_TRUE(e->out_of_memory);
  EXPECT_FALSE(lambda::parse_runtime_exit_line("RequestId: r3Process exited"));
}

TEST(HostileLines, FailureReasonsGeneralisedInLinearTime) {
  EXPECT_EQ(generalise_reason("a" + std::string(200000, '/') + "b: bad"), "<file>: bad");
  EXPECT_TRUE(generalise_reason(kMegabyte) == kMegabyte);
  EXPECT_EQ(generalise_reason("s3://" + kMegabyte + " failed"), "<file> failed");
  EXPECT_EQ(generalise_reason(std::string(1 << 20, '7') + " bytes"), "<n> bytes");
  EXPECT_EQ(generalise_reason("-" + std::string(1 << 20, '7') + ".5e-3"), "<n>");
  // As the regexes did: URLs after a word, numbers at word boundaries only.
  EXPECT_EQ(generalise_reason("see:xhttps://h/a?b=1 now"), "see:x<file> now");
  EXPECT_EQ(generalise_reason("http://"), "http:<file>");  // no URL, but "//" is a path
  EXPECT_EQ(generalise_reason("v2 1.5x a-5 1e5, -3.5e-2; 2.0e"), "v2 <n>.5x a<n> <n>, <n>; <n>.0e");
}

TEST(HostileLines, RetryPlansTopPlan) {
  EXPECT_EQ(top_plan("s3://b/p/retry-12//"), "s3://b/p");
  EXPECT_EQ(top_plan("/p/retry-1/retry-2"), "/p/retry-1");
  EXPECT_EQ(top_plan("/retry-1"), "");
  EXPECT_EQ(top_plan("/p/retry-"), "/p/retry-");
  EXPECT_EQ(top_plan("/p/retry-1x"), "/p/retry-1x");
  EXPECT_EQ(top_plan("/p\n/retry-1"), "/p\n/retry-1");
  EXPECT_TRUE(top_plan(std::string(200000, '/') + "retry-3") == std::string(199999, '/'));
  EXPECT_TRUE(top_plan(std::string(200000, '/')) == std::string(200000, '/'));
}

TEST(HostileLines, SlurmLogNamesWithHugeNumbersAreSkipped) {
  test::TempDir tmp;
  io::FileStore dir(tmp / "p");
  PlanHeader h;
  h.recipe = "ecco";
  std::vector<PlannedJob> jobs;
  for (int i = 0; i < 2; ++i) jobs.push_back({fmt::format("{:06d}", i), "job", nlohmann::json::object()});
  write_plan(dir, h, split_into_units(jobs, 1));
  auto put = [&](const std::string& key, const std::string& text) { dir.put(key, std::as_bytes(std::span(text.data(), text.size()))); };
  put("logs/slurm-" + std::string(40, '9') + "_0.err", "slurmstepd: error: *** JOB 9 ON n CANCELLED AT 2026 ***\n");
  put("logs/slurm-7_" + std::string(40, '9') + ".err", "slurmstepd: error: *** JOB 7 ON n CANCELLED AT 2026 ***\n");
  put("logs/slurm-7_1.err", "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=7_1.batch.\n");
  put("logs/slurm-7__1.err", "slurmstepd: error: *** JOB 7 ON n CANCELLED AT 2026 ***\n");
  const auto state = read_plan_state(dir);
  ASSERT_EQ(state.unit_log_reasons.size(), 1u);
  EXPECT_THAT(state.unit_log_reasons.at(1), testing::HasSubstr("out of memory"));
}

}  // namespace
}  // namespace granary::run
