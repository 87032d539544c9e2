#include "recipes/ecco/naming.hpp"

#include <fmt/format.h>

namespace granary::ecco {

std::string period_token(Frequency f) {
  switch (f) {
    case Frequency::AvgMon: return "mon_mean";
    case Frequency::AvgDay: return "day_mean";
    case Frequency::Snap: return "snap";
  }
  return "?";
}

std::string grid_label(Product p, const ProductStrings& strings) {
  return p == Product::Latlon ? strings.grid_label_latlon : strings.grid_label_native;
}

std::string product_file_name(const Grouping& grouping, const TimeInfo& time, const ProductStrings& strings) {
  return fmt::format("{}_{}_{}_ECCO_{}_{}_{}.nc", grouping.filename, period_token(time.frequency), time.file_date,
                     strings.ecco_version, to_string(grouping.product), grid_label(grouping.product, strings));
}

std::string product_relative_dir(const Grouping& grouping, Frequency frequency) {
  // The directory level uses the model-output suffix (day_inst for snapshots), as the original.
  return fmt::format("{}/{}/{}", to_string(grouping.product), layout_of(frequency).suffix, grouping.filename);
}

std::string product_relative_path(const Grouping& grouping, const TimeInfo& time, const ProductStrings& strings) {
  return product_relative_dir(grouping, time.frequency) + "/" + product_file_name(grouping, time, strings);
}

bool DatasetFilePattern::matches(const std::string& file_name) const {
  return file_name.size() >= head.size() + tail.size() && file_name.compare(0, head.size(), head) == 0 &&
         file_name.compare(file_name.size() - tail.size(), tail.size(), tail) == 0;
}

DatasetFilePattern dataset_file_pattern(const Grouping& grouping, Frequency frequency, const ProductStrings& strings) {
  return {fmt::format("{}_{}_", grouping.filename, period_token(frequency)),
          fmt::format("_{}_{}.nc", to_string(grouping.product), grid_label(grouping.product, strings))};
}

}  // namespace granary::ecco
