#pragma once
// The terminal form of `granary info`: the JSON description as compact aligned tables.
#include <string>

#include <nlohmann/json.hpp>

namespace granary::cli {

// `description` is describe_netcdf's or describe_zarr's output (with an "atl06" member for
// ATL06 stores). Long attribute values are shortened; the JSON keeps them whole.
std::string info_text(const nlohmann::json& description);

}  // namespace granary::cli
