#include "grids/llc/cell_corners.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "grids/llc/connectivity.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/mitgrid.hpp"
#include "grids/llc/sphere.hpp"
#include "util/error.hpp"

namespace granary::llc {
namespace fs = std::filesystem;

namespace {

// Tile-local corner offsets (di, dj) of nb = 0..3: SW, SE, NE, NW.
constexpr int kCornerDi[4] = {0, 1, 1, 0};
constexpr int kCornerDj[4] = {0, 0, 1, 1};

CellCorners empty_corners(const Layout& L, std::string source) {
  CellCorners c;
  c.layout = L;
  c.lon.resize(L.points() * 4);
  c.lat.resize(L.points() * 4);
  c.source = std::move(source);
  return c;
}

}  // namespace

CellCorners corners_from_mitgrid(const std::string& grid_dir, const Layout& L) {
  auto out = empty_corners(L, fmt::format("{}/tile00[1-5].mitgrid", grid_dir));
  const int nx = L.nx;
  std::vector<std::vector<double>> faces[6];
  for (int f = 1; f <= 5; ++f)
    faces[f] = read_mitgrid(mitgrid_path(grid_dir, f), f, nx, {MitgridField::xG, MitgridField::yG});
  for (int t = 0; t < kTiles; ++t) {
    const TileInFace at = tile_in_face(t, nx);
    const FaceShape shape = face_shape(at.face, nx);
    const auto& xg = faces[at.face][0];
    const auto& yg = faces[at.face][1];
    for (int j = 0; j < nx; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t p = L.index(t, j, i);
        for (int nb = 0; nb < 4; ++nb) {
          const std::size_t q = shape.index(at.y0 + j + kCornerDj[nb], at.x0 + i + kCornerDi[nb]);
          out.lon[out.at(p, nb)] = xg[q];
          out.lat[out.at(p, nb)] = yg[q];
        }
      }
  }
  return out;
}

CellCorners corners_from_xg_yg(const std::vector<double>& xg, const std::vector<double>& yg, const Layout& L) {
  if (xg.size() != L.points() || yg.size() != L.points())
    fail("cell corners: XG/YG have {}/{} values, an LLC{} grid has {}", xg.size(), yg.size(), L.nx, L.points());
  using namespace sphere;  // Vec3 operators
  auto out = empty_corners(L, "XG/YG and the tile connectivity");
  const int nx = L.nx;
  // Tile-local corner (j, i), 0 <= j, i <= nx, as a unit vector.
  auto corner = [&](auto&& self, int t, int j, int i) -> sphere::Vec3 {
    if (auto owner = corner_owner(L, t, j, i)) {
      const std::size_t q = L.index(owner->tile, owner->j, owner->i);
      return sphere::to_xyz(xg[q], yg[q]);
    }
    // Outside the domain: continue the grid line straight on.
    const bool along_i = i == nx;
    const auto a = along_i ? self(self, t, j, nx - 1) : self(self, t, nx - 1, i);
    const auto b = along_i ? self(self, t, j, nx - 2) : self(self, t, nx - 2, i);
    return sphere::normalized(2.0 * a - b);
  };
  for (int t = 0; t < kTiles; ++t)
    for (int j = 0; j < nx; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t p = L.index(t, j, i);
        out.lon[out.at(p, 0)] = xg[p];
        out.lat[out.at(p, 0)] = yg[p];
        for (int nb = 1; nb < 4; ++nb) {
          const int cj = j + kCornerDj[nb], ci = i + kCornerDi[nb];
          if (cj < nx && ci < nx) {
            const std::size_t q = L.index(t, cj, ci);
            out.lon[out.at(p, nb)] = xg[q];
            out.lat[out.at(p, nb)] = yg[q];
            continue;
          }
          const auto ll = sphere::to_lonlat(corner(corner, t, cj, ci));
          out.lon[out.at(p, nb)] = ll.lon;
          out.lat[out.at(p, nb)] = ll.lat;
        }
      }
  return out;
}

CellCorners load_cell_corners(const std::string& grid_dir, const Layout& L) {
  std::vector<std::string> missing;
  for (int f = 1; f <= 5; ++f)
    if (!fs::exists(mitgrid_path(grid_dir, f))) missing.push_back(mitgrid_path(grid_dir, f));
  if (missing.empty()) return corners_from_mitgrid(grid_dir, L);
  if (missing.size() < 5)
    fail("{}: has some mitgrid faces but not {}; cell corners need all five or none", grid_dir,
         fmt::join(missing, ", "));
  return corners_from_xg_yg(read_grid_field(grid_dir, "XG", L), read_grid_field(grid_dir, "YG", L), L);
}

}  // namespace granary::llc
