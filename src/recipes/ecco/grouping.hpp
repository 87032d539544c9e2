#pragma once
// ECCO dataset groupings (ECCOv4r4_groupings_for_{native,latlon}_datasets.json): which
// model fields go together into one product file, at which frequencies.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace granary::ecco {

enum class Product { Native, Latlon };
enum class Frequency { AvgMon, AvgDay, Snap };

std::string to_string(Product p);                 // "native" | "latlon"
std::string to_string(Frequency f);               // "AVG_MON" | "AVG_DAY" | "SNAP"
std::optional<Product> parse_product(const std::string& s);      // native, latlon (any case)
std::optional<Frequency> parse_frequency(const std::string& s);  // AVG_MON, AVG_DAY, SNAP, SNAPSHOT
// Model output layout: AVG_MON -> ("diags_monthly", "mon_mean"), AVG_DAY -> ("diags_daily",
// "day_mean"), SNAP -> ("diags_inst", "day_inst"). Files are
// {model_output_dir}/{dir}/{FIELD}_{suffix}/{FIELD}_{suffix}.{10-digit timestep}.data
struct FrequencyLayout {
  std::string directory;
  std::string suffix;
};
FrequencyLayout layout_of(Frequency f);

struct Grouping {
  int index = 0;                     // position in its JSON file (the job's grouping number)
  Product product = Product::Native;
  std::string name;                  // "dynamic sea surface height"
  std::string filename;              // "SEA_SURFACE_HEIGHT"
  std::string dimension;             // "1D" | "2D" | "3D"
  std::string comment;               // empty when the JSON has none
  std::string dataset_description;   // empty when the JSON has none
  std::vector<std::string> fields;   // output variable names, in order (before renames)
  std::vector<Frequency> frequencies;
  // "TI" in the frequency list (time-invariant fields such as OCEAN_3D_MIXING_COEFFS): the
  // grouping is not a time series, so it has no Frequency and no job can name it.
  bool time_invariant = false;
  // Vector outputs: EVEL -> (UVEL, VVEL) model x/y components, with "zonal"/"meridional".
  std::map<std::string, std::pair<std::string, std::string>> components;
  std::map<std::string, std::string> orientations;
  // Output renames "WVELMASS:WVEL" -> {WVELMASS: WVEL}.
  std::map<std::string, std::string> renames;

  bool is_3d() const { return dimension == "3D"; }
  // Model fields that must be read from disk, in a stable order: every non-vector field,
  // plus the x/y components of vector fields (each once).
  std::vector<std::string> input_fields() const;
  // The output name of a field (after renames).
  std::string output_name(const std::string& field) const;
  // output_name of every field, in field order: the data variables of the product file.
  std::vector<std::string> output_names() const;
  bool is_vector(const std::string& field) const { return components.count(field) > 0; }
  bool has_frequency(Frequency f) const;
};

// Parses one groupings JSON file; `source` names the file in errors. Every grouping must
// have name, filename, dimension, fields and frequency; its "product" (when given) must be
// `product`.
std::vector<Grouping> parse_groupings(const std::string& json_text, Product product,
                                      const std::string& source);

}  // namespace granary::ecco
