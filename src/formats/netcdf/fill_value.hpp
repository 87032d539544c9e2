#pragma once
// CF fill values: the typed _FillValue bytes for a variable, and the NaN -> fill
// replacement xarray applies to float data before writing (its CF encoding).
#include <cstddef>
#include <span>
#include <vector>

#include "formats/netcdf/dataset.hpp"

namespace granary::nc {

// `value` converted to `t`, as one element in host byte order (the caller checked it fits).
std::vector<std::byte> fill_bytes(Type t, double value);

// Replaces every NaN in `values` (elements of float type `t`) by `fill`; other types are
// left alone. Returns whether anything was replaced.
bool replace_nan(std::span<std::byte> values, Type t, double fill);

// True when `values` (elements of type `t`) hold at least one NaN.
bool contains_nan(std::span<const std::byte> values, Type t);

}  // namespace granary::nc
