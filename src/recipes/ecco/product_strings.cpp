#include "recipes/ecco/product_strings.hpp"

#include <charconv>
#include <cmath>

#include "recipes/ecco/config.hpp"
#include "util/error.hpp"

namespace granary::ecco {

ProductStrings::ProductStrings()
    : dataset_description_tail_native(
          " on the native Lat-Lon-Cap 90 (LLC90) model grid from the ECCO Version 4 revision 4 (V4r4) ocean and "
          "sea-ice state estimate."),
      dataset_description_tail_latlon(
          " interpolated to a regular 0.5-degree grid from the ECCO Version 4 revision 4 (V4r4) ocean and sea-ice "
          "state estimate.") {}

ProductStrings ProductStrings::from_map(const std::map<std::string, std::string>& values, const std::string& source) {
  ProductStrings s;
  const std::map<std::string, std::string*> text_keys = {
      {"ecco_version", &s.ecco_version},
      {"product_version", &s.product_version},
      {"model_start_time", &s.model_start_time},
      {"model_end_time", &s.model_end_time},
      {"history", &s.history},
      {"references", &s.references},
      {"source", &s.source},
      {"summary", &s.summary},
      {"doi_prefix", &s.doi_prefix},
      {"doi", &s.doi_prefix},
      {"metadata_link_root", &s.metadata_link_root},
      {"dataset_description_tail_native", &s.dataset_description_tail_native},
      {"dataset_description_tail_latlon", &s.dataset_description_tail_latlon},
      {"grid_label_native", &s.grid_label_native},
      {"grid_label_latlon", &s.grid_label_latlon},
  };
  for (const auto& [key, value] : values) {
    if (auto t = text_keys.find(key); t != text_keys.end()) {
      *t->second = value;
    } else if (key == "geospatial_vertical_min") {
      double v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v))
        fail("{}: geospatial_vertical_min '{}' is not a number", source, value);
      s.geospatial_vertical_min = v;
    } else {
      s.extra[key] = value;
    }
  }
  if (s.ecco_version.empty()) fail("{}: ecco_version is empty", source);
  if (s.grid_label_native.empty() || s.grid_label_latlon.empty()) fail("{}: a grid label is empty", source);
  ModelClock::parse(s.model_start_time, s.model_end_time, source);  // fail early on bad times
  return s;
}

ModelClock ProductStrings::clock() const {
  return ModelClock::parse(model_start_time, model_end_time, "product strings");
}

ProductStrings product_strings_of(const RunConfig& config) {
  auto values = config.product_strings;
  values["ecco_version"] = config.ecco_version;
  values["model_start_time"] = config.model_start_time;
  values["model_end_time"] = config.model_end_time;
  return ProductStrings::from_map(values, config.source.string());
}

}  // namespace granary::ecco
