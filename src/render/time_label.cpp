#include "render/time_label.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace granary::render {

std::string format_cf_time(double value, const std::string& units) {
  char unit[32] = {};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const int n = std::sscanf(units.c_str(), "%31s since %d-%d-%d %d:%d:%d", unit, &y, &mo, &d, &h, &mi, &s);
  const std::string u = unit;
  const double per = u == "seconds" ? 1 : u == "minutes" ? 60 : u == "hours" ? 3600 : u == "days" ? 86400 : 0;
  if (n < 4 || per == 0) return fmt::format("{} {}", value, units);
  using namespace std::chrono;
  const sys_seconds epoch = sys_days{year{y} / mo / d} + hours{h} + minutes{mi} + seconds{s};
  const sys_seconds t = epoch + seconds{std::llround(value * per)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count());
}


}  // namespace granary::render
