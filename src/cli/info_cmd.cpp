// granary info PATH: what a granary output holds (netCDF-4 file or Zarr store): dimensions,
// attributes, variables/arrays with storage and value statistics, and for ATL06 stores the
// cells processed and observations. Text for people, --json for scripts.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/info_text.hpp"
#include "formats/zarr/zarr.hpp"
#include "io/store.hpp"
#include "ops/describe/describe.hpp"
#include "ops/regrid/factors_describe.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/catalog_describe.hpp"
#include "render/png.hpp"
#include "run/report_summary.hpp"
#include "recipes/atl06/store_summary.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;

struct InfoOptions {
  std::string path;
  bool json = false, no_stats = false;
};

// A file whose first non-blank byte opens a JSON object.
bool starts_like_json(const std::string& path) {
  std::ifstream in(path);
  char c = 0;
  while (in.get(c))
    if (!std::isspace(static_cast<unsigned char>(c))) return c == '{';
  return false;
}

nlohmann::json describe_path(const InfoOptions& o) {
  describe::Options options;
  options.stats = !o.no_stats;
  std::error_code ec;
  if (io::is_s3_uri(o.path) || fs::is_directory(o.path, ec)) {
    auto store = io::open_store(o.path);
    if (!zarr::detect_format(*store, ""))
      fail("{}: not a Zarr store (no zarr.json, .zgroup or .zarray at its root)", o.path);
    auto d = describe::describe_zarr(*store, options);
    if (auto atl06 = atl06::summarize_store(*store, d)) d["atl06"] = *atl06;
    return d;
  }
  if (!fs::exists(o.path, ec)) fail("{}: no such file or directory", o.path);
  if (regrid::looks_like_factors_file(o.path)) return regrid::describe_factors_file(o.path);
  if (render::looks_like_png(o.path)) {
    const auto image = render::read_png(o.path);
    return {{"format", "PNG"}, {"path", o.path}, {"width", image.width()}, {"height", image.height()}};
  }
  if (starts_like_json(o.path)) {
    std::ifstream in(o.path);
    const std::string text(std::istreambuf_iterator<char>(in), {});
    require_json_depth(text, o.path);
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      fail("{}: not JSON ({})", o.path, json_error_detail(e));
    }
    if (doc.is_object() && doc.contains("catalog")) return atl06::describe_catalog(atl06::read_catalog(o.path), o.path);
    if (run::is_run_report(doc)) {
      auto summary = run::summary_json(doc, 5);
      summary["format"] = "granary run report";
      summary["path"] = o.path;
      summary["text"] = run::human_summary(doc, 5);
      return summary;
    }
    fail("{}: JSON, but neither an ATL06 catalog nor a run report", o.path);
  }
  return describe::describe_netcdf(o.path, options);
}

}  // namespace

void add_info_command(CLI::App& root) {
  auto o = std::make_shared<InfoOptions>();
  auto* cmd = root.add_subcommand("info", "Describe a granary output: netCDF-4 product, Zarr store (v2/v3, local or s3://), mapping factors, ATL06 catalog, run report or quick-look PNG");
  cmd->add_option("path", o->path, "File, Zarr store directory or s3:// URI")->required();
  cmd->add_flag("--json", o->json, "Print the description as JSON");
  cmd->add_flag("--no-stats", o->no_stats, "Do not read the values (no min/max/mean/NaN statistics)");
  cmd->callback([o] {
    const auto d = describe_path(*o);
    const bool report = d.value("format", "") == "granary run report";
    std::cout << (o->json ? d.dump(2) + "\n" : report ? d["text"].get<std::string>() : info_text(d)) << std::flush;
    exit_code = 0;
  });
}

}  // namespace granary::cli
