#pragma once
// ECCO product file names and directories, as the original (ECCO-Dataset-Production
// gen_netcdf_utils.set_metadata) and the PO.DAAC table's DATASET.FILENAME column:
//   {FILENAME}_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc          (AVG_MON, month of the period)
//   {FILENAME}_day_mean_1992-01-01_ECCO_V4r4_native_llc0090.nc       (AVG_DAY, day of the period)
//   {FILENAME}_snap_1992-01-02T000000_ECCO_V4r4_native_llc0090.nc    (SNAP, the instant)
// under {latlon|native}/{mon_mean|day_mean|day_inst}/{FILENAME}/.
#include <string>

#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/product_strings.hpp"
#include "recipes/ecco/time_axis.hpp"

namespace granary::ecco {

// "mon_mean" | "day_mean" | "snap": the period part of a product file name.
std::string period_token(Frequency f);
// "0p50deg" | "llc0090" (from the product strings).
std::string grid_label(Product p, const ProductStrings& strings);

// The product file name of grouping x time.frequency x time.timestep.
std::string product_file_name(const Grouping& grouping, const TimeInfo& time, const ProductStrings& strings = {});
// "latlon/mon_mean/SEA_SURFACE_HEIGHT" (relative to the processed output directory).
std::string product_relative_dir(const Grouping& grouping, Frequency frequency);
// product_relative_dir + "/" + product_file_name.
std::string product_relative_path(const Grouping& grouping, const TimeInfo& time, const ProductStrings& strings = {});

// What identifies a product's dataset whatever its date: the original matches PO.DAAC rows
// whose DATASET.FILENAME starts with "{FILENAME}_{period}" and ends with "{product}_{label}.nc".
struct DatasetFilePattern {
  std::string head;  // "SEA_SURFACE_HEIGHT_mon_mean_"
  std::string tail;  // "_latlon_0p50deg.nc"
  bool matches(const std::string& file_name) const;
};
DatasetFilePattern dataset_file_pattern(const Grouping& grouping, Frequency frequency,
                                        const ProductStrings& strings = {});

}  // namespace granary::ecco
