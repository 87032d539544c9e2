#pragma once
// Time values in titles: CF "<unit> since <date>" numbers as calendar times.
#include <string>

namespace granary::render {

// CF "<unit> since YYYY-MM-DD[ HH:MM:SS]" -> "YYYY-MM-DD HH:MM"; the raw value and units if
// the units are not understood. Proleptic Gregorian, no leap seconds (as xarray decodes).
std::string format_cf_time(double value, const std::string& units);

}  // namespace granary::render
