#include <gtest/gtest.h>

#include "recipes/ecco/time_axis.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

TEST(EccoTimeAxis, FirstMonthIsClippedToTheModelStart) {
  auto t = time_info(Frequency::AvgMon, 732);
  ASSERT_TRUE(t.bounds.has_value());
  EXPECT_EQ((*t.bounds)[0], 0);    // 1992-01-01T12:00:00
  EXPECT_EQ((*t.bounds)[1], 732);  // 1992-02-01T00:00:00
  EXPECT_EQ(t.time_hours, 366);
  EXPECT_EQ(t.start_iso, "1992-01-01T12:00:00");
  EXPECT_EQ(t.end_iso, "1992-02-01T00:00:00");
  EXPECT_EQ(t.centre_iso, "1992-01-16T18:00:00");
  EXPECT_EQ(t.file_date, "1992-01");
  EXPECT_EQ(t.coverage_duration, "P1M");
  EXPECT_EQ(t.coverage_resolution, "P1M");
  EXPECT_EQ(t.time_long_name, "center time of averaging period");
}

TEST(EccoTimeAxis, LeapFebruaryIsAWholeMonth) {
  auto t = time_info(Frequency::AvgMon, 1428);  // 1992-03-01T00
  EXPECT_EQ((*t.bounds)[0], 732);
  EXPECT_EQ((*t.bounds)[1], 1428);
  EXPECT_EQ(1428 - 732, 29 * 24);
  EXPECT_EQ(t.time_hours, 1080);
  EXPECT_EQ(t.centre_iso, "1992-02-15T12:00:00");
  EXPECT_EQ(t.file_date, "1992-02");
}

TEST(EccoTimeAxis, MonthSubtractionClampsTheDay) {
  // An end on 1992-03-31T00 starts on 1992-02-29T00, as dateutil.relativedelta(months=1).
  const std::int64_t end = 1428 + 30 * 24;
  auto t = time_info(Frequency::AvgMon, end);
  EXPECT_EQ(t.end_iso, "1992-03-31T00:00:00");
  EXPECT_EQ(t.start_iso, "1992-02-29T00:00:00");
}

TEST(EccoTimeAxis, DailyMeans) {
  auto first = time_info(Frequency::AvgDay, 12);  // ends 1992-01-02T00
  EXPECT_EQ((*first.bounds)[0], 0);
  EXPECT_EQ((*first.bounds)[1], 12);
  EXPECT_EQ(first.time_hours, 6);
  EXPECT_EQ(first.file_date, "1992-01-01");
  EXPECT_EQ(first.coverage_duration, "P1D");

  auto second = time_info(Frequency::AvgDay, 36);
  EXPECT_EQ((*second.bounds)[0], 12);
  EXPECT_EQ((*second.bounds)[1], 36);
  EXPECT_EQ(second.time_hours, 24);
  EXPECT_EQ(second.start_iso, "1992-01-02T00:00:00");
  EXPECT_EQ(second.centre_iso, "1992-01-02T12:00:00");
  EXPECT_EQ(second.file_date, "1992-01-02");
}

TEST(EccoTimeAxis, LastPeriodsEndAtTheModelEnd) {
  const auto clock = ModelClock::v4r4();
  const std::int64_t end = (clock.end - clock.start) / std::chrono::hours(1);
  EXPECT_EQ(end, 227904);  // 2017-12-31T12:00:00

  auto last_day = time_info(Frequency::AvgDay, end);
  EXPECT_EQ(last_day.start_iso, "2017-12-31T00:00:00");
  EXPECT_EQ(last_day.end_iso, "2017-12-31T12:00:00");
  EXPECT_EQ(last_day.file_date, "2017-12-31");

  auto day_before = time_info(Frequency::AvgDay, end - 12);  // ends 2017-12-31T00: an ordinary day
  EXPECT_EQ(day_before.start_iso, "2017-12-30T00:00:00");
  EXPECT_EQ(day_before.end_iso, "2017-12-31T00:00:00");

  auto last_month = time_info(Frequency::AvgMon, end);
  EXPECT_EQ(last_month.start_iso, "2017-12-01T00:00:00");
  EXPECT_EQ(last_month.file_date, "2017-12");
}

TEST(EccoTimeAxis, SnapshotsAreInstants) {
  auto t = time_info(Frequency::Snap, 12);
  EXPECT_FALSE(t.bounds.has_value());
  EXPECT_EQ(t.time_hours, 12);
  EXPECT_EQ(t.start_iso, "1992-01-02T00:00:00");
  EXPECT_EQ(t.end_iso, t.start_iso);
  EXPECT_EQ(t.file_date, "1992-01-02T000000");
  EXPECT_EQ(t.coverage_duration, "P0S");
  EXPECT_EQ(t.time_long_name, "snapshot time");
  EXPECT_EQ(time_info(Frequency::Snap, 0).file_date, "1992-01-01T120000");
}

TEST(EccoTimeAxis, RejectsImpossibleTimesteps) {
  EXPECT_THROW(time_info(Frequency::AvgMon, -1), Error);
  EXPECT_THROW(time_info(Frequency::AvgDay, 0), Error);                       // empty period
  EXPECT_THROW(time_info(Frequency::Snap, std::int64_t{1} << 40), Error);      // beyond int32 hours
  auto odd = ModelClock::parse("1992-01-01T12:30:00", "2000-01-01T00:00:00", "test");
  EXPECT_THROW(time_info(Frequency::AvgMon, 731, odd), Error);                // start at 00:00 is not whole hours
}

TEST(EccoTimeAxis, ParsesAndFormatsIsoTimes) {
  auto t = parse_iso_time("1992-01-01T12:00:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(iso_time(*t), "1992-01-01T12:00:00");
  EXPECT_EQ(iso_time(*parse_iso_time("2017-12-31 12:00")), "2017-12-31T12:00:00");
  EXPECT_EQ(iso_time(*parse_iso_time("2018-01-01")), "2018-01-01T00:00:00");
  EXPECT_TRUE(parse_iso_time("1992-01-01T12:00:00.000Z"));
  EXPECT_FALSE(parse_iso_time("1992-01-01T12:00:00.5"));
  EXPECT_FALSE(parse_iso_time("1992-02-30T00:00:00"));
  EXPECT_FALSE(parse_iso_time("yesterday"));
  EXPECT_EQ(ModelClock::v4r4().time_units(), "hours since 1992-01-01 12:00:00");
  try {
    ModelClock::parse("1992-01-01T12:00:00", "1991-01-01T00:00:00", "run.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("run.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace granary::ecco
