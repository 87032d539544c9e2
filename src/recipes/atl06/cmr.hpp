#pragma once
// The ATL06 catalog of one cycle from NASA CMR granule metadata, without reading a granule:
// each granule's footprint (UMM-G GPolygons, Lines or BoundingRectangles) is mapped to
// the parent cells it touches (grids/healpix/coverage: a superset of the cells its points
// fall in), and the catalog lists the granule's s3:// or https:// data URL.
//
// Query: GET {base}/search/granules.umm_json?short_name=ATL06&version=006&page_size=2000
//   &readable_granule_name[]=ATL06_??????????????_????CC??_*&options[readable_granule_name][pattern]=true
//   [&bounding_box=W,S,E,N], paged with the CMR-Search-After header (sent back on the next
// request) until a page comes back short. The file-name pattern asks CMR for cycle CC
// only; the cycle is then checked again on every file name, because the cycle in the name
// (ATL06_YYYYMMDDhhmmss_ttttccnn_rrr_vv.h5) is the definition: a date window (magg's
// approach) lets granules of adjacent cycles leak in or drop out.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grids/healpix/coverage.hpp"
#include "io/http_client.hpp"
#include "recipes/atl06/catalog.hpp"

namespace granary::atl06 {

// The parts of ATL06_YYYYMMDDhhmmss_ttttccnn_rrr_vv.h5.
struct Atl06Name {
  std::string start;  // YYYYMMDDhhmmss
  int rgt = 0, cycle = 0, region = 0;
  std::string release, version;
};
std::optional<Atl06Name> parse_atl06_name(const std::string& file_name);

struct Footprint {
  std::vector<std::vector<healpix::LatLon>> polygons;  // outer boundaries (holes ignored)
  std::vector<std::vector<healpix::LatLon>> lines;     // Lines, and Points as 1-point lines
  std::vector<std::array<double, 4>> rectangles;       // west, south, east, north
  bool empty() const { return polygons.empty() && lines.empty() && rectangles.empty(); }
};
// Cells at `order` touched by any part of the footprint, ascending morton. Under
// authalic-wgs84 the vertices' latitudes are converted first; edges are then great circles
// of the kernel's frame, within ~2 km of the converted geodesic for 3,000 km edges, well
// inside coverage's band of 1/8 cell.
std::vector<std::int64_t> footprint_cells(const Footprint& footprint, int order,
                                          healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical);

struct CmrGranule {
  std::string name;        // data file name (from the data URL, ProducerGranuleId or GranuleUR)
  std::string granule_ur;
  std::string https_url;   // RelatedUrls "GET DATA", https://
  std::string s3_url;      // RelatedUrls "GET DATA VIA DIRECT ACCESS", s3://
  Footprint footprint;
};

// Parses one granules.umm_json page ({"hits", "took", "items": [{"meta", "umm"}]}); errors
// name `source` (not JSON, no items list, an item without umm / GranuleUR, bad points).
std::vector<CmrGranule> parse_umm_page(const std::string& body, const std::string& source);

struct CmrQuery {
  std::string base_url = "https://cmr.earthdata.nasa.gov";
  std::string short_name = "ATL06";
  std::string version = "006";
  int cycle = 0;
  std::optional<std::array<double, 4>> bbox;  // west, south, east, north
  int page_size = 2000;
};
std::string search_url(const CmrQuery& query);

struct CmrSearch {
  std::string url;
  std::vector<CmrGranule> granules;  // every item of every page, in CMR's order
  long hits = -1;                    // CMR-Hits of the first page, -1 when absent
  int pages = 0;
};
// Runs the query to its last page. Throws granary::Error naming the URL for a status other
// than 200 (after the client's retries), a page that is not umm_json, or a paging loop.
CmrSearch search_granules(const CmrQuery& query, io::HttpClient& http);

enum class UrlKind { S3, Https };

// The catalog of cycle `query.cycle`: granules sorted by file name (duplicates from several
// providers merged), those of other cycles dropped and counted, the rest listed under
// the cells of their footprint with the preferred URL kind (the other kind when a granule
// lacks it). Granules without a URL, without a footprint or with a footprint coverage
// refuses, and names that are not ATL06 file names, go to metadata.failed_granules.
Catalog catalog_from_cmr(const CmrQuery& query, const CmrSearch& search, UrlKind urls, int parent_order,
                         healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical);

}  // namespace granary::atl06
