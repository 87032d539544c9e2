#pragma once
// Summary statistics of an array's values, gathered block by block so that a variable of any
// size is described in bounded memory. Follows CF/xarray masking: values equal to the fill
// value (or a missing value) and NaNs are not data; min, max and mean are over the rest.
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

namespace granary::describe {

class ValueStats {
 public:
  // One element: `fill` when it equals a declared fill/missing value (checked by the
  // caller on the stored bytes, so that e.g. uint64 fills compare exactly).
  void add(double value, bool fill) {
    ++count_;
    if (fill) ++fill_;
    else if (value != value) ++nan_;
    else {
      ++valid_;
      if (value < min_) min_ = value;
      if (value > max_) max_ = value;
      sum_ += value;
    }
  }
  // `n` elements that are all fill (absent Zarr chunks).
  void add_fill(std::uint64_t n) {
    count_ += n;
    fill_ += n;
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t valid() const { return valid_; }
  // {count, valid, min, max, mean, nan_fraction, fill_fraction}; min/max/mean null without data.
  nlohmann::json to_json() const;

 private:
  std::uint64_t count_ = 0, valid_ = 0, nan_ = 0, fill_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  long double sum_ = 0;  // extended precision: billions of float32 values add up exactly enough
};

}  // namespace granary::describe
