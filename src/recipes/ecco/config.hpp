#pragma once
// The ECCO run configuration (a small YAML file): where the model output, grid, metadata and
// mapping factors live, where products go, the model time span, and free-form product
// strings (history, references, source, summary, creator_*, ...) copied into the outputs.
// Locations are local paths or s3:// URIs (recipes/ecco/locations.hpp), kept as strings.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace granary::ecco {

struct RunConfig {
  std::filesystem::path source;                // the YAML file this was read from
  std::string ecco_version;                    // "V4r4"
  std::string model_output_dir;      // holds diags_monthly/, diags_daily/, diags_inst/
  std::string processed_output_dir;  // products (and reports/) are written here
  std::string mapping_factors;       // file written by `granary ecco factors`
  std::string metadata_dir;          // ECCO{version}_*.json metadata
  std::optional<std::string> podaac_csv;
  std::string grid_dir;              // MDS grid (XC, YC, Depth, ...)
  std::string model_start_time;                // ISO 8601, e.g. "1992-01-01T12:00:00"
  std::string model_end_time;
  // Key `grid_mapping` (true/false, default false; `granary ecco run --grid-mapping` also
  // sets it): lat-lon products get a CF `crs` variable (WGS 84) and `grid_mapping` on their
  // data variables. Off, they are what the original makes; native products never get one.
  bool grid_mapping = false;
  // Every other scalar key, verbatim (values are strings even when YAML reads a number).
  std::map<std::string, std::string> product_strings;
};

// Parses YAML text; relative paths resolve against source's directory, and `source` names
// the file in every error (bad YAML with its line, missing key, wrong type, bad time, a
// location with a scheme other than s3://, e.g. gs:// or https://, a grid_mapping that is not
// true or false). `file://` paths are local.
RunConfig parse_run_config(const std::string& yaml_text, const std::filesystem::path& source);
// Also refuses a local location the OS cannot even look up (a component over 255 bytes, a
// permission denied on the way), naming the file and the key, instead of a filesystem_error.
RunConfig load_run_config(const std::filesystem::path& path);

// A local directory the config names under `key` must exist: the message names the config file,
// the key and the path. s3:// locations are checked where they are read.
void require_local_directory(const RunConfig& config, const std::string& key, const std::string& dir);

}  // namespace granary::ecco
