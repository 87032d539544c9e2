#pragma once
// Describing granary's outputs (netCDF-4 files and Zarr stores) as JSON: dimensions,
// attributes, variables/arrays with their storage and value statistics. Used by `granary info`.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "io/store.hpp"

namespace granary::describe {

struct Options {
  bool stats = true;  // read every value for min/max/mean and NaN/fill fractions
  // Values read at once per variable (bounded memory whatever the variable's size).
  std::uint64_t block_elements = std::uint64_t{1} << 22;
};

// {format, path, dimensions [{name, size, unlimited}], attributes {..}, variables [{name,
// dtype, dims, shape, storage, chunks, compression, fill_value, attributes, stats}]}.
// Errors (not a netCDF file, read failures) name `path`.
nlohmann::json describe_netcdf(const std::string& path, const Options& options);

// {format, path, attributes (root), dimensions [{name, size}], groups [{path, attributes}],
// arrays [{path, dtype, shape, chunks, dims, codec, fill_value, attributes, chunks_present,
// chunks_expected, stats}]}. Nodes are found by listing the store; keys outside Zarr nodes
// (e.g. granary's .granary/ status objects) are ignored.
nlohmann::json describe_zarr(const io::Store& store, const Options& options);

}  // namespace granary::describe
