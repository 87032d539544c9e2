#pragma once
// One parent cell, end to end: read the granules' points in the cell, compute the
// per-child statistics, write the parent's chunk of the Zarr store. The payload is magg's
// Lambda event (plus granary's optional keys), so the same job runs from the CLI, the local
// process pool, Slurm or Lambda.
//
// Event (magg): parent_morton, parent_order, child_order, granule_urls, s3_bucket, s3_prefix,
//   chunk_idx, s3_credentials {accessKeyId, secretAccessKey, sessionToken}: the keys that
//   read s3:// granules (NSIDC's temporary credentials)
// Output of an event without `store`, where magg's Lambda wrote (englacial/zagg history):
//   * with chunk_idx, when the shared store s3://{s3_bucket}/{s3_prefix} exists: its chunk
//     chunk_idx (magg since aa60a0c5, e.g. 307b29dd: its orchestrator creates that store's
//     template first; magg's Lambda failed without it);
//   * otherwise (no chunk_idx, or no template and no create_store): a complete single-parent
//     store of its own,
//     s3://{s3_bucket}/{s3_prefix}/{parent_morton}.zarr, created if absent (magg's first
//     Lambda, cb6c6dba, which wrote xarray's to_zarr there); that URI is the zarr_path.
// granary keys: store (URI of a shared store: `atl06 run`'s layout), numerics ("double" |
//   "magg"), extra_stats (bool), skip_bad_granules (bool), create_store (bool: make a
//   one-parent store if none exists), zarr_format (3 | 2) and compression ("zstd" | "none")
//   of a store this job creates, latitude ("geodetic-spherical" | "authalic-wgs84") and
//   morton_form ("legacy" | "packed"): the cell index (recipes/atl06/cell_index.hpp), which
//   must be the store's, output_credentials {accessKeyId, secretAccessKey,
//   sessionToken, endpointUrl, region}: the keys (and S3 service) of an s3:// store, which
//   otherwise uses the default chain (environment, ~/.aws).
// Granule reads take their endpoint and region from the environment (AWS_ENDPOINT_URL_S3 /
// AWS_ENDPOINT_URL, AWS_REGION). Secrets are never logged nor echoed in error messages.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/s3_store.hpp"
#include "ops/aggregate/group_stats.hpp"
#include "recipes/atl06/cell_index.hpp"
#include "recipes/atl06/cell_points.hpp"

namespace granary::atl06 {

struct CellJob {
  std::int64_t parent = 0;
  int parent_order = 6, child_order = 12;
  std::vector<std::string> granules;
  std::string store;                     // output store URI
  std::optional<std::size_t> chunk_idx;  // default: the parent's position in the store
  ops::Numerics numerics = ops::Numerics::Double;
  bool extra = false;
  CellIndex index;
  bool skip_bad_granules = false;  // write the cell even if some granules could not be read
  bool create_store = false;
  // magg's event with a chunk_idx and no granary `store`: the shared store at the prefix when
  // an orchestrator made it (magg's template), else a one-parent store of its own here.
  std::string own_store_fallback;
  int zarr_format = 3;
  bool compress = true;
  io::S3Options granule_s3;  // how s3:// granules are read (s3_credentials)
  io::S3Options store_s3;    // how an s3:// store is written (output_credentials)
};

// An event's {accessKeyId, secretAccessKey, sessionToken} object (s3_credentials), both
// ways. Messages name the field, never its value.
nlohmann::json credentials_to_event(const io::s3::Credentials& keys);
io::s3::Credentials credentials_from_event(const nlohmann::json& event, const char* key);

// Validates an event; throws granary::Error ("event: ...") naming the bad or missing field.
CellJob parse_cell_event(const nlohmann::json& event);

// The result object of the Job contract:
//   {status: SUCCESS | FAILED, parent_morton, chunk_idx, cells_with_data, total_obs,
//    granule_count, files_processed, granules: {read, skipped, failed}, granule_outcomes: [...],
//    error (null | "No data after filtering" | "No granules found" | why it failed),
//    zarr_path, duration_s, durations {phase: s}, peak_rss_bytes, numerics,
//    granule_bytes, bytes_fetched, bytes_needed, read_amplification (fetched / needed),
//    read_requests, read_fraction (bytes_fetched / granule_bytes: the share of the granules
//    that was fetched); the same per granule in granule_outcomes (GranuleOutcome says what
//    is counted)}
// Failures of the job itself come back as status FAILED, never as an exception.
// `on_computed`, if given, sees the statistics before they are written (e.g. to also write
// them as CSV) without computing them twice.
struct CellResult;
nlohmann::json run_cell_job(const CellJob& job, const std::function<void(const CellResult&)>& on_computed = {});

// magg's Lambda return value for a result: {statusCode, body: {parent_morton,
// cells_with_data, total_obs, granule_count, files_processed, duration_s, error, zarr_path}}.
nlohmann::json magg_response(const nlohmann::json& result);

// Child rows as the oracle's CSV (non-empty children; floats as the shortest decimal of the
// float32 value's double): parent_morton, chunk_pos, child_morton, cell_id, count, h_min ...
std::string child_rows_csv(std::int64_t parent, int child_order, const ops::GroupStats& stats, bool header);

// The statistics of one parent (no store): what run_cell_job computes before writing.
struct CellResult {
  CellRead read;
  ops::GroupStats stats;
};
CellResult compute_cell(const CellJob& job);

}  // namespace granary::atl06
