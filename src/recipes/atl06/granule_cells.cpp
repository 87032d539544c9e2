#include "recipes/atl06/granule_cells.hpp"

#include <algorithm>
#include <set>

#include <tbb/parallel_for.h>

#include "grids/healpix/morton.hpp"
#include "recipes/atl06/granule.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"

namespace granary::atl06 {

std::vector<std::int64_t> granule_parent_cells(const std::string& uri, int parent_order, const io::S3Options& s3,
                                               healpix::LatitudeConvention latitude) {
  if (parent_order < 0 || parent_order > healpix::kMaxOrder) fail("parent order {} is outside 0..{}", parent_order, healpix::kMaxOrder);
  // Positions only; every chunk of every beam is read (the catalog must see every segment),
  // decoded on worker threads.
  const Granule g = open_granule(uri, {.values = false, .delta_time = false}, s3);
  struct Piece {
    std::size_t beam;
    std::uint64_t chunk;
    std::vector<std::int64_t> cells;
    std::string error;
  };
  std::vector<Piece> pieces;
  for (std::size_t b = 0; b < g.beams.size(); ++b)
    for (std::uint64_t k = 0; k < g.beams[b].latitude.chunk_count(); ++k) pieces.push_back({b, k, {}, {}});
  const int shift = 2 * (healpix::kMaxOrder - parent_order);
  tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
    Piece& p = pieces[i];
    try {
      thread_local std::vector<std::byte> lat_buf, lon_buf;
      const Beam& beam = g.beams[p.beam];
      beam.latitude.read_chunk(p.chunk, lat_buf);
      if (beam.longitude.chunk_length() == beam.latitude.chunk_length()) {
        beam.longitude.read_chunk(p.chunk, lon_buf);
      } else {
        lon_buf.resize(lat_buf.size());
        beam.longitude.read<double>(p.chunk * beam.latitude.chunk_length(),
                                    std::span(reinterpret_cast<double*>(lon_buf.data()), lon_buf.size() / sizeof(double)));
      }
      const auto* lat = reinterpret_cast<const double*>(lat_buf.data());
      const auto* lon = reinterpret_cast<const double*>(lon_buf.data());
      std::int64_t last = -1;
      for (std::size_t j = 0; j < lat_buf.size() / sizeof(double); ++j) {
        // As magg: the parent of the order-18 cell (not an order-6 index computed directly).
        const std::int64_t nest = healpix::ang2nest(lat[j], lon[j], healpix::kMaxOrder, latitude) >> shift;
        if (nest != last) p.cells.push_back(nest), last = nest;
      }
    } catch (const UnavailableError&) {
      throw;  // storage, not the granule: fails the scan as unavailable
    } catch (const std::exception& e) {
      p.error = e.what();
    }
  });
  std::set<std::int64_t> nests;
  for (const auto& p : pieces) {
    if (!p.error.empty()) fail("{}", p.error);
    nests.insert(p.cells.begin(), p.cells.end());
  }
  std::vector<std::int64_t> out;
  for (auto n : nests) out.push_back(healpix::nest_to_morton(n, parent_order));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace granary::atl06
