#include "recipes/ecco/time_axis.hpp"

#include <limits>

#include <fmt/format.h>

#include "recipes/ecco/iso_text.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

using namespace std::chrono;

constexpr seconds kHour{3600};
constexpr seconds kDay{86400};

struct Civil {
  year_month_day date;
  hh_mm_ss<seconds> time;
};

Civil civil(TimePoint t) {
  auto day = floor<days>(t);
  return {year_month_day{day}, hh_mm_ss<seconds>{t - day}};
}

// relativedelta(months=1) semantics: the same day of the previous month, clamped to its length.
TimePoint minus_one_month(TimePoint t) {
  auto c = civil(t);
  year_month_day previous = c.date - months{1};
  if (!previous.ok()) previous = previous.year() / previous.month() / last;
  return sys_days{previous} + c.time.to_duration();
}

std::string date_text(TimePoint t, bool with_day) {
  auto c = civil(t);
  int y = static_cast<int>(c.date.year());
  unsigned m = static_cast<unsigned>(c.date.month());
  unsigned d = static_cast<unsigned>(c.date.day());
  return with_day ? fmt::format("{:04}-{:02}-{:02}", y, m, d) : fmt::format("{:04}-{:02}", y, m);
}

// Whole hours from the model start, as the int32 the products store.
std::int32_t hours_since(TimePoint t, const ModelClock& clock, Frequency f, std::int64_t timestep,
                         const char* what) {
  auto offset = t - clock.start;
  if (offset % kHour != seconds{0})
    fail("timestep {} ({}): the {} {} is not a whole number of hours after the model start {}", timestep,
         to_string(f), what, iso_time(t), iso_time(clock.start));
  auto hours = offset / kHour;
  if (hours < std::numeric_limits<std::int32_t>::min() || hours > std::numeric_limits<std::int32_t>::max())
    fail("timestep {} ({}): the {} does not fit the int32 time axis", timestep, to_string(f), what);
  return static_cast<std::int32_t>(hours);
}

}  // namespace

std::optional<TimePoint> parse_iso_time(const std::string& text) {
  auto m = split_iso_text(text);
  if (!m) return std::nullopt;
  if (m->fraction && m->fraction->find_first_not_of('0') != std::string::npos) return std::nullopt;
  year_month_day date{year{std::stoi(m->year)}, month{static_cast<unsigned>(std::stoi(m->month))},
                      day{static_cast<unsigned>(std::stoi(m->day))}};
  int hour = m->hour ? std::stoi(*m->hour) : 0;
  int minute = m->minute ? std::stoi(*m->minute) : 0;
  int second = m->second ? std::stoi(*m->second) : 0;
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
}

std::string iso_time(TimePoint t) {
  auto c = civil(t);
  return fmt::format("{}T{:02}:{:02}:{:02}", date_text(t, true), c.time.hours().count(), c.time.minutes().count(),
                     c.time.seconds().count());
}

ModelClock ModelClock::parse(const std::string& start_iso, const std::string& end_iso, const std::string& source) {
  auto start = parse_iso_time(start_iso);
  if (!start) fail("{}: model_start_time '{}' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)", source, start_iso);
  auto end = parse_iso_time(end_iso);
  if (!end) fail("{}: model_end_time '{}' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)", source, end_iso);
  if (*end <= *start) fail("{}: model_end_time {} is not after model_start_time {}", source, end_iso, start_iso);
  return {*start, *end};
}

ModelClock ModelClock::v4r4() { return parse("1992-01-01T12:00:00", "2017-12-31T12:00:00", "ECCO V4r4 model clock"); }

std::string ModelClock::time_units() const {
  auto text = iso_time(start);
  text[10] = ' ';
  return "hours since " + text;
}

TimeInfo time_info(Frequency frequency, std::int64_t timestep, const ModelClock& clock) {
  if (timestep < 0) fail("timestep {} ({}): timesteps count hours from the model start and cannot be negative",
                         timestep, to_string(frequency));
  constexpr std::int64_t kMaxHours = std::numeric_limits<std::int32_t>::max();
  if (timestep > kMaxHours)
    fail("timestep {} ({}): beyond the int32 hours of the time axis", timestep, to_string(frequency));

  TimeInfo info;
  info.frequency = frequency;
  info.timestep = timestep;
  const TimePoint end = clock.start + hours{timestep};

  if (frequency == Frequency::Snap) {
    info.time_hours = static_cast<std::int32_t>(timestep);
    info.start_iso = info.end_iso = info.centre_iso = iso_time(end);
    auto c = civil(end);
    info.file_date = fmt::format("{}T{:02}{:02}{:02}", date_text(end, true), c.time.hours().count(),
                                 c.time.minutes().count(), c.time.seconds().count());
    info.coverage_duration = info.coverage_resolution = "P0S";
    info.time_long_name = "snapshot time";
    return info;
  }

  TimePoint start = frequency == Frequency::AvgMon ? minus_one_month(end) : end - kDay;
  // The last period ends at the model end time; when that is not a midnight, the period
  // starts on the following midnight boundary, like every other period.
  auto end_time_of_day = clock.end - floor<days>(clock.end);
  if (end == clock.end && end_time_of_day != seconds{0}) start += kDay - end_time_of_day;
  if (start < clock.start) start = clock.start;
  if (start >= end)
    fail("timestep {} ({}): the averaging period [{}, {}] is empty", timestep, to_string(frequency), iso_time(start),
         iso_time(end));
  const TimePoint centre = start + (end - start) / 2;

  info.bounds = std::array<std::int32_t, 2>{hours_since(start, clock, frequency, timestep, "period start"),
                                            hours_since(end, clock, frequency, timestep, "period end")};
  info.time_hours = hours_since(centre, clock, frequency, timestep, "period centre");
  info.start_iso = iso_time(start);
  info.end_iso = iso_time(end);
  info.centre_iso = iso_time(centre);
  // The original names files after the centre of the period (the month or day it averages).
  info.file_date = date_text(centre, frequency == Frequency::AvgDay);
  info.coverage_duration = info.coverage_resolution = frequency == Frequency::AvgMon ? "P1M" : "P1D";
  info.time_long_name = "center time of averaging period";
  return info;
}

}  // namespace granary::ecco
