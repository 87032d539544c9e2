#include "grids/llc/grid.hpp"

#include <algorithm>
#include <filesystem>

#include "formats/mds/reader.hpp"
#include "grids/llc/connectivity.hpp"
#include "util/error.hpp"

namespace granary::llc {
namespace fs = std::filesystem;

namespace {

mds::Description describe_grid_file(const std::string& dir, const std::string& name, bool required) {
  auto path = (fs::path(dir) / (name + ".data")).string();
  if (!fs::exists(path)) {
    if (required) fail("{}: grid file missing (needed for the LLC grid in {})", path, dir);
    return {};
  }
  // Grid files without .meta are MITgcm's default: big-endian float64.
  if (fs::exists(mds::meta_path_for(path))) return mds::describe(path, std::nullopt);
  auto values = static_cast<std::int64_t>(fs::file_size(path) / 8);
  return mds::describe(path, mds::Shape{values, 1, mds::Precision::Float64});
}

}  // namespace

std::vector<double> read_grid_field(const std::string& dir, const std::string& name, const Layout& L,
                                    bool required) {
  auto d = describe_grid_file(dir, name, required);
  if (d.path.empty()) return {};
  auto total = d.values_per_level * d.levels;
  if (total != static_cast<std::int64_t>(L.points()))
    fail("{}: {} values, but an LLC{} grid has {} per 2D field", d.path, total, L.nx, L.points());
  auto flat = mds::read_levels<double>(d, 0, d.levels);
  std::vector<double> tiles(L.points());
  compact_to_tiles(L, flat.data(), tiles.data());
  return tiles;
}

std::vector<double> read_grid_vector(const std::string& dir, const std::string& name) {
  auto d = describe_grid_file(dir, name, true);
  return mds::read_levels<double>(d, 0, d.levels);
}

namespace {

// A 3D field of nz levels (hFacC/W/S) in tile order, level-major; empty if the file is absent.
std::vector<double> read_3d(const std::string& dir, const std::string& name, const Layout& L, int nz) {
  auto d = describe_grid_file(dir, name, false);
  if (d.path.empty()) return {};
  const std::size_t n = L.points();
  if (d.values_per_level * d.levels != static_cast<std::int64_t>(n) * nz)
    fail("{}: {} values, expected {} levels of {}", d.path, d.values_per_level * d.levels, nz, n);
  auto flat = mds::read_levels<double>(d, 0, d.levels);
  std::vector<double> tiles(flat.size());
  for (int k = 0; k < nz; ++k) compact_to_tiles(L, flat.data() + k * n, tiles.data() + k * n);
  return tiles;
}

// min(hFacC(p), hFacC(across)) for one level, 0 where there is no cell across.
void derive_face_hfac(const double* hfac_c, const std::vector<std::int64_t>& across, double* out) {
  for (std::size_t p = 0; p < across.size(); ++p)
    out[p] = across[p] < 0 ? 0.0 : std::min(hfac_c[p], hfac_c[across[p]]);
}

std::vector<std::uint8_t> positive(const std::vector<double>& values) {
  std::vector<std::uint8_t> out(values.size());
  for (std::size_t p = 0; p < values.size(); ++p) out[p] = values[p] > 0.0;
  return out;
}

}  // namespace

const char* to_string(Location loc) {
  switch (loc) {
    case Location::C: return "C";
    case Location::W: return "W";
    case Location::S: return "S";
  }
  return "?";
}

std::vector<std::uint8_t> Grid::wet_mask(int k) const { return mask(Location::C, k); }

std::vector<double> Grid::hfac(Location loc, int k) const {
  if (k < 0 || k >= nz) fail("{}: level {} out of range (grid has {} levels)", dir, k, nz);
  const std::size_t n = points(), first = static_cast<std::size_t>(k) * n;
  const std::vector<double>* stored = loc == Location::C ? &hfac_c : loc == Location::W ? &hfac_w_file : &hfac_s_file;
  if (!stored->empty()) return {stored->begin() + first, stored->begin() + first + n};
  std::vector<double> out(n);
  derive_face_hfac(hfac_c_level(k), adjacent_cells(layout, loc == Location::W ? Side::W : Side::S), out.data());
  return out;
}

const std::uint8_t* Grid::mask_level(Location loc, int k) const {
  if (k < 0 || k >= nz) fail("{}: level {} out of range (grid has {} levels)", dir, k, nz);
  const auto& m = loc == Location::C ? mask_c : loc == Location::W ? mask_w : mask_s;
  if (m.size() < static_cast<std::size_t>(k + 1) * points())
    fail("{}: mask{} of level {} was not built (grids from load_grid have every level)", dir, to_string(loc), k);
  return m.data() + static_cast<std::size_t>(k) * points();
}

std::vector<std::uint8_t> Grid::mask(Location loc, int k) const {
  const std::uint8_t* m = mask_level(loc, k);
  return {m, m + points()};
}

double Grid::max_cell_length() const {
  return std::max(*std::max_element(dxg.begin(), dxg.end()), *std::max_element(dyg.begin(), dyg.end()));
}

Grid load_grid(const std::string& dir) {
  if (!fs::is_directory(dir)) fail("{}: grid directory does not exist", dir);
  Grid g;
  g.dir = dir;
  auto xc_meta = mds::meta_path_for((fs::path(dir) / "XC.data").string());
  if (!fs::exists(xc_meta)) fail("{}: missing; it gives the LLC size (nx)", xc_meta);
  auto m = mds::read_meta(xc_meta);
  if (m.dims.size() < 2 || m.dims[1] != 13 * m.dims[0])
    fail("{}: dimList {} is not an LLC compact layout (nx x 13nx)", xc_meta, fmt::join(m.dims, "x"));
  g.layout.nx = static_cast<int>(m.dims[0]);
  const Layout& L = g.layout;
  g.xc = read_grid_field(dir, "XC", L);
  g.yc = read_grid_field(dir, "YC", L);
  g.depth = read_grid_field(dir, "Depth", L);
  g.dxg = read_grid_field(dir, "DXG", L);
  g.dyg = read_grid_field(dir, "DYG", L);
  g.xg = read_grid_field(dir, "XG", L, false);
  g.yg = read_grid_field(dir, "YG", L, false);
  g.angle_cs = read_grid_field(dir, "AngleCS", L, false);
  g.angle_sn = read_grid_field(dir, "AngleSN", L, false);
  g.rac = read_grid_field(dir, "RAC", L, false);
  g.dxc = read_grid_field(dir, "DXC", L, false);
  g.dyc = read_grid_field(dir, "DYC", L, false);
  g.rc = read_grid_vector(dir, "RC");
  g.rf = read_grid_vector(dir, "RF");
  g.drf = read_grid_vector(dir, "DRF");
  g.nz = static_cast<int>(g.rc.size());
  if (g.rf.size() != g.rc.size() + 1 || g.drf.size() != g.rc.size())
    fail("{}: RC has {} levels, RF {} (want {}), DRF {} (want {})", dir, g.rc.size(), g.rf.size(),
         g.rc.size() + 1, g.drf.size(), g.rc.size());
  const std::size_t n = L.points();
  g.hfac_c = read_3d(dir, "hFacC", L, g.nz);
  if (g.hfac_c.empty()) {
    g.hfac_c.resize(static_cast<std::size_t>(g.nz) * n);
    for (int k = 0; k < g.nz; ++k)
      for (std::size_t p = 0; p < n; ++p)
        g.hfac_c[k * n + p] = std::clamp((g.depth[p] + g.rf[k]) / g.drf[k], 0.0, 1.0);
  }
  g.hfac_w_file = read_3d(dir, "hFacW", L, g.nz);
  g.hfac_s_file = read_3d(dir, "hFacS", L, g.nz);
  g.mask_c = positive(g.hfac_c);
  g.mask_w = g.hfac_w_file.empty() ? std::vector<std::uint8_t>(g.hfac_c.size()) : positive(g.hfac_w_file);
  g.mask_s = g.hfac_s_file.empty() ? std::vector<std::uint8_t>(g.hfac_c.size()) : positive(g.hfac_s_file);
  if (g.hfac_w_file.empty() || g.hfac_s_file.empty()) {
    const auto west = adjacent_cells(L, Side::W), south = adjacent_cells(L, Side::S);
    for (int k = 0; k < g.nz; ++k) {
      const std::uint8_t* c = g.mask_c.data() + k * n;
      // hFacW > 0 exactly when both cells are wet (min of two non-negative values).
      if (g.hfac_w_file.empty())
        for (std::size_t p = 0; p < n; ++p) g.mask_w[k * n + p] = west[p] >= 0 && c[p] && c[west[p]];
      if (g.hfac_s_file.empty())
        for (std::size_t p = 0; p < n; ++p) g.mask_s[k * n + p] = south[p] >= 0 && c[p] && c[south[p]];
    }
  }
  return g;
}

}  // namespace granary::llc
