#include <gtest/gtest.h>

#include <unistd.h>

#include "run/progress.hpp"

namespace granary::run {
namespace {
using nlohmann::json;

TEST(RunProgress, RateAndEtaIgnoreSkippedTasks) {
  ProgressCounts c;
  c.total = 100;
  c.done = 30;
  c.skipped = 10;  // resumed run: 10 outputs already existed
  c.elapsed_seconds = 10;
  EXPECT_DOUBLE_EQ(c.rate(), 2.0);
  EXPECT_DOUBLE_EQ(c.eta_seconds(), 35.0);
  c.done = c.skipped = 10;
  EXPECT_LT(c.eta_seconds(), 0);  // nothing worked yet: unknown
  c.done = 100;
  EXPECT_EQ(c.eta_seconds(), 0.0);
}

TEST(RunProgress, BarShowsCountsFailuresRateAndEta) {
  ProgressCounts c{40, 10, 1, 0, 20.0};
  auto bar = render_progress_bar(c, 20);
  EXPECT_EQ(bar, "[=====>              ] 10/40  25%  1 failed  2.0 s/task  ETA 1m00s");
  c.done = 40;
  c.failed = 0;
  c.elapsed_seconds = 80;
  EXPECT_EQ(render_progress_bar(c, 20), "[====================] 40/40 100%  2.0 s/task  1m20s");
}

TEST(RunProgress, TextAndJsonForLogs) {
  ProgressCounts c{10, 4, 0, 2, 1.0};
  EXPECT_EQ(render_progress_text(c), "4/10 tasks (40%), 2 skipped, 2.0 task/s, ETA 3s");
  auto j = progress_json(c);
  EXPECT_EQ(j.at("done"), 4);
  EXPECT_EQ(j.at("total"), 10);
  EXPECT_DOUBLE_EQ(j.at("eta_seconds").get<double>(), 3.0);
}

TEST(RunProgress, FormatsDurations) {
  EXPECT_EQ(format_duration(4.4), "4s");
  EXPECT_EQ(format_duration(125), "2m05s");
  EXPECT_EQ(format_duration(3 * 3600 + 125), "3h02m");
  EXPECT_EQ(format_duration(-1), "--");
}

TEST(RunProgress, CountsResultsByStatus) {
  Progress p(4, "test", Progress::Style::Off);
  p.add({{"status", "SUCCESS"}});
  p.add({{"status", "FAILED"}, {"error", "x"}});
  p.add({{"status", "SKIP"}});
  p.add(json(7));  // not a result object: counted as done, nothing else
  auto c = p.counts();
  EXPECT_EQ(c.done, 4u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.skipped, 1u);
}

TEST(RunProgress, AutoStyleDrawsABarOnlyOnATerminal) {
  // ctest and CI capture stderr: log lines then, never \r redraws.
  Progress p(1, "test");
  if (isatty(STDERR_FILENO))
    EXPECT_EQ(p.style(), Progress::Style::Bar);
  else
    EXPECT_EQ(p.style(), Progress::Style::Log);
}

}  // namespace
}  // namespace granary::run
