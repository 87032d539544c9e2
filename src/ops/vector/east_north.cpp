#include "ops/vector/east_north.hpp"

#include <vector>

#include "grids/llc/connectivity.hpp"
#include "util/error.hpp"

namespace granary::vec {
namespace {

// The x (axis 0) or y (axis 1) face value at half-index point (x2, y2) of `tile`, taken from
// whichever tile holds it; 0 outside the domain. `u`, `v` are already masked.
double face_value(const llc::Layout& L, int tile, int x2, int y2, int axis, const std::vector<double>& u,
                  const std::vector<double>& v) {
  auto at = llc::locate(L.nx, tile, x2, y2);
  if (!at) return 0.0;
  const llc::AxisImage img = at->axes[axis];
  // A face point has one even half-index: the axis normal to the face.
  const std::size_t q = L.index(at->tile, at->y2 / 2, at->x2 / 2);
  return img.sign * (img.axis == 0 ? u[q] : v[q]);
}

}  // namespace

void velocity_to_east_north(const llc::Grid& grid, int k, const float* u, const float* v, float* east, float* north) {
  const llc::Layout& L = grid.layout;
  const std::size_t n = L.points();
  if (grid.angle_cs.size() != n || grid.angle_sn.size() != n)
    fail("{}: AngleCS/AngleSN missing; they are needed to rotate vectors to east/north", grid.dir);
  const std::uint8_t* mask_w = grid.mask_level(llc::Location::W, k);
  const std::uint8_t* mask_s = grid.mask_level(llc::Location::S, k);
  std::vector<double> uu(n), vv(n);
  for (std::size_t p = 0; p < n; ++p) {
    uu[p] = mask_w[p] ? static_cast<double>(u[p]) : 0.0;
    vv[p] = mask_s[p] ? static_cast<double>(v[p]) : 0.0;
  }
  const int nx = L.nx;
  for (int t = 0; t < llc::kTiles; ++t)
    for (int j = 0; j < nx; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t p = L.index(t, j, i);
        const double u_east = i + 1 < nx ? uu[p + 1] : face_value(L, t, 2 * nx, 2 * j + 1, 0, uu, vv);
        const double v_north = j + 1 < nx ? vv[p + nx] : face_value(L, t, 2 * i + 1, 2 * nx, 1, uu, vv);
        const double uc = 0.5 * (uu[p] + u_east);
        const double vc = 0.5 * (vv[p] + v_north);
        const double cs = grid.angle_cs[p], sn = grid.angle_sn[p];
        east[p] = static_cast<float>(uc * cs - vc * sn);
        north[p] = static_cast<float>(uc * sn + vc * cs);
      }
}

}  // namespace granary::vec
