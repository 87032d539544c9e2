#include "cli/info_text.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace granary::cli {
namespace {

using nlohmann::json;
using Row = std::vector<std::string>;

constexpr std::size_t kMaxValueWidth = 72;

std::string shorten(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() <= kMaxValueWidth) return s;
  return s.substr(0, kMaxValueWidth - 3) + "...";
}

std::string value_text(const json& v) { return shorten(v.is_string() ? v.get<std::string>() : v.dump()); }

std::string number(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

std::string percent(const json& v) {
  const double f = v.get<double>();
  if (f == 0) return "0";
  return fmt::format("{:.3g}%", f * 100);
}

std::string list(const json& v, const char* sep) {
  if (v.is_null()) return "-";
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + (x.is_string() ? x.get<std::string>() : x.dump());
  return out.empty() ? "scalar" : out;
}

// Columns separated by two spaces, each as wide as its widest cell; the last is not padded.
std::string table(const std::vector<Row>& rows, const std::string& indent = "  ") {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < r.size(); ++c)
      line += c + 1 < r.size() ? fmt::format("{:<{}}  ", r[c], width[c]) : r[c];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

Row stats_cells(const json& s) {
  if (s.is_null()) return {"", "", "", "", ""};
  return {number(s["min"]), number(s["max"]), number(s["mean"]), percent(s["nan_fraction"]), percent(s["fill_fraction"])};
}

std::string attributes_text(const json& attrs, const std::string& title) {
  if (attrs.empty()) return "";
  std::vector<Row> rows;
  for (const auto& [k, v] : attrs.items()) rows.push_back({k, value_text(v)});
  return fmt::format("{} ({})\n", title, attrs.size()) + table(rows);
}

std::string dimensions_text(const json& dims) {
  std::string out = "dimensions:";
  for (const auto& d : dims)
    out += fmt::format("  {}={}{}", d["name"].get<std::string>(), d["size"].dump(),
                       d.value("unlimited", false) ? " (unlimited)" : "");
  return out + "\n";
}

std::string key_attributes(const json& a) {
  std::string out;
  if (a.contains("long_name")) out = value_text(a["long_name"]);
  if (a.contains("units")) out += (out.empty() ? "[" : " [") + value_text(a["units"]) + "]";
  return shorten(out);
}

std::string netcdf_text(const json& d) {
  std::string out = dimensions_text(d["dimensions"]) + attributes_text(d["attributes"], "global attributes");
  std::vector<Row> rows{{"name", "dtype", "dims", "chunks", "compression", "min", "max", "mean", "NaN", "fill", "description"}};
  for (const auto& v : d["variables"]) {
    const auto& c = v["compression"];
    std::string compression = c["deflate"].is_null() ? "none" : "deflate " + c["deflate"].dump();
    if (c["shuffle"].get<bool>()) compression += "+shuffle";
    Row r{v["name"].get<std::string>(), v["dtype"].get<std::string>(),
          fmt::format("({})", list(v["dims"], ",")), v["chunks"].is_null() ? v["storage"].get<std::string>() : list(v["chunks"], "x"),
          compression};
    for (auto& s : stats_cells(v["stats"])) r.push_back(s);
    r.push_back(key_attributes(v["attributes"]));
    rows.push_back(r);
  }
  return out + fmt::format("variables ({})\n", d["variables"].size()) + table(rows);
}

std::string atl06_text(const json& a) {
  std::string out;
  for (const auto& g : a["groups"]) {
    out += fmt::format("ATL06 cells (group {})\n", g["group"].get<std::string>());
    std::vector<Row> rows{{"parents", number(g["parents"])},
                          {"parents processed", number(g["parents_processed"])},
                          {"cells", number(g["cells"])},
                          {"cell index", fmt::format("latitude {}, {} morton", g.value("latitude", "?"), g.value("morton_form", "?"))},
                          {"cells with data", number(g["cells_with_data"])},
                          {"observations", number(g["total_obs"])},
                          {"cell ids with data", g["cell_id_min"].is_null() ? "-" : number(g["cell_id_min"]) + " .. " + number(g["cell_id_max"])}};
    out += table(rows);
  }
  return out;
}

std::string zarr_text(const json& d) {
  std::string out = dimensions_text(d["dimensions"]) + attributes_text(d["attributes"], "root attributes");
  std::string groups;
  for (const auto& g : d["groups"]) groups += "  /" + g["path"].get<std::string>();
  out += "groups:" + groups + "\n";
  std::vector<Row> rows{{"array", "dtype", "shape", "chunks", "codec", "fill", "chunks present", "min", "max", "mean", "NaN", "fill"}};
  for (const auto& a : d["arrays"]) {
    const auto& codec = a["codec"];
    Row r{a["path"].get<std::string>(),
          a["dtype"].get<std::string>(),
          fmt::format("({})", list(a["shape"], ",")),
          list(a["chunks"], "x"),
          codec.contains("level") ? fmt::format("{} {}", codec["name"].get<std::string>(), codec["level"].dump())
                                  : codec["name"].get<std::string>(),
          value_text(a["fill_value"]),
          fmt::format("{}/{}", a["chunks_present"].dump(), a["chunks_expected"].dump())};
    for (auto& s : stats_cells(a["stats"])) r.push_back(s);
    rows.push_back(r);
  }
  out += fmt::format("arrays ({})\n", d["arrays"].size()) + table(rows);
  if (d.contains("atl06")) out += atl06_text(d["atl06"]);
  return out;
}

}  // namespace

std::string factors_text(const json& d) {
  const json& t = d["target"];
  const json& src = d["source"];
  std::string s = fmt::format("target: {} x {} cells of {} degrees\nsource: LLC{} ({} points), geometry crc32 {}, built from {}\n",
                              t["nlat"].get<int>(), t["nlon"].get<int>(), t["resolution"].get<double>(), src["nx"].get<int>(),
                              src["points"].get<std::size_t>(), src["geometry_crc32"].get<std::string>(),
                              src["grid_dir"].get<std::string>());
  s += fmt::format("levels: {}\n  level        wet      ocean        nnz   fallback\n", d["levels"].get<int>());
  for (const auto& l : d["per_level"])
    s += fmt::format("  {:5d} {:10d} {:10d} {:10d} {:10d}\n", l["level"].get<int>(), l["wet"].get<long>(), l["ocean"].get<long>(),
                     l["nnz"].get<long>(), l["fallback"].get<long>());
  return s;
}

std::string catalog_text(const json& d) {
  std::string s = fmt::format("{} parent cells (order {}), {} granules, {} granule reads\n", d["cells"].get<std::size_t>(),
                              d.value("parent_order", -1), d["granules"].get<std::size_t>(), d["granule_reads"].get<std::size_t>());
  if (d.contains("granules_per_cell"))
    s += fmt::format("granules per cell: min {}, median {}, max {}; cells {} .. {}\n", d["granules_per_cell"]["min"].get<std::size_t>(),
                     d["granules_per_cell"]["median"].get<std::size_t>(), d["granules_per_cell"]["max"].get<std::size_t>(),
                     d["cell_min"].get<std::int64_t>(), d["cell_max"].get<std::int64_t>());
  s += "metadata\n";
  for (const auto& [key, value] : d["metadata"].items())
    s += fmt::format("  {:<22} {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
  return s;
}

std::string info_text(const json& d) {
  std::string head = fmt::format("{}  ({})\n", d["path"].get<std::string>(), d["format"].get<std::string>());
  const std::string format = d["format"].get<std::string>();
  if (format == "granary mapping factors") return head + factors_text(d);
  if (format == "granary ATL06 catalog") return head + catalog_text(d);
  if (format == "PNG") return head + fmt::format("{} x {} pixels\n", d["width"].get<int>(), d["height"].get<int>());
  return head + (d.contains("variables") ? netcdf_text(d) : zarr_text(d));
}

}  // namespace granary::cli
