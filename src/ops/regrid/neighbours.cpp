#include "ops/regrid/neighbours.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <nanoflann.hpp>

#include <spdlog/spdlog.h>

#include "ops/regrid/parallel.hpp"
#include "util/error.hpp"
#include "util/timer.hpp"

namespace granary::regrid {
namespace {

struct PointCloud {
  std::vector<std::array<double, 3>> xyz;
  std::size_t kdtree_get_point_count() const { return xyz.size(); }
  double kdtree_get_pt(std::uint32_t i, std::size_t dim) const { return xyz[i][dim]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};

using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, PointCloud>,
                                                 PointCloud, 3, std::uint32_t>;

// Bounds are widened by this relative slack for the tree walk only; the exact strict/
// non-strict comparisons are made afterwards on the returned distances, so a rounding
// difference in the tree's box distances can never drop a point at the boundary.
constexpr double kSlack = 1.0 + 1e-9;

struct Hit {
  double d2;
  std::uint32_t point;
  bool operator<(const Hit& o) const { return d2 < o.d2 || (d2 == o.d2 && point < o.point); }
};

// One tree walk answers both questions about a target: the nearest point (ties: lower
// index) and every point inside the search radius. nanoflann asks worstDist() to prune,
// so it is the larger of the radius and the current nearest distance.
class NearestAndInRadius {
 public:
  NearestAndInRadius(double radius2, double nearest_bound2, std::vector<Hit>& hits)
      : radius2_(radius2), best2_(nearest_bound2), hits_(hits) {
    hits_.clear();
    update_worst();
  }
  bool addPoint(double d2, std::uint32_t point) {
    if (d2 < radius2_) hits_.push_back({d2, point});
    if (d2 < best2_ || (d2 == best2_ && point < best_)) {
      best2_ = d2;
      best_ = point;
      update_worst();
    }
    return true;
  }
  // Asked at every tree node, so it is cached rather than computed.
  double worstDist() const { return worst2_; }
  bool full() const { return true; }
  bool found() const { return best_ != kNone; }
  std::uint32_t best() const { return best_; }
  double best2() const { return best2_; }

 private:
  // One ulp above, so that a point at exactly the nearest distance is still offered and
  // the lower index can win the tie.
  void update_worst() {
    worst2_ = std::nextafter(std::max(radius2_, best2_), std::numeric_limits<double>::infinity());
  }
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  double radius2_;
  double best2_;
  double worst2_ = 0.0;
  std::uint32_t best_ = kNone;
  std::vector<Hit>& hits_;
};

// The results of one target row, merged into the CSR once all rows are done.
struct RowResult {
  std::vector<std::uint32_t> counts;
  std::vector<std::uint32_t> points;
};

// cos and sin of every target longitude, shared by all rows (to_ecef's values, computed once).
struct LonTable {
  explicit LonTable(const TargetGrid& target) : cos(target.nlon), sin(target.nlon) {
    for (int col = 0; col < target.nlon; ++col) {
      double lo = deg_to_rad(target.lon(col));
      cos[col] = std::cos(lo);
      sin[col] = std::sin(lo);
    }
  }
  std::vector<double> cos, sin;
};

void search_row(const Tree& tree, const TargetGrid& target, const LonTable& lons, const SearchBounds& bounds,
                int row, std::int32_t* nearest, RowResult& out, std::vector<Hit>& hits) {
  const double row_radius = target.row_radius(row);
  const double limit = std::min(bounds.radius_bound, row_radius);
  const double search2 = (limit * kSlack) * (limit * kSlack);
  const double nearest2 = (bounds.nearest_bound * kSlack) * (bounds.nearest_bound * kSlack);
  const double lat = deg_to_rad(target.lat(row));
  const double r_cos_lat = kEcefRadius * std::cos(lat), z = kEcefRadius * std::sin(lat);
  out.counts.assign(target.nlon, 0);
  out.points.clear();
  nanoflann::SearchParams params(0, 0.0f, false);
  for (int col = 0; col < target.nlon; ++col) {
    // Same expression order as to_ecef.
    const double q[3] = {r_cos_lat * lons.cos[col], r_cos_lat * lons.sin[col], z};
    NearestAndInRadius result(search2, nearest2, hits);
    tree.findNeighbors(result, q, params);
    nearest[col] = result.found() && std::sqrt(result.best2()) < bounds.nearest_bound
                       ? static_cast<std::int32_t>(result.best())
                       : -1;
    std::sort(hits.begin(), hits.end());
    std::uint32_t n = 0;
    for (const Hit& h : hits) {
      double d = std::sqrt(h.d2);
      if (d < bounds.radius_bound && d <= row_radius) {
        out.points.push_back(h.point);
        ++n;
      }
    }
    out.counts[col] = n;
  }
}

}  // namespace

Neighbours find_neighbours(const TargetGrid& target, std::span<const double> lon_deg,
                           std::span<const double> lat_deg, const SearchBounds& bounds, int threads) {
  if (lon_deg.size() != lat_deg.size())
    fail("find_neighbours: {} longitudes but {} latitudes", lon_deg.size(), lat_deg.size());
  if (lon_deg.empty() || lon_deg.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    fail("find_neighbours: {} source points (need 1 .. 2^31-1)", lon_deg.size());
  PhaseTimer timer;
  PointCloud cloud;
  cloud.xyz.resize(lon_deg.size());
  for (std::size_t p = 0; p < lon_deg.size(); ++p) cloud.xyz[p] = to_ecef(lon_deg[p], lat_deg[p]);
  timer.mark("ecef");
  Tree tree(3, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(12));
  timer.mark("tree");

  Neighbours nb;
  nb.nearest.assign(target.size(), -1);
  const LonTable lons(target);
  std::vector<RowResult> rows(target.nlat);
  std::vector<std::vector<Hit>> scratch(resolve_threads(threads));
  const int n_threads = parallel_for_items(target.nlat, threads, [&](std::size_t row, int worker) {
    search_row(tree, target, lons, bounds, static_cast<int>(row), nb.nearest.data() + target.index(static_cast<int>(row), 0),
               rows[row], scratch[worker]);
  });
  timer.mark("search");

  nb.offsets.resize(target.size() + 1);
  std::size_t total = 0;
  for (const RowResult& r : rows) total += r.points.size();
  if (total >= std::numeric_limits<std::uint32_t>::max())
    fail("find_neighbours: {} in-radius pairs do not fit 32-bit offsets", total);
  nb.in_radius.reserve(total);
  std::size_t t = 0;
  nb.offsets[0] = 0;
  for (const RowResult& r : rows) {
    for (std::uint32_t c : r.counts) {
      nb.offsets[t + 1] = nb.offsets[t] + c;
      ++t;
    }
    nb.in_radius.insert(nb.in_radius.end(), r.points.begin(), r.points.end());
  }
  timer.mark("merge");
  const auto& sec = timer.seconds();
  spdlog::debug("neighbours: {} points, {} targets, {} threads: ecef {:.3f} s, tree {:.3f} s, search {:.3f} s, merge {:.3f} s",
                cloud.xyz.size(), target.size(), n_threads, sec.at("ecef"), sec.at("tree"), sec.at("search"),
                sec.at("merge"));
  return nb;
}

}  // namespace granary::regrid
