#pragma once
// The ATL06 granule catalog, magg's format:
//   {"metadata": {...}, "catalog": {"<parent morton>": [granule URI or path, ...], ...}}
// Keys in ascending numeric order ("-5421413" before "-3233121" before "2243432"); each
// list in input order. Built from the granules' points (method "points", exact) or from
// CMR footprints (method "cmr-footprint", a superset; see recipes/atl06/cmr.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grids/healpix/latitude.hpp"
#include "io/s3_store.hpp"

namespace granary::atl06 {

struct Catalog {
  // Insertion-ordered, so magg's key order (parent_order, method, ...) survives a round trip.
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  // std::map over int64 iterates in ascending numeric order, as the format requires.
  std::map<std::int64_t, std::vector<std::string>> cells;
};

// The JSON document (an ordered_json: a plain json object would sort the keys as strings).
nlohmann::ordered_json to_json(const Catalog& catalog);
// The file text: indent 1 as magg / the oracle write it, with a final newline.
std::string catalog_text(const Catalog& catalog);

// Parses and validates a catalog; errors name `source_name` and the problem (not JSON, no
// "catalog" object, a key that is not a canonical valid morton, keys of mixed orders or of
// another order than metadata.parent_order, a list that is not a list of strings).
Catalog parse_catalog(const std::string& text, const std::string& source_name);
Catalog read_catalog(const std::string& path);
// Writes catalog_text atomically (temporary sibling + rename).
void write_catalog(const Catalog& catalog, const std::string& path);

// One granule's contribution: its parent cells, or why it could not be read.
struct GranuleScan {
  std::string granule;  // path or URI, as it will appear in the catalog
  std::vector<std::int64_t> cells;
  std::optional<std::string> error;
  // The error was storage that stayed unavailable after retries, not the granule: a catalog
  // without this granule would be silently wrong, so none is written.
  bool unavailable = false;
};

// Scans one granule with granule_parent_cells; an exception becomes `error`.
GranuleScan scan_granule(const std::string& path, int parent_order, const io::S3Options& s3 = {},
                         healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical);
nlohmann::json to_json(const GranuleScan& scan);
GranuleScan scan_from_json(const nlohmann::json& j);

// Assembles a catalog from scans given in catalog order: metadata parent_order, method,
// total_granules (all scans, failed included), total_cells, created (local time, seconds),
// and failed_granules {granule: reason} when any scan failed (nothing is dropped silently);
// latitude ("authalic-wgs84") when the cells are not magg's geodetic-spherical ones.
Catalog catalog_from_scans(const std::vector<GranuleScan>& scans, int parent_order, const std::string& method,
                           healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical);

// The latitude convention of a catalog's cells: metadata.latitude, absent in magg's
// catalogs (geodetic-spherical). Throws granary::Error naming `source` for another value.
healpix::LatitudeConvention catalog_latitude(const Catalog& catalog, const std::string& source);

// The points catalog of local granules, scanned one after the other in this process (HDF5
// is not thread-safe; the CLI runs scans in worker processes for -j > 1).
Catalog build_catalog_from_granules(const std::vector<std::string>& paths, int parent_order);

// Expands inputs into granules: a directory gives its *.h5 files (recursively, sorted by
// path); an s3:// URI ending in .h5 is one granule, any other is a prefix whose *.h5
// objects are listed through io::open_store (sorted by key); a local file is one granule. Repeated granules are kept once,
// at their first position. Throws granary::Error for a missing local input or an empty result.
// `s3` says how s3:// prefixes are listed.
std::vector<std::string> list_granules(const std::vector<std::string>& inputs, const io::S3Options& s3 = {});

// "2024-05-01T12:34:56", local time, as Python's datetime.now().isoformat(timespec="seconds").
std::string local_timestamp();

}  // namespace granary::atl06
