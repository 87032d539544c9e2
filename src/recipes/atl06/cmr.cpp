#include "recipes/atl06/cmr.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "io/store.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"
#include "util/json_input.hpp"

namespace granary::atl06 {
namespace {

using json = nlohmann::json;

// A JSON value at a path of object keys, or null when any step is missing.
const json& at_path(const json& j, std::initializer_list<const char*> path) {
  static const json null_value;
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) return null_value;
    cur = &(*cur)[key];
  }
  return *cur;
}

double number(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number())
    fail("{}: {} has no numeric {}", where, j.dump().substr(0, 120), key);
  return j[key].get<double>();
}

std::vector<healpix::LatLon> points_of(const json& points, const std::string& where) {
  if (!points.is_array()) fail("{}: Points is not a list", where);
  std::vector<healpix::LatLon> out;
  for (const auto& p : points) out.push_back({number(p, "Latitude", where), number(p, "Longitude", where)});
  return out;
}

Footprint parse_footprint(const json& umm, const std::string& where) {
  Footprint f;
  const json& geometry = at_path(umm, {"SpatialExtent", "HorizontalSpatialDomain", "Geometry"});
  if (!geometry.is_object()) return f;
  for (const auto& polygon : geometry.value("GPolygons", json::array()))
    f.polygons.push_back(points_of(at_path(polygon, {"Boundary", "Points"}), where + " GPolygons"));
  for (const auto& line : geometry.value("Lines", json::array()))
    f.lines.push_back(points_of(at_path(line, {"Points"}), where + " Lines"));
  for (const auto& point : geometry.value("Points", json::array()))
    f.lines.push_back({{number(point, "Latitude", where), number(point, "Longitude", where)}});
  for (const auto& r : geometry.value("BoundingRectangles", json::array()))
    f.rectangles.push_back({number(r, "WestBoundingCoordinate", where), number(r, "SouthBoundingCoordinate", where),
                            number(r, "EastBoundingCoordinate", where), number(r, "NorthBoundingCoordinate", where)});
  return f;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The data URLs: "GET DATA" (https) and "GET DATA VIA DIRECT ACCESS" (s3); some providers
// file s3 links under plain "GET DATA", so the scheme decides. An .h5 link wins over
// others of the same kind (records also link metadata files).
void parse_urls(const json& umm, CmrGranule& g) {
  auto better = [](const std::string& current, const std::string& candidate) {
    return current.empty() || (!ends_with(current, ".h5") && ends_with(candidate, ".h5"));
  };
  for (const auto& link : umm.value("RelatedUrls", json::array())) {
    const std::string type = link.value("Type", std::string());
    const std::string url = link.value("URL", std::string());
    if (type.rfind("GET DATA", 0) != 0 || url.empty()) continue;
    if (url.rfind("s3://", 0) == 0) {
      if (better(g.s3_url, url)) g.s3_url = url;
    } else if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
      if (type == "GET DATA" && better(g.https_url, url)) g.https_url = url;
    }
  }
}

std::string producer_granule_id(const json& umm) {
  const json& ids = at_path(umm, {"DataGranule", "Identifiers"});
  if (!ids.is_array()) return {};
  for (const auto& id : ids)
    if (id.value("IdentifierType", std::string()) == "ProducerGranuleId") return id.value("Identifier", std::string());
  return {};
}

// The file name: the first candidate that is an ATL06 file name, else the first one known.
std::string file_name(const CmrGranule& g, const std::string& producer_id) {
  const std::vector<std::string> candidates = {io::basename_of(g.s3_url), io::basename_of(g.https_url), producer_id,
                                               g.granule_ur};
  for (const auto& c : candidates)
    if (parse_atl06_name(c)) return c;
  for (const auto& c : candidates)
    if (!c.empty()) return c;
  return {};
}

std::string cmr_error_text(const std::string& body) {
  try {
    const json j = json_too_deep_at(body) == std::string::npos ? json::parse(body) : json();
    if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) {
      std::string out;
      for (const auto& e : j["errors"]) out += (out.empty() ? "" : "; ") + (e.is_string() ? e.get<std::string>() : e.dump());
      return out;
    }
  } catch (const json::exception&) {
  }
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

std::string format_number(double v) { return fmt::format("{}", v); }

}  // namespace

std::optional<Atl06Name> parse_atl06_name(const std::string& file_name) {
  // ATL06_<14 digits>_<4><2><2 digits>_<3 digits>_<2 digits>.h5, checked character by
  // character (no std::regex: the name comes from CMR, over the network).
  static constexpr std::string_view kShape = "ATL06_dddddddddddddd_dddddddd_ddd_dd.h5";
  if (file_name.size() != kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i)
    if (kShape[i] == 'd' ? !(file_name[i] >= '0' && file_name[i] <= '9') : file_name[i] != kShape[i]) return std::nullopt;
  return Atl06Name{file_name.substr(6, 14), std::stoi(file_name.substr(21, 4)), std::stoi(file_name.substr(25, 2)),
                   std::stoi(file_name.substr(27, 2)), file_name.substr(30, 3), file_name.substr(34, 2)};
}

std::vector<std::int64_t> footprint_cells(const Footprint& footprint, int order, healpix::LatitudeConvention latitude) {
  auto kernel = [latitude](std::vector<healpix::LatLon> points) {
    for (auto& p : points) p.lat = healpix::kernel_latitude(p.lat, latitude);
    return points;
  };
  std::set<std::int64_t> cells;
  for (const auto& ring : footprint.polygons)
    for (auto c : healpix::polygon_cells(kernel(ring), order)) cells.insert(c);
  for (const auto& line : footprint.lines)
    for (auto c : healpix::line_cells(kernel(line), order)) cells.insert(c);
  // Parallels stay parallels (the conversion depends on latitude alone, monotonically).
  for (const auto& r : footprint.rectangles)
    for (auto c : healpix::rectangle_cells(r[0], healpix::kernel_latitude(r[1], latitude), r[2], healpix::kernel_latitude(r[3], latitude), order))
      cells.insert(c);
  return {cells.begin(), cells.end()};
}

std::vector<CmrGranule> parse_umm_page(const std::string& body, const std::string& source) {
  json doc;
  require_json_depth(body, source + ": CMR answer");
  try {
    doc = json::parse(body);
  } catch (const json::exception& e) {
    fail("{}: CMR answer is not valid JSON ({}); starts with: {}", source, e.what(), body.substr(0, 120));
  }
  if (!doc.is_object() || !doc.contains("items") || !doc["items"].is_array())
    fail("{}: CMR answer has no \"items\" list (not a granules.umm_json page)", source);
  std::vector<CmrGranule> out;
  std::size_t index = 0;
  for (const auto& item : doc["items"]) {
    const std::string where = fmt::format("{}: item {}", source, index++);
    const json& umm = at_path(item, {"umm"});
    if (!umm.is_object()) fail("{} has no \"umm\" record", where);
    CmrGranule g;
    try {
      g.granule_ur = umm.value("GranuleUR", std::string());
      if (g.granule_ur.empty()) fail("{} has no GranuleUR", where);
      parse_urls(umm, g);
      g.footprint = parse_footprint(umm, where + " (" + g.granule_ur + ")");
      g.name = file_name(g, producer_granule_id(umm));
    } catch (const json::exception& e) {  // a field of an unexpected JSON type
      fail("{}: not a UMM-G record ({})", where, e.what());
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string search_url(const CmrQuery& q) {
  std::string base = q.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // The cycle is the 2 digits after the 4-digit RGT in the name; '?' is one character.
  const std::string name_pattern = fmt::format("{}_??????????????_????{:02d}??_*", q.short_name, q.cycle);
  std::string url = fmt::format(
      "{}/search/granules.umm_json?short_name={}&version={}&page_size={}&{}={}&{}=true", base,
      io::url_encode(q.short_name), io::url_encode(q.version), q.page_size, io::url_encode("readable_granule_name[]"),
      io::url_encode(name_pattern), io::url_encode("options[readable_granule_name][pattern]"));
  if (q.bbox) {
    const auto& b = *q.bbox;
    url += "&bounding_box=" + io::url_encode(fmt::format("{},{},{},{}", format_number(b[0]), format_number(b[1]),
                                                         format_number(b[2]), format_number(b[3])));
  }
  return url;
}

CmrSearch search_granules(const CmrQuery& query, io::HttpClient& http) {
  CmrSearch search;
  search.url = search_url(query);
  std::string after;
  while (true) {
    io::HttpHeaders headers = {{"Client-Id", "granary"}};
    if (!after.empty()) headers.emplace_back("CMR-Search-After", after);
    const auto response = http.get(search.url, headers);
    ++search.pages;
    const std::string source = fmt::format("{} (page {})", search.url, search.pages);
    // Still throttled or failing after every retry: CMR is unavailable, the query is fine.
    if (io::retryable_status(response.status))
      throw UnavailableError(fmt::format("{}: CMR answered HTTP {} after {} attempt(s): {}", source, response.status,
                                         response.attempts, cmr_error_text(response.body)));
    if (response.status != 200)
      fail("{}: CMR answered HTTP {}: {}", source, response.status, cmr_error_text(response.body));
    auto granules = parse_umm_page(response.body, source);
    if (search.pages == 1 && !response.header("cmr-hits").empty())
      search.hits = std::strtol(response.header("cmr-hits").c_str(), nullptr, 10);
    const std::size_t items = granules.size();
    for (auto& g : granules) search.granules.push_back(std::move(g));
    spdlog::debug("{}: {} granule(s), {} so far of {}", source, items, search.granules.size(), search.hits);
    const std::string next = response.header("cmr-search-after");
    if (items < static_cast<std::size_t>(query.page_size) || next.empty()) break;
    if (next == after) fail("{}: CMR sent the same CMR-Search-After token twice ({})", source, next);
    after = next;
  }
  if (search.hits >= 0 && static_cast<long>(search.granules.size()) != search.hits)
    spdlog::warn("{}: CMR announced {} granule(s) (CMR-Hits) but the pages held {}", search.url, search.hits,
                 search.granules.size());
  return search;
}

Catalog catalog_from_cmr(const CmrQuery& query, const CmrSearch& search, UrlKind urls, int parent_order,
                         healpix::LatitudeConvention latitude) {
  // Sorted by file name, as local catalogs are; a granule listed by two providers is merged.
  std::map<std::string, CmrGranule> by_name;
  std::size_t duplicates = 0;
  for (const auto& g : search.granules) {
    auto [it, fresh] = by_name.emplace(g.name, g);
    if (fresh) continue;
    ++duplicates;
    CmrGranule& kept = it->second;
    if (kept.s3_url.empty()) kept.s3_url = g.s3_url;
    if (kept.https_url.empty()) kept.https_url = g.https_url;
    if (kept.footprint.empty()) kept.footprint = g.footprint;
  }

  std::vector<GranuleScan> scans;
  std::vector<std::pair<std::size_t, const Footprint*>> footprints;  // scan index, footprint
  std::size_t other_cycles = 0;
  for (const auto& [name, g] : by_name) {
    const auto parsed = parse_atl06_name(name);
    if (parsed && parsed->cycle != query.cycle) {
      ++other_cycles;
      continue;
    }
    const std::string& preferred = urls == UrlKind::S3 ? g.s3_url : g.https_url;
    const std::string& fallback = urls == UrlKind::S3 ? g.https_url : g.s3_url;
    GranuleScan scan{preferred.empty() ? fallback : preferred, {}, std::nullopt};
    if (!parsed) {
      scan.granule = name;
      scan.error = "file name is not ATL06_YYYYMMDDhhmmss_ttttccnn_rrr_vv.h5 (GranuleUR " + g.granule_ur + ")";
    } else if (scan.granule.empty()) {
      scan.granule = name;
      scan.error = "the CMR record has no GET DATA URL (https:// or s3://)";
    } else if (g.footprint.empty()) {
      scan.error = "the CMR record has no footprint (GPolygons, Lines, Points or BoundingRectangles)";
    } else {
      footprints.emplace_back(scans.size(), &g.footprint);
    }
    scans.push_back(std::move(scan));
  }
  // Pure geometry (a cycle has ~15,000 footprints): all cores.
  tbb::parallel_for(std::size_t{0}, footprints.size(), [&](std::size_t i) {
    auto& scan = scans[footprints[i].first];
    try {
      scan.cells = footprint_cells(*footprints[i].second, parent_order, latitude);
    } catch (const Error& e) {
      scan.error = std::string("footprint: ") + e.what();
    }
  });

  Catalog catalog = catalog_from_scans(scans, parent_order, "cmr-footprint", latitude);
  nlohmann::ordered_json failed;
  if (catalog.metadata.contains("failed_granules")) {
    failed = catalog.metadata["failed_granules"];
    catalog.metadata.erase("failed_granules");
  }
  auto& m = catalog.metadata;
  m["short_name"] = query.short_name;
  m["version"] = query.version;
  m["cycle"] = query.cycle;
  m["bbox"] = query.bbox ? nlohmann::ordered_json(*query.bbox) : nlohmann::ordered_json();
  m["urls"] = urls == UrlKind::S3 ? "s3" : "https";
  m["query_url"] = search.url;
  m["cmr_granules"] = search.granules.size();
  m["duplicates_merged"] = duplicates;
  m["dropped_other_cycles"] = other_cycles;
  if (!failed.is_null()) m["failed_granules"] = std::move(failed);
  return catalog;
}

}  // namespace granary::atl06
