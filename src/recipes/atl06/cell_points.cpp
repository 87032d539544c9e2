#include "recipes/atl06/cell_points.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "grids/healpix/cell_bounds.hpp"
#include "grids/healpix/morton.hpp"
#include "grids/llc/sphere.hpp"
#include "io/store.hpp"
#include "recipes/atl06/granule.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::atl06 {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One chunk of one beam of one granule: the unit of parallel work.
struct Piece {
  std::size_t granule = 0, beam = 0;
  std::uint64_t chunk = 0;
  // Filled by the selection pass: along-track indices in the parent and their child cells.
  std::vector<std::uint32_t> index;
  std::vector<std::uint32_t> child;
  std::uint64_t candidates = 0;
  // Filled by the value pass: the kept points.
  std::vector<float> h, sigma;
  std::vector<double> time;
  std::vector<std::uint32_t> kept_child;
  std::string error;
};

template <typename T>
const T* as(const std::vector<std::byte>& v) {
  return reinterpret_cast<const T*>(v.data());
}

// Which chunks of a beam can hold points of the cell, from the first position and time of
// every chunk (a few hundred bytes of each deflate stream) instead of every position.
//
// Why this is exact: segments are in time order along the ground track, and a beam's ground
// track moves at most kMaxRate degrees of arc per second (ICESat-2's ground speed is ~7 km/s;
// the bound allows 9.5 km/s). A point X at time t between the starts P0 (time t0) and P1 (t1)
// of chunks k and k+1 so has d(P0, X) + d(X, P1) <= r (t1 - t0): it lies in an ellipse with
// foci P0 and P1. X in the cell (centre C, radius R) needs d(P0, C) + d(P1, C) <= r (t1 - t0) + 2R.
// The bound holds across data gaps and the turn near 88 degrees, where it simply widens.
// A beam whose boundary values break the premises (time not increasing, fill values, no
// delta_time) has every chunk scanned. The last chunk has no successor: it is bounded by the
// granule's end time (d(P0, X) <= r (t_end - t0)) when the file gives one, else scanned.
constexpr double kMaxRate = 9.5 / 6371.0 * 180.0 / 3.14159265358979;  // degrees of arc per second
constexpr double kSlack = 0.05;  // degrees

double arc_deg(double lat1, double lon1, double lat2, double lon2) {
  using namespace llc::sphere;
  return deg(angle(to_xyz(lon1, lat1), to_xyz(lon2, lat2)));
}

std::vector<bool> chunks_to_scan(const Beam& beam, const healpix::CellBox& box, std::optional<double> end_time) {
  const std::uint64_t n = beam.latitude.chunk_count();
  std::vector<bool> scan(n, true);
  const std::uint64_t len = beam.latitude.chunk_length();
  if (n < 3 || !beam.delta_time || beam.delta_time->chunk_length() != len || beam.longitude.chunk_length() != len) return scan;
  std::vector<double> lat(n), lon(n), time(n);
  // Small reads, in parallel: on S3 each is a request that mostly waits for its first byte.
  tbb::parallel_for(std::uint64_t{0}, n, [&](std::uint64_t k) {
    beam.latitude.read_first(k, std::as_writable_bytes(std::span(&lat[k], 1)));
    beam.longitude.read_first(k, std::as_writable_bytes(std::span(&lon[k], 1)));
    beam.delta_time->read_first(k, std::as_writable_bytes(std::span(&time[k], 1)));
  });
  for (std::uint64_t k = 0; k < n; ++k) {
    // ATL06 fills positions and delta_time with 0: no bound can be drawn from a fill.
    if (!(std::abs(lat[k]) <= 90.0) || !(std::abs(lon[k]) <= 360.0) || lat[k] == 0.0 || !(time[k] > 0.0)) return scan;
    if (k > 0 && !(time[k] > time[k - 1])) return scan;
  }
  double clon = box.lon_centre;
  for (std::uint64_t k = 0; k + 1 < n; ++k) {
    const double reach = kMaxRate * (time[k + 1] - time[k]) + 2 * box.radius_deg + 2 * kSlack;
    scan[k] = arc_deg(lat[k], lon[k], box.centre_lat, clon) + arc_deg(lat[k + 1], lon[k + 1], box.centre_lat, clon) <= reach;
  }
  if (end_time && *end_time > time[n - 1])
    scan[n - 1] = arc_deg(lat[n - 1], lon[n - 1], box.centre_lat, clon) <=
                  kMaxRate * (*end_time - time[n - 1]) + box.radius_deg + kSlack;
  return scan;
}

// s3:// granules are read with many requests in flight: a GET waits tens of milliseconds for
// its first byte, so threads beyond the cores hide that wait rather than compete for CPU
// (TBB's default is one thread per core). A thread limit set by the caller (granary -j, a
// tbb::global_control) still wins: the smallest limit applies.
constexpr int kRemoteReadThreads = 32;

template <typename Work>
void with_read_threads(bool remote, Work&& work) {
  if (!remote) return work();
  const int threads = std::max(kRemoteReadThreads, tbb::this_task_arena::max_concurrency());
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute(work);
}

struct Geometry {
  healpix::CellBox box;
  std::int64_t parent_nest = 0;
  int parent_shift = 0;  // order-18 id >> parent_shift = parent's nested id
  int child_shift = 0;   // order-18 id >> child_shift = child's nested id
  std::int64_t first_child = 0;
  healpix::LatitudeConvention latitude = healpix::LatitudeConvention::GeodeticSpherical;
};

void select_points(const Granule& g, const Geometry& geo, Piece& p) {
  const Beam& beam = g.beams[p.beam];
  thread_local std::vector<std::byte> lat_buf, lon_buf;
  beam.latitude.read_chunk(p.chunk, lat_buf);
  const double* lat = as<double>(lat_buf);
  const std::size_t n = lat_buf.size() / sizeof(double);
  // Latitude alone rejects most chunks of a track, so longitude is decoded only when needed.
  std::size_t first = n;
  for (std::size_t i = 0; i < n; ++i)
    if (geo.box.contains_lat(lat[i])) {
      first = i;
      break;
    }
  if (first == n) return;
  beam.longitude.read_chunk(p.chunk, lon_buf);
  const double* lon = as<double>(lon_buf);
  const std::uint64_t base = p.chunk * beam.latitude.chunk_length();
  for (std::size_t i = first; i < n; ++i) {
    if (!geo.box.contains(lat[i], lon[i])) continue;
    ++p.candidates;
    // The exact test, as magg: the order-18 cell's ancestor is the parent.
    const std::int64_t nest18 = healpix::ang2nest(lat[i], lon[i], healpix::kMaxOrder, geo.latitude);
    if ((nest18 >> geo.parent_shift) != geo.parent_nest) continue;
    p.index.push_back(static_cast<std::uint32_t>(base + i));
    p.child.push_back(static_cast<std::uint32_t>((nest18 >> geo.child_shift) - geo.first_child));
  }
}

// The value columns share latitude's chunking in every ATL06 file, so the chunk the
// selection decoded is the one to read; otherwise read just the piece's index range.
template <typename T>
const T* fetch(const hdf5::Column& c, const Piece& p, std::uint64_t lat_chunk, std::vector<std::byte>& buf,
               std::uint64_t& base) {
  if (c.chunk_length() == lat_chunk) {
    c.read_chunk(p.chunk, buf);
    base = p.chunk * lat_chunk;
  } else {
    base = p.index.front();
    const std::size_t n = p.index.back() - base + 1;
    buf.resize(n * sizeof(T));
    c.read<T>(base, std::span<T>(reinterpret_cast<T*>(buf.data()), n));
  }
  return as<T>(buf);
}

void read_values(const Granule& g, bool with_time, Piece& p) {
  const Beam& beam = g.beams[p.beam];
  const std::uint64_t lat_chunk = beam.latitude.chunk_length();
  thread_local std::vector<std::byte> hb, sb, qb, tb;
  std::uint64_t h0 = 0, s0 = 0, q0 = 0, t0 = 0;
  const float* h = fetch<float>(*beam.h_li, p, lat_chunk, hb, h0);
  const float* s = fetch<float>(*beam.h_li_sigma, p, lat_chunk, sb, s0);
  const std::int8_t* q = fetch<std::int8_t>(*beam.quality, p, lat_chunk, qb, q0);
  const double* t = with_time ? fetch<double>(*beam.delta_time, p, lat_chunk, tb, t0) : nullptr;
  for (std::size_t j = 0; j < p.index.size(); ++j) {
    const std::uint64_t i = p.index[j];
    if (q[i - q0] != 0) continue;
    p.h.push_back(h[i - h0]);
    p.sigma.push_back(s[i - s0]);
    p.kept_child.push_back(p.child[j]);
    if (t) p.time.push_back(t[i - t0]);
  }
}

// Prunes every beam's chunks, then selects the cell's points chunk by chunk and reads their
// values: the parallel part of a cell read. Errors stay with their piece.
std::vector<Piece> read_pieces(const std::vector<std::optional<Granule>>& open, const Geometry& geo, bool delta_time,
                               CellReadStats& stats) {
  auto guarded = [&](Piece& p, auto&& work) {
    try {
      work(p);
    } catch (const UnavailableError&) {
      throw;  // storage stayed unavailable: the cell fails (a rerun retries it), no granule is blamed
    } catch (const std::exception& e) {
      p.error = e.what();
    }
  };
  auto t0 = Clock::now();
  // Prune chunks per beam (in parallel), then scan the rest chunk by chunk.
  struct BeamRef {
    std::size_t granule, beam;
    std::vector<bool> scan;
    std::string error;
  };
  std::vector<BeamRef> beams;
  for (std::size_t gi = 0; gi < open.size(); ++gi)
    if (open[gi])
      for (std::size_t bi = 0; bi < open[gi]->beams.size(); ++bi) beams.push_back({gi, bi, {}, {}});
  tbb::parallel_for(std::size_t{0}, beams.size(), [&](std::size_t i) {
    auto& b = beams[i];
    try {
      b.scan = chunks_to_scan(open[b.granule]->beams[b.beam], geo.box, open[b.granule]->end_delta_time);
    } catch (const UnavailableError&) {
      throw;
    } catch (const std::exception& e) {
      b.error = e.what();
    }
  });
  std::vector<Piece> pieces;
  for (const auto& b : beams) {
    const auto& beam = open[b.granule]->beams[b.beam];
    for (std::uint64_t k = 0; k < beam.latitude.chunk_count(); ++k) {
      if (b.error.empty() && !b.scan[k]) continue;
      Piece p;
      p.granule = b.granule, p.beam = b.beam, p.chunk = k;
      p.error = b.error;
      pieces.push_back(std::move(p));
      if (!b.error.empty()) break;  // one piece carries the beam's error
    }
  }
  stats.chunks_total = 0;
  for (const auto& b : beams) stats.chunks_total += open[b.granule]->beams[b.beam].latitude.chunk_count();
  stats.chunks_scanned = pieces.size();
  tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
    if (pieces[i].error.empty()) guarded(pieces[i], [&](Piece& p) { select_points(*open[p.granule], geo, p); });
  });
  stats.select_seconds = since(t0);
  t0 = Clock::now();
  tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
    Piece& p = pieces[i];
    if (p.error.empty() && !p.index.empty())
      guarded(p, [&](Piece& q) { read_values(*open[q.granule], delta_time, q); });
  });
  stats.values_seconds = since(t0);
  return pieces;
}

// GRANARY_READ_TRACE=DIR: the granule's needs and fetches, for bench/read_sim.py, in
// DIR/<parent>-<granule file name>.trace.
void write_trace(const io::RangeReader& bytes, std::int64_t parent) {
  const std::string& name = bytes.name();
  const std::string dir = std::getenv("GRANARY_READ_TRACE");
  bytes.write_trace(fmt::format("{}/{}-{}.trace", dir, parent, name.substr(name.find_last_of('/') + 1)));
}

}  // namespace

double read_ratio(std::uint64_t a, std::uint64_t b) {
  return b ? std::round(1e4 * static_cast<double>(a) / static_cast<double>(b)) / 1e4 : 0.0;
}

CellRead read_cell_points(const std::vector<std::string>& granules, const CellRequest& req, const io::S3Options& s3) {
  const auto parent = healpix::morton_to_nest(req.parent_morton);
  if (parent.order != req.parent_order)
    fail("parent {} has order {}, expected {}", req.parent_morton, parent.order, req.parent_order);
  if (req.child_order < req.parent_order || req.child_order > healpix::kMaxOrder)
    fail("child order {} must be in {}..{}", req.child_order, req.parent_order, healpix::kMaxOrder);
  if (req.child_order - req.parent_order > 15) fail("child order {} is too fine for one job", req.child_order);
  Geometry geo;
  // The box is drawn in the kernel's frame; points are geodetic (healpix::geodetic_box).
  geo.box = healpix::geodetic_box(healpix::cell_box(parent.nest, parent.order), req.latitude);
  geo.latitude = req.latitude;
  geo.parent_nest = parent.nest;
  geo.parent_shift = 2 * (healpix::kMaxOrder - req.parent_order);
  geo.child_shift = 2 * (healpix::kMaxOrder - req.child_order);
  geo.first_child = parent.nest << (2 * (req.child_order - req.parent_order));

  CellRead out;
  out.granules.resize(granules.size());
  std::vector<std::optional<Granule>> open(granules.size());
  auto t0 = Clock::now();
  // libhdf5 is not thread-safe: describing the files is serial (it touches metadata only).
  for (std::size_t gi = 0; gi < granules.size(); ++gi) {
    auto& o = out.granules[gi];
    o.name = granules[gi];
    try {
      open[gi] = open_granule(granules[gi], {.values = true, .delta_time = req.delta_time}, s3);
      o.beams = static_cast<int>(open[gi]->beams.size());
      for (const auto& b : open[gi]->beams) o.segments += b.latitude.size();
    } catch (const UnavailableError&) {
      throw;
    } catch (const std::exception& e) {
      o.status = "failed";
      o.reason = e.what();
    }
  }
  out.stats.open_seconds = since(t0);

  std::vector<Piece> pieces;
  const bool remote = std::any_of(granules.begin(), granules.end(), [](const std::string& g) { return io::is_s3_uri(g); });
  with_read_threads(remote, [&] { pieces = read_pieces(open, geo, req.delta_time, out.stats); });

  // A granule with any unreadable chunk fails as a whole: a partial granule would be a
  // silent loss of points.
  for (const Piece& p : pieces) {
    auto& o = out.granules[p.granule];
    if (!p.error.empty() && o.status != "failed") {
      o.status = "failed";
      o.reason = p.error;
    }
  }
  for (const Piece& p : pieces) {
    out.stats.candidates += p.candidates;
    auto& o = out.granules[p.granule];
    if (o.status == "failed") continue;
    o.in_cell += p.index.size();
    o.kept += p.h.size();
    auto& pts = out.points;
    pts.h.insert(pts.h.end(), p.h.begin(), p.h.end());
    pts.sigma.insert(pts.sigma.end(), p.sigma.begin(), p.sigma.end());
    pts.child.insert(pts.child.end(), p.kept_child.begin(), p.kept_child.end());
    if (req.delta_time) {
      pts.time.insert(pts.time.end(), p.time.begin(), p.time.end());
      pts.granule.insert(pts.granule.end(), p.h.size(), static_cast<std::uint32_t>(p.granule));
    }
  }
  for (std::size_t gi = 0; gi < out.granules.size(); ++gi) {
    auto& o = out.granules[gi];
    if (open[gi]) {
      const io::RangeReader& bytes = *open[gi]->bytes;
      o.size_bytes = bytes.size();
      o.bytes_fetched = bytes.bytes_fetched();
      o.bytes_needed = bytes.bytes_needed();
      o.read_requests = bytes.requests();
      if (io::read_tracing_enabled()) write_trace(bytes, req.parent_morton);
    }
    if (o.status == "failed") continue;
    if (o.kept > 0) {
      o.status = "read";
    } else {
      o.status = "skipped";
      o.reason = o.in_cell == 0 ? "no segment in the parent cell" : "no segment with atl06_quality_summary == 0 in the parent cell";
    }
  }
  return out;
}

}  // namespace granary::atl06
