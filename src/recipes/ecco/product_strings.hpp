#pragma once
// The run-level strings that go into every ECCO product (the original's
// product_generation_config.yaml "Metadata" section): version, model time span, history,
// references, source, summary, DOI prefix, file-name grid labels. Defaults are the V4r4
// production values; a run config overrides them by key.
#include <map>
#include <string>

#include "recipes/ecco/time_axis.hpp"

namespace granary::ecco {

struct RunConfig;  // recipes/ecco/config.hpp

struct ProductStrings {
  std::string ecco_version = "V4r4";
  std::string product_version = "Version 4, Release 4";
  std::string model_start_time = "1992-01-01T12:00:00";  // product_time_coverage_start, timestep 0
  std::string model_end_time = "2017-12-31T12:00:00";    // product_time_coverage_end
  // Empty: keep the value of the global metadata JSON (which carries the V4r4 texts).
  std::string history;
  std::string references;
  std::string source;
  std::string summary;                  // either way the dataset description goes in front
  double geospatial_vertical_min = -6134.5;
  std::string doi_prefix = "10.5067";   // PODAAC-ECG5M-SSH44 -> 10.5067/ECG5M-SSH44
  std::string metadata_link_root = "https://cmr.earthdata.nasa.gov/search/collections.umm_json?ShortName=";
  // "This dataset contains monthly-averaged " + grouping name + tail (V4r4 texts by default).
  std::string dataset_description_tail_native;
  std::string dataset_description_tail_latlon;
  std::string grid_label_native = "llc0090";  // ..._ECCO_V4r4_native_llc0090.nc
  std::string grid_label_latlon = "0p50deg";  // ..._ECCO_V4r4_latlon_0p50deg.nc
  // Other keys. A key that names a global attribute of the metadata (creator_name,
  // license, ...) replaces that attribute's value; global_attributes ignores the rest.
  std::map<std::string, std::string> extra;

  ProductStrings();  // the V4r4 production values

  // The defaults with `values` applied (keys as above; "doi" is accepted for doi_prefix, as
  // in the original config). Fails naming `source` and the key for a non-numeric
  // geospatial_vertical_min or bad model times.
  static ProductStrings from_map(const std::map<std::string, std::string>& values, const std::string& source);

  ModelClock clock() const;  // from model_start_time / model_end_time
};

// from_map of the config's product_strings plus its ecco_version and model times.
ProductStrings product_strings_of(const RunConfig& config);

}  // namespace granary::ecco
