#pragma once
// The ECCO time axis. A model timestep is a whole number of hours since the model start
// (1992-01-01T12:00:00 for V4r4) and marks the END of an averaging period, or the instant
// of a snapshot. Products store time as int32 "hours since <model start>".
//
// Means, as the original (ecco_v4_py make_time_bounds_from_ds64 + ECCO-Dataset-Production):
//   AVG_MON: [end - 1 calendar month (day clamped to the month's length), end]
//   AVG_DAY: [end - 24 h, end]
//   a period that would start before the model start is clipped to it (January 1992 is
//   [1992-01-01T12, 1992-02-01T00] = hours [0, 732]); the period that ends at the model end
//   time, when that is not midnight, starts at the following midnight boundary (the last
//   V4r4 day is [2017-12-31T00, 2017-12-31T12]). The time coordinate is the centre of the
//   (clipped) period. Snapshots: time = the instant, no bounds.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "recipes/ecco/grouping.hpp"

namespace granary::ecco {

using TimePoint = std::chrono::sys_seconds;

// "YYYY-MM-DD[THH:MM[:SS[.000]]][Z]" (also with a space instead of T) -> time point;
// nullopt when the text is not such a time or has non-zero fractional seconds.
std::optional<TimePoint> parse_iso_time(const std::string& text);
// "YYYY-MM-DDTHH:MM:SS" (what the original writes into time_coverage_* attributes).
std::string iso_time(TimePoint t);

struct ModelClock {
  TimePoint start;  // timestep 0: the epoch of the time axis
  TimePoint end;    // the end of the last averaging period
  // Fails naming `source` when a time does not parse or end <= start.
  static ModelClock parse(const std::string& start_iso, const std::string& end_iso, const std::string& source);
  // V4r4: model_start_time 1992-01-01T12:00:00, model_end_time 2017-12-31T12:00:00.
  static ModelClock v4r4();
  // "hours since 1992-01-01 12:00:00"
  std::string time_units() const;
};

struct TimeInfo {
  Frequency frequency = Frequency::AvgMon;
  std::int64_t timestep = 0;
  std::int32_t time_hours = 0;                              // the time coordinate (centre or instant)
  std::optional<std::array<std::int32_t, 2>> bounds;        // time_bnds, means only
  std::string start_iso, end_iso, centre_iso;               // time_coverage_start/_end; SNAP: all the instant
  std::string file_date;                                    // "1992-01", "1992-01-01", "1992-01-02T000000"
  std::string coverage_duration;                            // "P1M" | "P1D" | "P0S"
  std::string coverage_resolution;                          // same as the duration, as the original
  std::string time_long_name;                               // "center time of averaging period" | "snapshot time"
};

// Fails (granary::Error) for a negative timestep, a mean whose period is empty, or times that
// are not whole hours from the model start or do not fit int32.
TimeInfo time_info(Frequency frequency, std::int64_t timestep, const ModelClock& clock = ModelClock::v4r4());

}  // namespace granary::ecco
