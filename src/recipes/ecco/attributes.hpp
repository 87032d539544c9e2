#pragma once
// Attribute and encoding conventions of ECCO products (as ECCO-Dataset-Production writes
// them through xarray/netCDF4):
//   data variables: float32, zlib level 5 + shuffle, _FillValue 9.969209968386869e36
//                   (netCDF4.default_fillvals['f4']; NaN is stored as it), attributes
//                   valid_min, valid_max (per granule), the variable metadata (keys in order,
//                   then "comment"), and "coordinates" (PO.DAAC request);
//   coordinates:    float32 without fill; time, time_bnds, time_step and index coordinates
//                   int32; time/time_bnds carry units "hours since 1992-01-01 12:00:00" and
//                   calendar "proleptic_gregorian" (what xarray adds when it encodes them).
// The builders themselves are Metadata members (metadata.hpp), implemented in attributes.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/netcdf/dataset.hpp"

namespace granary::ecco {

inline constexpr double kFillValueFloat32 = 9.969209968386869e36;
inline constexpr const char* kCalendar = "proleptic_gregorian";

nc::Encoding data_variable_encoding();  // deflate 5, shuffle, _FillValue kFillValueFloat32
nc::Encoding coordinate_encoding();     // uncompressed, no _FillValue
// Int32 for time, time_bnds, time_step and the grid index coordinates (i, j, k, tile, i_g, j_g,
// k_l, k_u, k_p1); Float32 for everything else (latitude, XC, Z, *_bnds, ...).
nc::Type coordinate_type(const std::string& coordinate);

// The "coordinates" attribute of a data variable: of the coordinates attached to it (those
// whose dimensions are a subset of the variable's), the ones PO.DAAC asked to be listed,
// in a fixed order: XC YC XG YG Z Zp1 Zu Zl time. Empty when none applies.
std::string coordinates_attribute(const std::vector<std::string>& attached_coordinates);

// The granule's valid_min / valid_max (float32 nanmin/nanmax, computed by the caller over the
// values actually written). Without one (all NaN), the attributes are left out.
struct ValidRange {
  float min = 0;
  float max = 0;
};

// When and as what a granule was made: date_created/_modified/_issued/date_metadata_modified
// and uuid.
struct GranuleStamp {
  std::string date_created;  // "YYYY-MM-DDTHH:MM:SS", local time like the original
  std::string uuid;          // RFC 4122 version 4
  static GranuleStamp now();                                          // now + random uuid
  static GranuleStamp fixed(std::string date_created, std::uint64_t seed);  // for tests
};

std::string random_uuid_v4();                    // 16 bytes from /dev/urandom
std::string seeded_uuid_v4(std::uint64_t seed);  // deterministic, same form
std::string local_time_now_iso();                // "YYYY-MM-DDTHH:MM:SS"

// Orders attributes as Python's sorted(key=str.casefold) does (stable, case-insensitive).
void sort_casefold(std::vector<nc::Attribute>& attributes);

}  // namespace granary::ecco
