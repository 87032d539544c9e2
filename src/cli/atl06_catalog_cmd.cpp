// granary atl06 catalog: which granules touch which parent cell (magg's catalog.json).
//   --granules DIR|s3://PREFIX|FILE...    from the granules' points (exact; -j worker processes)
//   --cmr --cycle N                       from CMR footprints of cycle N (no granule is read)
#include <algorithm>
#include <array>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/cell_index_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/parallelism_option.hpp"
#include "cli/granule_credentials.hpp"
#include "io/http_client.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/cmr.hpp"
#include "run/local_executor.hpp"
#include "util/error.hpp"
#include "util/user_paths.hpp"
#include "util/unavailable_error.hpp"

namespace granary::cli {
namespace {

using json = nlohmann::json;

struct CatalogOptions {
  std::vector<std::string> granules;
  bool cmr = false;
  int cycle = -1;
  std::string version = "006";
  std::string bbox;
  std::string cmr_url = "https://cmr.earthdata.nasa.gov";
  std::string urls = "s3";
  int parent_order = 6;
  std::string latitude = "geodetic-spherical";
  std::string out;
  int workers = 0;
  GranuleCredentialOptions credentials;
};

std::array<double, 4> parse_bbox(const std::string& text) {
  std::array<double, 4> b{};
  std::istringstream in(text);
  std::string part;
  int n = 0;
  while (std::getline(in, part, ',')) {
    if (n == 4) fail("--bbox {}: expected 4 numbers W,S,E,N", text);
    try {
      std::size_t used = 0;
      b[n] = std::stod(part, &used);
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      fail("--bbox {}: \"{}\" is not a number", text, part);
    }
    ++n;
  }
  if (n != 4) fail("--bbox {}: expected 4 numbers W,S,E,N", text);
  if (b[1] < -90 || b[3] > 90 || b[1] > b[3]) fail("--bbox {}: need -90 <= S <= N <= 90", text);
  if (b[0] < -180 || b[0] > 180 || b[2] < -180 || b[2] > 180) fail("--bbox {}: longitudes must be in -180..180", text);
  return b;
}

std::size_t count_failed(const atl06::Catalog& catalog) {
  return catalog.metadata.contains("failed_granules") ? catalog.metadata["failed_granules"].size() : 0;
}

void log_failures(const atl06::Catalog& catalog) {
  if (!catalog.metadata.contains("failed_granules")) return;
  for (const auto& [granule, reason] : catalog.metadata["failed_granules"].items())
    spdlog::error("{}: {}", granule, reason.get<std::string>());
}

atl06::Catalog catalog_from_granules(const CatalogOptions& opt) {
  const auto keys = granule_credentials(opt.credentials);
  io::S3Options listing;
  if (keys) listing.credentials = keys->current();
  const auto granules = atl06::list_granules(opt.granules, listing);
  std::vector<json> tasks;
  for (const auto& g : granules) tasks.push_back({{"granule", g}, {"parent_order", opt.parent_order}, {"latitude", opt.latitude}});
  run::PoolOptions pool;
  if (keys) pool.prepare = [&keys](const json& task) { return with_granule_credentials(task, *keys); };
  // HDF5 is not thread-safe: granules are scanned in worker processes.
  pool.workers = std::min<int>(run::default_workers(opt.workers), static_cast<int>(tasks.size()));
  spdlog::info("catalog: scanning {} granule(s) on {} worker(s)", tasks.size(), pool.workers);
  auto outcome = run::run_local(
      tasks,
      [](const json& task) {
        io::S3Options s3;
        if (task.contains("s3_credentials")) s3.credentials = atl06::credentials_from_event(task, "s3_credentials");
        const auto latitude = healpix::parse_latitude(task.at("latitude").get<std::string>()).value();
        return atl06::to_json(atl06::scan_granule(task.at("granule"), task.at("parent_order").get<int>(), s3, latitude));
      },
      pool);
  if (outcome.interrupted) throw Interrupted("catalog: interrupted; nothing written");
  std::vector<atl06::GranuleScan> scans;
  for (std::size_t i = 0; i < granules.size(); ++i) {
    auto scan = atl06::scan_from_json(outcome.results[i]);
    scan.granule = granules[i];  // also for results the executor wrote (a crashed worker)
    scans.push_back(std::move(scan));
  }
  auto unavailable = std::count_if(scans.begin(), scans.end(), [](const auto& s) { return s.unavailable; });
  if (unavailable > 0) {
    auto first = std::find_if(scans.begin(), scans.end(), [](const auto& s) { return s.unavailable; });
    throw UnavailableError(fmt::format(
        "catalog: {} granule(s) could not be read because storage stayed unavailable after retries; nothing "
        "written, run the same command again (first: {})",
        unavailable, first->error.value_or("")));
  }
  return atl06::catalog_from_scans(scans, opt.parent_order, "points", cell_index_of(opt.latitude, "legacy").latitude);
}

atl06::Catalog catalog_from_cmr(const CatalogOptions& opt) {
  atl06::CmrQuery query;
  query.base_url = opt.cmr_url;
  query.version = opt.version;
  query.cycle = opt.cycle;
  if (!opt.bbox.empty()) query.bbox = parse_bbox(opt.bbox);
  io::HttpClient http;
  spdlog::info("catalog: querying {}", atl06::search_url(query));
  const auto search = atl06::search_granules(query, http);
  auto catalog = atl06::catalog_from_cmr(query, search, opt.urls == "https" ? atl06::UrlKind::Https : atl06::UrlKind::S3,
                                         opt.parent_order, cell_index_of(opt.latitude, "legacy").latitude);
  const auto& m = catalog.metadata;
  spdlog::info("catalog: CMR returned {} granule(s) in {} page(s); {} of other cycles dropped, {} duplicate(s) merged",
               search.granules.size(), search.pages, m["dropped_other_cycles"].get<std::size_t>(),
               m["duplicates_merged"].get<std::size_t>());
  return catalog;
}

void run_catalog(const CatalogOptions& opt) {
  if (opt.cmr == !opt.granules.empty())
    fail("atl06 catalog: give either --granules DIR|s3://PREFIX|FILE... or --cmr --cycle N");
  if (opt.cmr && opt.cycle < 1) fail("atl06 catalog --cmr: --cycle N (N >= 1) is required");
  if (!opt.cmr && opt.cycle >= 0) fail("atl06 catalog: --cycle only applies with --cmr");
  if (opt.cmr && opt.credentials.source != "chain")
    fail("atl06 catalog: --granule-credentials only applies with --granules (--cmr reads no granule)");
  files::check_writable(opt.out, files::Kind::File, "--out");  // before the scan, not after it
  const auto catalog = opt.cmr ? catalog_from_cmr(opt) : catalog_from_granules(opt);
  atl06::write_catalog(catalog, opt.out);
  log_failures(catalog);
  const std::size_t failed = count_failed(catalog);
  spdlog::info("catalog: {} granule(s), {} cell(s) at order {}, {} failed -> {}",
               catalog.metadata["total_granules"].get<std::size_t>(), catalog.cells.size(), opt.parent_order, failed,
               opt.out);
  exit_code = failed ? 1 : 0;
}

}  // namespace

void add_atl06_catalog_command(CLI::App& atl06) {
  auto opt = std::make_shared<CatalogOptions>();
  auto* cmd = atl06.add_subcommand(
      "catalog", "Which granules touch which parent cell: from the granules' points, or from CMR footprints of a cycle");
  // --granules and --cmr exclude each other; run_catalog says so with exit code 2.
  cmd->add_option("--granules", opt->granules,
                  "Granules: directories (*.h5, recursive), s3:// prefixes (their *.h5 objects), or files");
  cmd->add_flag("--cmr", opt->cmr, "Build from NASA CMR granule footprints instead of reading granules");
  cmd->add_option("--cycle", opt->cycle, "ICESat-2 cycle (with --cmr): the cc of ATL06_..._ttttccnn_...h5")
      ->check(CLI::Range(1, 99));
  cmd->add_option("--product-version,--version", opt->version, "ATL06 product version (with --cmr)")
      ->check(CLI::IsMember({"006", "007"}))
      ->capture_default_str();
  cmd->add_option("--bbox", opt->bbox, "W,S,E,N degrees: only granules CMR finds in this box (with --cmr)");
  cmd->add_option("--cmr-url", opt->cmr_url, "CMR base URL")->capture_default_str();
  cmd->add_option("--urls", opt->urls, "Which data URL the catalog lists (the other one when a granule lacks it)")
      ->check(CLI::IsMember({"s3", "https"}))
      ->capture_default_str();
  cmd->add_option("--parent-order", opt->parent_order, "HEALPix order of the catalog's cells")
      ->check(CLI::Range(0, 18))
      ->capture_default_str();
  add_latitude_option(*cmd, opt->latitude);
  cmd->add_option("--out", opt->out, "Catalog JSON to write (atomically)")->required();
  add_parallelism_option(*cmd, "-j,--workers", opt->workers, "Worker processes scanning granules (default: all cores)");
  add_granule_credential_options(*cmd, opt->credentials);
  cmd->callback([opt] { run_catalog(*opt); });
}

}  // namespace granary::cli
