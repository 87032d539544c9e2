#include "ops/describe/value_stats.hpp"

namespace granary::describe {

nlohmann::json ValueStats::to_json() const {
  auto fraction = [&](std::uint64_t n) { return count_ ? static_cast<double>(n) / static_cast<double>(count_) : 0.0; };
  nlohmann::json j{{"count", count_}, {"valid", valid_}, {"nan_fraction", fraction(nan_)}, {"fill_fraction", fraction(fill_)}};
  if (valid_ > 0) {
    j["min"] = min_;
    j["max"] = max_;
    j["mean"] = static_cast<double>(sum_ / static_cast<long double>(valid_));
  } else {
    j["min"] = j["max"] = j["mean"] = nullptr;
  }
  return j;
}

}  // namespace granary::describe
