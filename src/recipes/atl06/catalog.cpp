#include "recipes/atl06/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "grids/healpix/morton.hpp"
#include "io/store.hpp"
#include "recipes/atl06/granule_cells.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"
#include "util/files.hpp"
#include "util/json_input.hpp"

namespace granary::atl06 {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

ojson to_json(const Catalog& catalog) {
  ojson cells = ojson::object();
  for (const auto& [key, granules] : catalog.cells) cells[std::to_string(key)] = granules;
  ojson doc = ojson::object();
  doc["metadata"] = catalog.metadata;
  doc["catalog"] = std::move(cells);
  return doc;
}

std::string catalog_text(const Catalog& catalog) { return to_json(catalog).dump(1) + "\n"; }

namespace {

std::int64_t parse_key(const std::string& key, const std::string& source) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), value);
  if (ec != std::errc() || end != key.data() + key.size() || std::to_string(value) != key)
    fail("{}: catalog key \"{}\" is not an integer morton index", source, key);
  if (!healpix::is_valid_morton(value)) fail("{}: catalog key {} is not a valid morton index", source, key);
  return value;
}

}  // namespace

Catalog parse_catalog(const std::string& text, const std::string& source_name) {
  ojson doc;
  require_json_depth(text, source_name);
  try {
    doc = ojson::parse(text);
  } catch (const ojson::exception& e) {
    fail("{}: not valid JSON ({})", source_name, e.what());
  }
  if (!doc.is_object()) fail("{}: a catalog is a JSON object with \"metadata\" and \"catalog\"", source_name);
  Catalog out;
  if (doc.contains("metadata")) {
    if (!doc["metadata"].is_object()) fail("{}: \"metadata\" is not an object", source_name);
    out.metadata = doc["metadata"];
  }
  if (!doc.contains("catalog") || !doc["catalog"].is_object())
    fail("{}: no \"catalog\" object (parent morton -> list of granules)", source_name);
  std::optional<int> order;
  if (out.metadata.contains("parent_order")) {
    if (!out.metadata["parent_order"].is_number_integer())
      fail("{}: metadata.parent_order is not an integer", source_name);
    order = require_json_integer<int>(out.metadata["parent_order"], source_name + ": metadata.parent_order");
  }
  for (const auto& [key, granules] : doc["catalog"].items()) {
    const std::int64_t cell = parse_key(key, source_name);
    const int cell_order = healpix::morton_order(cell);
    if (!order) order = cell_order;
    if (cell_order != *order)
      fail("{}: catalog key {} has order {}, expected {}{}", source_name, key, cell_order, *order,
           out.metadata.contains("parent_order") ? " (metadata.parent_order)" : " (the order of the first key)");
    if (!granules.is_array()) fail("{}: catalog[\"{}\"] is not a list of granules", source_name, key);
    std::vector<std::string> list;
    for (const auto& g : granules) {
      if (!g.is_string()) fail("{}: catalog[\"{}\"] holds {} where a granule path or URI string belongs",
                               source_name, key, g.dump());
      list.push_back(g.get<std::string>());
    }
    if (!out.cells.emplace(cell, std::move(list)).second) fail("{}: catalog key {} appears twice", source_name, key);
  }
  return out;
}

Catalog read_catalog(const std::string& path) { return parse_catalog(files::read_text(path), path); }

void write_catalog(const Catalog& catalog, const std::string& path) {
  files::write_atomic(path, catalog_text(catalog));
}

GranuleScan scan_granule(const std::string& path, int parent_order, const io::S3Options& s3, healpix::LatitudeConvention latitude) {
  GranuleScan scan{path, {}, std::nullopt};
  try {
    scan.cells = granule_parent_cells(path, parent_order, s3, latitude);
  } catch (const UnavailableError& e) {
    scan.error = e.what();
    scan.unavailable = true;
  } catch (const std::exception& e) {
    scan.error = e.what();
  }
  return scan;
}

nlohmann::json to_json(const GranuleScan& scan) {
  nlohmann::json j = {{"granule", scan.granule}, {"cells", scan.cells}};
  j["status"] = scan.error ? "FAILED" : "SUCCESS";
  if (scan.error) j["error"] = *scan.error;
  if (scan.unavailable) j["unavailable"] = true;
  return j;
}

GranuleScan scan_from_json(const nlohmann::json& j) {
  GranuleScan scan;
  scan.granule = j.value("granule", std::string());
  if (j.contains("cells")) scan.cells = j["cells"].get<std::vector<std::int64_t>>();
  if (j.value("status", std::string()) != "SUCCESS")
    scan.error = j.value("error", std::string("scan failed without a message"));
  scan.unavailable = j.value("unavailable", false);
  return scan;
}

std::string local_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

Catalog catalog_from_scans(const std::vector<GranuleScan>& scans, int parent_order, const std::string& method,
                           healpix::LatitudeConvention latitude) {
  Catalog out;
  ojson failed = ojson::object();
  for (const auto& scan : scans) {
    if (scan.error) {
      failed[scan.granule] = *scan.error;
      continue;
    }
    for (std::int64_t cell : scan.cells) {
      if (healpix::morton_order(cell) != parent_order)
        fail("{}: cell {} is not at the catalog's parent order {}", scan.granule, cell, parent_order);
      auto& list = out.cells[cell];
      // A granule scanned twice (a repeated input) is listed once per cell.
      if (list.empty() || list.back() != scan.granule) list.push_back(scan.granule);
    }
  }
  out.metadata["parent_order"] = parent_order;
  out.metadata["method"] = method;
  out.metadata["total_granules"] = scans.size();
  out.metadata["total_cells"] = out.cells.size();
  out.metadata["created"] = local_timestamp();
  // magg's catalogs have no such key: absent means geodetic-spherical, so those stay as magg writes them.
  if (latitude != healpix::LatitudeConvention::GeodeticSpherical) out.metadata["latitude"] = healpix::latitude_name(latitude);
  if (!failed.empty()) out.metadata["failed_granules"] = std::move(failed);
  return out;
}

healpix::LatitudeConvention catalog_latitude(const Catalog& catalog, const std::string& source) {
  if (!catalog.metadata.contains("latitude")) return healpix::LatitudeConvention::GeodeticSpherical;
  const auto& v = catalog.metadata["latitude"];
  auto c = v.is_string() ? healpix::parse_latitude(v.get<std::string>()) : std::nullopt;
  if (!c) fail("{}: metadata.latitude is {}, expected \"geodetic-spherical\" or \"authalic-wgs84\"", source, v.dump());
  return *c;
}

Catalog build_catalog_from_granules(const std::vector<std::string>& paths, int parent_order) {
  std::vector<GranuleScan> scans;
  scans.reserve(paths.size());
  for (const auto& p : paths) scans.push_back(scan_granule(p, parent_order));
  return catalog_from_scans(scans, parent_order, "points");
}

namespace {

bool is_h5(const std::string& name) { return name.size() > 3 && name.compare(name.size() - 3, 3, ".h5") == 0; }

std::vector<std::string> local_directory_granules(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
    if (entry.is_regular_file() && is_h5(entry.path().filename().string())) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> store_granules(const std::string& uri, const io::S3Options& s3) {
  std::string root = uri;
  while (root.size() > 5 && root.back() == '/') root.pop_back();
  auto store = io::open_s3_store(root, s3);
  std::vector<std::string> out;
  for (const auto& object : store->list(""))
    if (is_h5(object.key)) out.push_back(root + "/" + object.key);
  return out;  // the store lists sorted by key
}

}  // namespace

std::vector<std::string> list_granules(const std::vector<std::string>& inputs, const io::S3Options& s3) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& g) {
    if (seen.insert(g).second) out.push_back(g);
  };
  for (const auto& input : inputs) {
    if (io::is_s3_uri(input)) {
      if (is_h5(input)) {
        add(input);
        continue;
      }
      auto found = store_granules(input, s3);
      if (found.empty()) fail("{}: no *.h5 objects under this prefix", input);
      for (const auto& g : found) add(g);
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      auto found = local_directory_granules(input);
      if (found.empty()) fail("{}: no *.h5 files in this directory", input);
      for (const auto& g : found) add(g);
    } else if (fs::exists(input, ec)) {
      add(input);
    } else {
      fail("{}: no such file or directory", input);
    }
  }
  if (out.empty()) fail("no granules given");
  return out;
}

}  // namespace granary::atl06
