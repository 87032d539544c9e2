#pragma once
// The ECCO product metadata set (a directory such as ECCO-v4-Configurations
// "ECCOv4 Release 4/metadata"), loaded once per process:
//   *groupings_for_{native,latlon}_datasets.json        which fields make one product
//   *variable_metadata.json                              variable attributes (native)
//   *variable_metadata_for_latlon_datasets.json          lat-lon overrides (EVEL, WVEL, ...)
//   *geometry_metadata_for_{native,latlon}_datasets.json grid fields (Depth, hFacC, ...)
//   *coordinate_metadata_for_{native,latlon}_datasets.json
//   *global_metadata_for_{all,native,latlon}_datasets.json  ("type" s/f/i, "grid_dimension")
//   PODAAC_datasets-revised_20210226.5.csv               dataset id, title, metadata link
// A file is found by its name ending ("_variable_metadata.json"), so any version prefix
// works; each must exist exactly once. Lookups follow the original: the first entry of a
// name wins; lat-lon variables get the native entry first and the lat-lon entry over it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "formats/netcdf/dataset.hpp"
#include "recipes/ecco/attributes.hpp"
#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/podaac_table.hpp"
#include "recipes/ecco/product_strings.hpp"
#include "recipes/ecco/time_axis.hpp"

namespace granary::ecco {

inline constexpr const char* kDefaultPodaacCsv = "PODAAC_datasets-revised_20210226.5.csv";

// One entry of a variable or geometry metadata file.
struct VariableMeta {
  std::string name;
  std::string source;  // the file it came from
  std::string long_name, units, standard_name, coverage_content_type, direction;
  std::string grid_dimension, grid_location;
  std::string comments_1, comments_2;      // required (may be empty), merged into "comment"
  std::vector<std::string> gcmd_keywords;  // GCMD_keywords split at commas, trimmed
  // The keys that become netCDF attributes (all but name, grid_dimension, grid_location,
  // GCMD_keywords, variable_rename, comments_1/2 and internal notes), in key order.
  std::vector<nc::Attribute> attributes;
  // comments_1 and comments_2 joined with ". " (or " " when comments_1 ends with '.');
  // whichever is non-empty alone; "" when both are empty.
  std::string comment() const;
};

struct CoordinateMeta {
  std::string name;
  std::string source;
  std::string grid_dimension;
  std::vector<nc::Attribute> attributes;  // every key but name and grid_dimension, in key order
};

struct GlobalMetaEntry {
  std::string name;
  nc::AttrValue value;         // "s" text, "f" double, "i" int32; "TBD_..." placeholders stay text
  std::string grid_dimension;  // "" = every dataset, else e.g. "2D 3D"
  // The original's test: the dataset dimension is a substring of grid_dimension.
  bool applies_to(const std::string& dimension) const;
};

// What the PO.DAAC table says about one dataset, ready for the global attributes.
struct PodaacEntry {
  std::string id;             // "10.5067/ECG5M-SSH44" (PERSISTENT_ID with PODAAC- -> DOI prefix)
  std::string metadata_link;  // metadata_link_root + SHORT_NAME
  std::string title;          // LONG_NAME
  PodaacRow row;
};

class Metadata {
 public:
  // dir and podaac_csv are local paths or s3:// URIs. podaac_csv: empty = kDefaultPodaacCsv
  // in dir; relative = relative to dir. Fails (granary::Error naming the file and key) for
  // a missing directory or file, bad JSON or CSV, or a missing required key.
  static Metadata load(const std::string& dir, const std::string& podaac_csv = {});

  const std::string& directory() const { return dir_; }
  const std::string& podaac_csv() const { return podaac_csv_; }

  // --- groupings ---------------------------------------------------------------------------
  const std::vector<Grouping>& groupings(Product p) const;
  // Fails with the valid range and the file when index is out of range.
  const Grouping& grouping(Product p, int index) const;

  // --- lookups (nullptr when absent) --------------------------------------------------------
  // The most specific entry: the lat-lon override for Latlon when there is one, else the
  // variable metadata, else the native geometry metadata.
  const VariableMeta* variable(const std::string& name, Product p) const;
  const VariableMeta* geometry(const std::string& name, Product p) const;
  const CoordinateMeta* coordinate(const std::string& name, Product p) const;
  const std::vector<GlobalMetaEntry>& global_entries(std::optional<Product> p) const;  // nullopt: all datasets

  // --- attribute builders (attributes.cpp) --------------------------------------------------
  // Variable metadata attributes of an output variable (after renames). For Latlon the
  // native entry is applied first and the lat-lon entry over it, as the original. Fails when
  // neither has the name.
  std::vector<nc::Attribute> variable_attributes(const std::string& name, Product p) const;
  // The full attribute list of a data variable: valid_min, valid_max (when given), the
  // variable attributes, then "coordinates" (see coordinates_attribute). _FillValue comes
  // from data_variable_encoding().
  std::vector<nc::Attribute> data_variable_attributes(const std::string& name, Product p,
                                                      std::optional<ValidRange> range,
                                                      const std::vector<std::string>& attached_coordinates) const;
  // Coordinate attributes (empty for a coordinate without metadata, e.g. nv). For "time":
  // long_name "center time of averaging period" / "snapshot time", no "bounds" for SNAP; for
  // time and time_bnds the units (checked against the model start) and the calendar last.
  std::vector<nc::Attribute> coordinate_attributes(const std::string& coordinate, Product p, Frequency f,
                                                   const ProductStrings& strings = {}) const;
  // Every global attribute of a granule, sorted case-insensitively, "coordinates_comment" last.
  std::vector<nc::Attribute> global_attributes(const Grouping& grouping, const TimeInfo& time,
                                               const ProductStrings& strings, const GranuleStamp& stamp) const;
  // The grouping's GCMD keywords (from its variables) merged with the global "keywords",
  // sorted, unique, joined with ", " -- the "keywords" global attribute.
  std::string keywords(const Grouping& grouping) const;
  // "This dataset contains monthly-averaged " + name + tail: the start of "summary".
  std::string dataset_description(const Grouping& grouping, Frequency f, const ProductStrings& strings) const;

  // --- PO.DAAC --------------------------------------------------------------------------------
  // The table row of grouping x frequency (see dataset_file_pattern); fails naming the CSV.
  PodaacEntry podaac(const Grouping& grouping, Frequency f, const ProductStrings& strings = {}) const;

 private:
  std::string dir_;
  std::string podaac_csv_;
  std::vector<Grouping> native_groupings_, latlon_groupings_;
  std::string native_groupings_source_, latlon_groupings_source_;
  std::vector<VariableMeta> variables_, latlon_variables_, geometry_native_, geometry_latlon_;
  std::vector<CoordinateMeta> coordinates_native_, coordinates_latlon_;
  std::vector<GlobalMetaEntry> global_all_, global_native_, global_latlon_;
  std::vector<PodaacRow> podaac_rows_;

  const VariableMeta* native_variable(const std::string& name) const;  // variables_, then geometry_native_
  const VariableMeta* latlon_override(const std::string& name) const;
};

}  // namespace granary::ecco
