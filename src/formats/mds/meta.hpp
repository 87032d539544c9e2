#pragma once
// MITgcm MDS ".meta" descriptors: the small text file beside every ".data" record file.
//   nDims = [ 2 ]; dimList = [ 90, 1, 90, 1170, 1, 1170 ]; dataprec = [ 'float32' ];
//   nrecords = [ 1 ]; timeStepNumber = [ 732 ]; timeInterval = [ a b ];
//   missingValue = [ -999 ]; nFlds = [ 1 ]; fldList = { 'SSH' };
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace granary::mds {

enum class Precision { Float32, Float64 };
std::size_t bytes_of(Precision p);

struct Meta {
  int n_dims = 0;
  std::vector<std::int64_t> dims;   // global size of each dimension, fastest first (x, y, [z])
  Precision precision = Precision::Float32;
  std::int64_t n_records = 1;
  std::optional<std::int64_t> time_step;
  std::optional<std::array<double, 2>> time_interval;  // seconds
  std::optional<double> missing_value;
  std::vector<std::string> fields;  // fldList
  std::int64_t values_per_record() const;
  std::uint64_t expected_bytes() const;
};

// Parses .meta text; `source` (the file name) prefixes every error message.
Meta parse_meta(const std::string& text, const std::string& source);
Meta read_meta(const std::string& path);

// "x/SSH.0000000732.data" -> "x/SSH.0000000732.meta"; also accepts ".bin".
std::string meta_path_for(const std::string& data_path);
// The 10-digit timestep in a MITgcm file name (".0000000732.data"), if any.
std::optional<std::int64_t> timestep_from_name(const std::string& path);

}  // namespace granary::mds
