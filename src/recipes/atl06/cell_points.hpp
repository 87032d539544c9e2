#pragma once
// Step 1 of a parent-cell job: the points of a list of granules that fall in the parent
// cell and pass the quality filter, in magg's order (granule, beam, along-track), each with
// its child cell. Granules that cannot be read are reported, never dropped silently.
#include <cstdint>
#include <string>
#include <vector>

#include "grids/healpix/latitude.hpp"
#include "io/s3_store.hpp"

namespace granary::atl06 {

struct CellRequest {
  std::int64_t parent_morton = 0;
  int parent_order = 6;
  int child_order = 12;
  bool delta_time = false;  // also read delta_time (extra statistics)
  healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical;
};

struct CellPoints {
  std::vector<float> h, sigma;
  std::vector<std::uint32_t> child;    // position of the child cell in nested order, 0..4^(c-p)-1
  std::vector<double> time;            // delta_time, when requested
  std::vector<std::uint32_t> granule;  // index into the granule list, when time is requested
  std::size_t size() const { return h.size(); }
};

struct GranuleOutcome {
  std::string name;
  std::string status;  // "read" (points kept), "skipped" (no usable point in the cell), "failed"
  std::string reason;  // why skipped / failed
  int beams = 0;
  std::uint64_t segments = 0;  // segments of all beams (positions read for the prefilter)
  std::uint64_t in_cell = 0;   // segments in the parent cell (any quality)
  std::uint64_t kept = 0;      // of those, quality == 0
  // Read economy (io/range_reader.hpp): the granule's size; the bytes fetched from storage
  // (metadata blocks, chunks, chunk starts) and the requests that fetched them (ranged GETs
  // and the HEAD on S3, preads locally); the bytes needed (libhdf5's metadata reads and the
  // stored bytes the job decoded, each byte once). An s3:// granule counts libhdf5's metadata
  // reads too; a local one only granary's own chunk reads (libhdf5 reads a local file's
  // metadata itself).
  std::uint64_t size_bytes = 0;
  std::uint64_t bytes_fetched = 0;
  std::uint64_t bytes_needed = 0;
  std::uint64_t read_requests = 0;
};

// a / b rounded to 4 decimals; 0 when b is 0 (read_amplification, read_fraction).
double read_ratio(std::uint64_t a, std::uint64_t b);

struct CellReadStats {
  double open_seconds = 0, select_seconds = 0, values_seconds = 0;
  std::uint64_t candidates = 0;  // points that passed the lat/lon box and got an exact index
  std::uint64_t chunks_total = 0, chunks_scanned = 0;  // latitude chunks: all, and read whole
};

struct CellRead {
  CellPoints points;
  std::vector<GranuleOutcome> granules;  // one per input granule, in input order
  CellReadStats stats;
};

// Reads granules: local paths, or s3:// objects reached with `s3`. Threads come from the TBB
// arena of the caller.
CellRead read_cell_points(const std::vector<std::string>& granules, const CellRequest& request, const io::S3Options& s3 = {});

}  // namespace granary::atl06
