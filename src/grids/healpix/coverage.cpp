#include "grids/healpix/coverage.hpp"

#include <chealpix.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>
#include <unordered_map>
#include <unordered_set>

#include "grids/healpix/morton.hpp"
#include "grids/llc/sphere.hpp"
#include "util/error.hpp"

namespace granary::healpix {
namespace {

using llc::sphere::cross;
using llc::sphere::dot;
using llc::sphere::norm;
using llc::sphere::normalized;
using llc::sphere::operator+;
using llc::sphere::operator-;
using llc::sphere::operator*;
using llc::sphere::Vec3;
using CellSet = std::unordered_set<std::int64_t>;

constexpr double kPi = std::numbers::pi;
// The boundary band is found among cells kBandDepth orders finer (8x smaller), whose
// parents are then taken: the band is 1/8 of a cell wide instead of a whole cell.
constexpr int kBandDepth = 3;
// Samples per (fine) cell size along every edge (see the guarantee in the header).
constexpr int kSamplesPerCell = 16;
// Neighbours are found on small circles around the cell's corners, measured in cells of
// order + kCornerDepth (16x smaller): the corner child's centre is ~0.7 of those from the
// corner, so circles of radius 2 and 4 enclose the corner and cross every cell meeting
// there, while staying far inside cells that are 16 of those across.
constexpr int kCornerDepth = 4;
constexpr int kCircleSamples = 48;
constexpr double kCircleRadii[] = {2.0, 4.0};

void check_order(int order) {
  if (order < 0 || order > kMaxOrder) fail("HEALPix order {} is outside 0..{}", order, kMaxOrder);
}

std::int64_t nside_of(int order) { return std::int64_t{1} << order; }

// Square root of a cell's area, radians.
double cell_size(int order) { return std::sqrt(4 * kPi / (12.0 * double(nside_of(order)) * nside_of(order))); }

Vec3 unit(const LatLon& p) {
  if (!std::isfinite(p.lat) || !std::isfinite(p.lon) || p.lat < -90.0 || p.lat > 90.0)
    fail("coordinate (lat {}, lon {}) is not a valid position", p.lat, p.lon);
  return llc::sphere::to_xyz(p.lon, p.lat);
}

std::int64_t cell_of(const Vec3& v, int order) {
  std::int64_t nest = 0;
  vec2pix_nest64(nside_of(order), v.data(), &nest);
  return nest;
}

Vec3 centre_of(std::int64_t nest, int order) {
  Vec3 v{};
  pix2vec_nest64(nside_of(order), nest, v.data());
  return v;
}

// Any unit vector perpendicular to v.
Vec3 perpendicular(const Vec3& v) {
  const Vec3 axis = std::abs(v[0]) < 0.9 ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
  return normalized(cross(v, axis));
}

// Nested ids interleave the bits of a cell's (x, y) position in its base face: x in the
// even bits, y in the odd ones.
std::int64_t even_bits(std::int64_t v, int order) {
  std::int64_t out = 0;
  for (int i = 0; i < order; ++i) out |= ((v >> (2 * i)) & 1) << i;
  return out;
}
std::int64_t spread_bits(std::int64_t v, int order) {
  std::int64_t out = 0;
  for (int i = 0; i < order; ++i) out |= ((v >> i) & 1) << (2 * i);
  return out;
}

// Away from its face's border a cell's neighbours are the 8 around it in the face's grid.
bool neighbours_in_face(std::int64_t nest, int order, std::vector<std::int64_t>& out) {
  const std::int64_t nside = nside_of(order), per_face = nside * nside;
  const std::int64_t face = nest / per_face, in_face = nest % per_face;
  const std::int64_t x = even_bits(in_face, order), y = even_bits(in_face >> 1, order);
  if (x == 0 || y == 0 || x == nside - 1 || y == nside - 1) return false;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx)
      if (dx || dy) out.push_back(face * per_face + spread_bits(x + dx, order) + 2 * spread_bits(y + dy, order));
  std::sort(out.begin(), out.end());
  return true;
}

// Cells on a face border: every neighbour shares a corner with the cell, so small circles
// around the four corners cross them all (checked against healpy at orders 0..7).
std::vector<std::int64_t> face_border_neighbours(std::int64_t nest, int order) {
  std::vector<std::int64_t> out;
  const int fine = order + kCornerDepth;
  const std::int64_t per_cell = std::int64_t{1} << (2 * kCornerDepth);
  const std::int64_t x_bits = (per_cell - 1) / 3;  // 0b0101..01: the child at x = max, y = 0
  const double child = cell_size(fine);
  for (std::int64_t corner : {std::int64_t{0}, x_bits, 2 * x_bits, per_cell - 1}) {
    const Vec3 p = centre_of(nest * per_cell + corner, fine);
    const Vec3 e1 = perpendicular(p), e2 = cross(p, e1);
    for (double radius : kCircleRadii) {
      const double r = radius * child;
      for (int j = 0; j < kCircleSamples; ++j) {
        const double t = 2 * kPi * j / kCircleSamples;
        const Vec3 q = std::cos(r) * p + std::sin(r) * (std::cos(t) * e1 + std::sin(t) * e2);
        const std::int64_t c = cell_of(q, order);
        if (c != nest) out.push_back(c);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::int64_t> neighbours_of(std::int64_t nest, int order) {
  std::vector<std::int64_t> out;
  if (neighbours_in_face(nest, order, out)) return out;
  // Border cells are few but dear (384 ang2pix each); catalog runs meet the same ones often.
  thread_local std::unordered_map<std::int64_t, std::vector<std::int64_t>> cache;
  if (cache.size() > 1'000'000) cache.clear();
  const std::int64_t key = (std::int64_t{order} << 58) | nest;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, face_border_neighbours(nest, order)).first;
  return it->second;
}

// Points along the great-circle arc a -> b, spaced at most `step` radians, without b.
void densify_edge(const Vec3& a, const Vec3& b, double step, std::vector<Vec3>& out) {
  const Vec3 n = cross(a, b);
  const double angle = std::atan2(norm(n), dot(a, b));
  if (angle > kPi - 1e-9) {
    const auto p = llc::sphere::to_lonlat(a), q = llc::sphere::to_lonlat(b);
    fail("edge from (lat {}, lon {}) to (lat {}, lon {}) joins antipodal points: its great circle is undefined",
         p.lat, p.lon, q.lat, q.lon);
  }
  const int pieces = std::max(1, static_cast<int>(std::ceil(angle / step)));
  // Slerp: exact points of the arc, whatever its length.
  const double s = std::sin(angle);
  for (int i = 0; i < pieces; ++i) {
    const double t = angle * i / pieces;
    out.push_back(s < 1e-15 ? a : normalized((std::sin(angle - t) / s) * a + (std::sin(t) / s) * b));
  }
}

std::vector<Vec3> distinct_vertices(std::span<const LatLon> points) {
  std::vector<Vec3> v;
  v.reserve(points.size());
  for (const auto& p : points) {
    Vec3 u = unit(p);
    if (v.empty() || norm(u - v.back()) > 1e-12) v.push_back(u);
  }
  return v;
}

// The boundary band at `order`: the parents of the cells at order + kBandDepth that hold
// a sample or neighbour one that does.
CellSet band_cells(const std::vector<Vec3>& samples, int order) {
  const int fine = order + kBandDepth;
  std::vector<std::int64_t> sampled;  // runs of samples share a fine cell: keep one of each
  for (const auto& s : samples) {
    const std::int64_t c = cell_of(s, fine);
    if (sampled.empty() || sampled.back() != c) sampled.push_back(c);
  }
  std::sort(sampled.begin(), sampled.end());
  sampled.erase(std::unique(sampled.begin(), sampled.end()), sampled.end());
  std::vector<std::int64_t> parents;
  for (std::int64_t c : sampled) {
    parents.push_back(c >> (2 * kBandDepth));
    for (std::int64_t n : neighbours_of(c, fine)) parents.push_back(n >> (2 * kBandDepth));
  }
  return CellSet(parents.begin(), parents.end());
}

// Edge sampling step, radians: 1/16 of a cell of the band's order.
double sample_step(int order) { return cell_size(order + kBandDepth) / kSamplesPerCell; }

std::vector<std::int64_t> to_sorted_morton(const CellSet& cells, int order) {
  std::vector<std::int64_t> out;
  out.reserve(cells.size());
  for (std::int64_t c : cells) out.push_back(nest_to_morton(c, order));
  std::sort(out.begin(), out.end());
  return out;
}

// Inside test for a closed ring of densified vertices. The ring is projected
// stereographically from the antipode of its centroid (which is outside): the projection
// is continuous and one-to-one, so crossing parity in the plane decides inside/outside.
// Projected great circles are circles, not lines: callers densify the ring enough that
// the chords stand in for the arcs (only centres far from the boundary are asked about;
// cells near it are in the band anyway).
class RingInside {
 public:
  explicit RingInside(const std::vector<Vec3>& ring) {
    Vec3 sum{0, 0, 0};
    for (const auto& s : ring) sum = sum + s;
    if (norm(sum) < 1e-9 * double(ring.size()))
      fail("polygon has no well-defined inside: it splits the sphere into two halves");
    centre_ = normalized(sum);
    for (const auto& s : ring)
      if (dot(s, centre_) <= 1e-9)
        fail("polygon does not fit in a hemisphere (a point lies {:.1f} degrees from its centroid); "
             "split it into smaller polygons",
             std::acos(std::clamp(dot(s, centre_), -1.0, 1.0)) * 180 / kPi);
    u_ = perpendicular(centre_);
    v_ = cross(centre_, u_);
    xy_.reserve(ring.size());
    for (const auto& s : ring) xy_.push_back(project(s));
  }

  bool contains(const Vec3& p) const {
    if (dot(p, centre_) <= 0) return false;  // the inside lies in the centroid's hemisphere
    const auto [x, y] = project(p);
    bool inside = false;
    for (std::size_t i = 0, j = xy_.size() - 1; i < xy_.size(); j = i++) {
      const auto [xi, yi] = xy_[i];
      const auto [xj, yj] = xy_[j];
      if ((yi > y) != (yj > y) && x < xj + (y - yj) * (xi - xj) / (yi - yj)) inside = !inside;
    }
    return inside;
  }

 private:
  std::pair<double, double> project(const Vec3& s) const {
    const double d = 1 + dot(s, centre_);
    return {2 * dot(s, u_) / d, 2 * dot(s, v_) / d};
  }
  Vec3 centre_{}, u_{}, v_{};
  std::vector<std::pair<double, double>> xy_;
};

}  // namespace

std::vector<std::int64_t> neighbours(std::int64_t nest, int order) {
  check_order(order);
  if (nest < 0 || nest >= 12 * nside_of(order) * nside_of(order))
    fail("nested id {} is out of range at order {}", nest, order);
  return neighbours_of(nest, order);
}

std::vector<std::int64_t> line_cells(std::span<const LatLon> line, int order) {
  check_order(order);
  const auto vertices = distinct_vertices(line);
  if (vertices.empty()) fail("line has no points");
  const double step = sample_step(order);
  std::vector<Vec3> samples;
  for (std::size_t i = 0; i + 1 < vertices.size(); ++i) densify_edge(vertices[i], vertices[i + 1], step, samples);
  samples.push_back(vertices.back());
  return to_sorted_morton(band_cells(samples, order), order);
}

std::vector<std::int64_t> polygon_cells(std::span<const LatLon> ring, int order) {
  check_order(order);
  auto vertices = distinct_vertices(ring);
  if (vertices.size() > 1 && norm(vertices.front() - vertices.back()) < 1e-12) vertices.pop_back();  // closed
  if (vertices.size() < 3) fail("polygon has {} distinct vertices; at least 3 are needed", vertices.size());
  auto densified = [&](double step) {
    std::vector<Vec3> out;
    for (std::size_t i = 0; i < vertices.size(); ++i)
      densify_edge(vertices[i], vertices[(i + 1) % vertices.size()], step, out);
    return out;
  };
  CellSet cells = band_cells(densified(sample_step(order)), order);
  // Centres of cells wholly inside lie at least ~1/4 of a cell from the boundary; chords a
  // quarter of a cell long stray from their arcs by ~1e-3 of a cell, so they decide well.
  const RingInside inside(densified(cell_size(order) / 4));
  // Flood fill: every fully inside cell is reached from the band through cells whose
  // centres are inside (a path inside the polygon crosses only such cells and band cells).
  std::deque<std::int64_t> frontier(cells.begin(), cells.end());
  CellSet rejected;
  while (!frontier.empty()) {
    const std::int64_t c = frontier.front();
    frontier.pop_front();
    for (std::int64_t n : neighbours_of(c, order)) {
      if (cells.count(n) || rejected.count(n)) continue;
      if (inside.contains(centre_of(n, order))) {
        cells.insert(n);
        frontier.push_back(n);
      } else {
        rejected.insert(n);
      }
    }
  }
  return to_sorted_morton(cells, order);
}

std::vector<std::int64_t> rectangle_cells(double west, double south, double east, double north, int order) {
  check_order(order);
  if (!(south <= north)) fail("bounding box south {} is north of north {}", south, north);
  if (east < west) east += 360.0;  // crosses the antimeridian
  // Parallels are not great circles: follow them with vertices one band cell apart (in
  // longitude, so closer on the ground); a chord then strays from its parallel by
  // ~cell^2/8, far less than the edge sampling step, and the band absorbs it.
  const double step_deg = cell_size(order + kBandDepth) * 180.0 / kPi;
  const int n = std::max(1, static_cast<int>(std::ceil((east - west) / step_deg)));
  std::vector<LatLon> ring;
  for (int i = 0; i <= n; ++i) ring.push_back({south, west + (east - west) * i / n});
  ring.push_back({(south + north) / 2, east});  // meridians may span 180 degrees: split them
  for (int i = n; i >= 0; --i) ring.push_back({north, west + (east - west) * i / n});
  ring.push_back({(south + north) / 2, west});
  // Degenerate boxes (a point or a segment) are lines.
  if (south == north || east == west) return line_cells(ring, order);
  return polygon_cells(ring, order);
}

}  // namespace granary::healpix
