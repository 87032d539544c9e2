#include "recipes/atl06/cell_job.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "grids/healpix/morton.hpp"
#include "io/store.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "run/report.hpp"
#include "util/error.hpp"
#include "util/timer.hpp"
#include "util/json_input.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

constexpr const char* kNoData = "No data after filtering";
constexpr const char* kNoGranules = "No granules found";

template <typename T>
T field(const json& e, const char* key, const char* type_name) {
  if (!e.contains(key) || e[key].is_null()) fail("event: missing field '{}'", key);
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (auto v = json_integer<T>(e[key])) return *v;  // never get<T>(): a float beyond T is UB
    fail("event: field '{}' must be {} (got {})", key, type_name, e[key].dump());
  }
  try {
    return e[key].get<T>();
  } catch (const std::exception&) {
    fail("event: field '{}' must be {} (got {})", key, type_name, e[key].dump());
  }
}

template <typename T>
T optional_field(const json& e, const char* key, T fallback, const char* type_name) {
  if (!e.contains(key) || e[key].is_null()) return fallback;
  return field<T>(e, key, type_name);
}

bool has(const json& e, const char* key) { return e.contains(key) && !e[key].is_null(); }

std::unique_ptr<io::Store> open_output_store(const CellJob& job) {
  return io::is_s3_uri(job.store) ? io::open_s3_store(job.store, job.store_s3) : io::open_store(job.store);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

json credentials_to_event(const io::s3::Credentials& keys) {
  return {{"accessKeyId", keys.access_key_id}, {"secretAccessKey", keys.secret_access_key}, {"sessionToken", keys.session_token}};
}

io::s3::Credentials credentials_from_event(const json& e, const char* key) {
  const json& c = e[key];
  if (!c.is_object()) fail("event: {} must be an object {{accessKeyId, secretAccessKey, sessionToken}}", key);
  auto text = [&](const char* name, bool required) {
    if (!c.contains(name) || c[name].is_null() || (c[name].is_string() && c[name].get<std::string>().empty())) {
      if (required) fail("event: {}.{} is missing", key, name);
      return std::string();
    }
    if (!c[name].is_string()) fail("event: {}.{} must be a string", key, name);
    return c[name].get<std::string>();
  };
  return {text("accessKeyId", true), text("secretAccessKey", true), text("sessionToken", false)};
}

CellJob parse_cell_event(const json& e) {
  if (!e.is_object()) fail("event: expected a JSON object, got {}", e.type_name());
  CellJob j;
  j.parent = field<std::int64_t>(e, "parent_morton", "an integer morton index");
  if (!healpix::is_valid_morton(j.parent)) fail("event: parent_morton {} is not a valid morton index", j.parent);
  j.parent_order = optional_field<int>(e, "parent_order", healpix::morton_order(j.parent), "an integer");
  j.child_order = optional_field<int>(e, "child_order", 12, "an integer");
  if (healpix::morton_order(j.parent) != j.parent_order)
    fail("event: parent_morton {} has order {}, but parent_order is {}", j.parent, healpix::morton_order(j.parent), j.parent_order);
  if (j.child_order < j.parent_order || j.child_order > healpix::kMaxOrder || j.child_order - j.parent_order > 10)
    fail("event: child_order {} must be between parent_order {} and {}", j.child_order, j.parent_order,
         std::min(healpix::kMaxOrder, j.parent_order + 10));
  if (!e.contains("granule_urls") || !e["granule_urls"].is_array()) fail("event: field 'granule_urls' must be a list of strings");
  for (const auto& u : e["granule_urls"]) {
    if (!u.is_string()) fail("event: granule_urls must hold strings, got {}", u.dump());
    j.granules.push_back(u.get<std::string>());
  }
  if (e.contains("chunk_idx") && !e["chunk_idx"].is_null()) {
    const auto c = field<std::int64_t>(e, "chunk_idx", "a non-negative integer");
    if (c < 0) fail("event: chunk_idx must be non-negative, got {}", c);
    j.chunk_idx = static_cast<std::size_t>(c);
  }
  j.store = optional_field<std::string>(e, "store", "", "a string (store URI)");
  bool own_store = false;
  if (j.store.empty()) {
    const auto bucket = optional_field<std::string>(e, "s3_bucket", "", "a string");
    const auto prefix = optional_field<std::string>(e, "s3_prefix", "", "a string");
    if (bucket.empty()) fail("event: give 'store' or 's3_bucket' (and 's3_prefix') for the output");
    const std::string base = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
    // Where magg's Lambda wrote (see the header): a chunk_idx addresses a chunk of the shared
    // store at the prefix; without one, the parent gets a store of its own under the prefix.
    own_store = !j.chunk_idx;
    const auto own = fmt::format("{}/{}.zarr", base, j.parent);
    j.store = own_store ? own : base;
    if (!own_store) j.own_store_fallback = own;
  }
  const auto numerics = optional_field<std::string>(e, "numerics", "double", "\"double\" or \"magg\"");
  if (numerics == "magg") j.numerics = ops::Numerics::Magg;
  else if (numerics != "double") fail("event: numerics must be \"double\" or \"magg\", got \"{}\"", numerics);
  j.extra = optional_field<bool>(e, "extra_stats", false, "a boolean");
  j.skip_bad_granules = optional_field<bool>(e, "skip_bad_granules", false, "a boolean");
  j.create_store = own_store || optional_field<bool>(e, "create_store", false, "a boolean");
  j.zarr_format = optional_field<int>(e, "zarr_format", 3, "2 or 3");
  if (j.zarr_format != 2 && j.zarr_format != 3) fail("event: zarr_format must be 2 or 3, got {}", j.zarr_format);
  const auto compression = optional_field<std::string>(e, "compression", "zstd", "\"zstd\" or \"none\"");
  if (compression != "zstd" && compression != "none") fail("event: compression must be \"zstd\" or \"none\", got \"{}\"", compression);
  j.compress = compression == "zstd";
  const auto latitude = optional_field<std::string>(e, "latitude", "geodetic-spherical", "a string");
  const auto convention = healpix::parse_latitude(latitude);
  if (!convention) fail("event: latitude must be \"geodetic-spherical\" or \"authalic-wgs84\", got \"{}\"", latitude);
  j.index.latitude = *convention;
  const auto form = optional_field<std::string>(e, "morton_form", "legacy", "a string");
  const auto morton_form = parse_morton_form(form);
  if (!morton_form) fail("event: morton_form must be \"legacy\" or \"packed\", got \"{}\"", form);
  j.index.morton_form = *morton_form;
  if (has(e, "s3_credentials")) j.granule_s3.credentials = credentials_from_event(e, "s3_credentials");
  if (has(e, "output_credentials")) {
    j.store_s3.credentials = credentials_from_event(e, "output_credentials");
    const json& o = e["output_credentials"];
    j.store_s3.endpoint = optional_field<std::string>(o, "endpointUrl", "", "a string (URL)");
    j.store_s3.region = optional_field<std::string>(o, "region", "", "a string");
  }
  return j;
}

CellResult compute_cell(const CellJob& job) {
  CellResult r;
  CellRequest req{job.parent, job.parent_order, job.child_order, job.extra, job.index.latitude};
  r.read = read_cell_points(job.granules, req, job.granule_s3);
  const auto& p = r.read.points;
  ops::GroupInput in{p.h, p.sigma, p.child, p.time, p.granule};
  const std::size_t groups = std::size_t{1} << (2 * (job.child_order - job.parent_order));
  r.stats = ops::group_statistics(in, groups, job.numerics, job.extra);
  return r;
}

json run_cell_job(const CellJob& requested, const std::function<void(const CellResult&)>& on_computed) {
  const auto t0 = std::chrono::steady_clock::now();
  CellJob job = requested;  // the store may still be chosen (own_store_fallback)
  json result = {{"status", "FAILED"},
                 {"parent_morton", job.parent},
                 {"granule_count", job.granules.size()},
                 {"files_processed", 0},
                 {"cells_with_data", 0},
                 {"total_obs", 0},
                 {"zarr_path", job.store},
                 {"numerics", job.numerics == ops::Numerics::Magg ? "magg" : "double"},
                 {"error", nullptr},
                 {"inputs", job.granules}};
  PhaseTimer timer;
  std::unique_ptr<io::Store> store;  // kept for the status object written after the chunks
  try {
    store = open_output_store(job);
    std::optional<StoreLayout> layout = read_layout(*store, job.child_order);
    if (!layout && !job.create_store && !job.own_store_fallback.empty()) {
      // No template at the prefix: as magg's Lambda without one, the parent gets its own store.
      job.store = job.own_store_fallback;
      job.chunk_idx.reset();
      job.create_store = true;
      result["zarr_path"] = job.store;
      store = open_output_store(job);
      layout = read_layout(*store, job.child_order);
    }
    if (!layout) {
      if (!job.create_store)
        fail("{}: no ATL06 store for child order {} (run `granary atl06 run`, or `granary atl06 cell` which creates a one-parent store)",
             job.store, job.child_order);
      StoreLayout l;
      l.format = job.zarr_format == 2 ? zarr::Format::V2 : zarr::Format::V3;
      l.codec.kind = job.compress ? zarr::Codec::Kind::Zstd : zarr::Codec::Kind::None;
      l.parent_order = job.parent_order;
      l.child_order = job.child_order;
      l.extra = job.extra;
      l.index = job.index;
      l.parents = {job.parent};
      create_store(*store, l);
      layout = l;
    }
    if (layout->parent_order != job.parent_order)
      fail("{}: store has parent order {}, job has {}", job.store, layout->parent_order, job.parent_order);
    if (layout->extra != job.extra)
      fail("{}: store was made {} extra statistics; run the job {} --extra-stats", job.store, layout->extra ? "with" : "without",
           layout->extra ? "with" : "without");
    check_same_index(*layout, job.index, job.store);
    const auto chunk = job.chunk_idx ? std::optional<std::size_t>(*job.chunk_idx) : layout->chunk_of(job.parent);
    if (!chunk) fail("{}: parent {} is not one of the store's parent cells", job.store, job.parent);
    if (*chunk >= layout->parents.size() || layout->parents[*chunk] != job.parent)
      fail("{}: chunk_idx {} holds parent {}, not {}", job.store, *chunk,
           *chunk < layout->parents.size() ? fmt::format("{}", layout->parents[*chunk]) : std::string("none (out of range)"), job.parent);
    result["chunk_idx"] = *chunk;
    timer.mark("open_store");

    CellResult cell = compute_cell(job);
    if (on_computed) on_computed(cell);
    timer.mark("read_and_aggregate");
    const auto& rs = cell.read.stats;
    json outcomes = json::array();
    int read = 0, skipped = 0, failed = 0;
    std::uint64_t granule_bytes = 0, bytes_fetched = 0, bytes_needed = 0, read_requests = 0;
    for (const auto& g : cell.read.granules) {
      json o = {{"granule", g.name}, {"status", g.status}, {"beams", g.beams}, {"segments", g.segments},
                {"in_cell", g.in_cell}, {"kept", g.kept}, {"size_bytes", g.size_bytes}, {"bytes_fetched", g.bytes_fetched},
                {"bytes_needed", g.bytes_needed}, {"read_amplification", read_ratio(g.bytes_fetched, g.bytes_needed)},
                {"read_requests", g.read_requests}};
      if (!g.reason.empty()) o["reason"] = g.reason;
      outcomes.push_back(std::move(o));
      read += g.status == "read";
      skipped += g.status == "skipped";
      failed += g.status == "failed";
      granule_bytes += g.size_bytes;
      bytes_fetched += g.bytes_fetched;
      bytes_needed += g.bytes_needed;
      read_requests += g.read_requests;
    }
    result["granules"] = {{"read", read}, {"skipped", skipped}, {"failed", failed}};
    result["granule_outcomes"] = std::move(outcomes);
    result["files_processed"] = read + skipped;
    result["granule_bytes"] = granule_bytes;
    result["bytes_fetched"] = bytes_fetched;
    result["bytes_needed"] = bytes_needed;
    result["read_amplification"] = read_ratio(bytes_fetched, bytes_needed);
    result["read_requests"] = read_requests;
    result["read_fraction"] = read_ratio(bytes_fetched, granule_bytes);
    result["candidates"] = rs.candidates;
    result["chunks"] = {{"total", rs.chunks_total}, {"scanned", rs.chunks_scanned}};
    result["read_phases"] = {{"open_granules", rs.open_seconds}, {"select", rs.select_seconds}, {"values", rs.values_seconds}};
    result["cells_with_data"] = cell.stats.groups_with_data();
    result["total_obs"] = cell.stats.total();
    if (failed > 0 && !job.skip_bad_granules) {
      std::string first;
      for (const auto& g : cell.read.granules)
        if (g.status == "failed") {
          first = g.reason;
          break;
        }
      fail("{} of {} granules could not be read (first: {}); nothing written (rerun with --skip-bad-granules to write the rest)",
           failed, job.granules.size(), first);
    }
    result["bytes"] = write_parent(*store, *layout, *chunk, job.parent, cell.stats);
    timer.mark("write");
    if (job.granules.empty()) result["error"] = kNoGranules;
    else if (cell.stats.total() == 0) result["error"] = kNoData;
    result["status"] = "SUCCESS";
  } catch (const std::exception& e) {
    result["error"] = e.what();
    run::mark_if_unavailable(result, e);
  }
  result["durations"] = timer.seconds();
  result["duration_s"] = std::round(seconds_since(t0) * 1000.0) / 1000.0;
  result["peak_rss_bytes"] = peak_rss_bytes();
  if (result["status"] == "SUCCESS") {
    try {
      const std::string text = result.dump(1);
      store->put(status_key(job.parent, job.child_order), std::as_bytes(std::span(text.data(), text.size())));
    } catch (const std::exception& e) {
      result["status"] = "FAILED";
      result["error"] = fmt::format("cell written but its status could not be recorded: {}", e.what());
      run::mark_if_unavailable(result, e);
    }
  }
  return result;
}

json magg_response(const json& result) {
  const bool ok = result.value("status", "") == "SUCCESS";
  json body;
  for (const char* k : {"parent_morton", "cells_with_data", "total_obs", "granule_count", "files_processed", "duration_s", "error", "zarr_path"})
    body[k] = result.contains(k) ? result[k] : json(nullptr);
  return {{"statusCode", ok ? 200 : 500}, {"body", body}};
}

std::string child_rows_csv(std::int64_t parent, int child_order, const ops::GroupStats& s, bool header) {
  std::string out;
  if (header) {
    out += "parent_morton,chunk_pos,child_morton,cell_id,count,h_min,h_max,h_mean,h_sigma,h_variance,h_q25,h_q50,h_q75";
    if (s.extra) out += ",h_std,t_min,t_max,n_granules";
    out += "\n";
  }
  const auto kids = healpix::morton_children(parent, child_order);
  const auto first = healpix::morton_to_nest(kids.front()).nest;
  auto f = [](float v) { return fmt::format("{}", static_cast<double>(v)); };
  for (std::size_t i = 0; i < s.count.size(); ++i) {
    if (s.count[i] == 0) continue;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}", parent, i, kids[i], first + static_cast<std::int64_t>(i), s.count[i],
                       f(s.h_min[i]), f(s.h_max[i]), f(s.h_mean[i]), f(s.h_sigma[i]), f(s.h_variance[i]), f(s.h_q25[i]),
                       f(s.h_q50[i]), f(s.h_q75[i]));
    if (s.extra) out += fmt::format(",{},{},{},{}", f(s.h_std[i]), s.t_min[i], s.t_max[i], s.n_sources[i]);
    out += "\n";
  }
  return out;
}

}  // namespace granary::atl06
