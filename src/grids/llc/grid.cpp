#include "grids/llc/grid.hpp"

#include <algorithm>
#include <filesystem>

#include "formats/mds/reader.hpp"
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

std::vector<double> read_2d(const std::string& dir, const std::string& name, const Layout& L,
                            bool required = true) {
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

std::vector<double> read_1d(const std::string& dir, const std::string& name) {
  auto d = describe_grid_file(dir, name, true);
  return mds::read_levels<double>(d, 0, d.levels);
}

}  // namespace

std::vector<std::uint8_t> Grid::wet_mask(int k) const {
  std::vector<std::uint8_t> wet(points());
  const double* h = hfac_c_level(k);
  for (std::size_t p = 0; p < wet.size(); ++p) wet[p] = h[p] > 0.0;
  return wet;
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
  g.xc = read_2d(dir, "XC", L);
  g.yc = read_2d(dir, "YC", L);
  g.depth = read_2d(dir, "Depth", L);
  g.dxg = read_2d(dir, "DXG", L);
  g.dyg = read_2d(dir, "DYG", L);
  g.xg = read_2d(dir, "XG", L, false);
  g.yg = read_2d(dir, "YG", L, false);
  g.angle_cs = read_2d(dir, "AngleCS", L, false);
  g.angle_sn = read_2d(dir, "AngleSN", L, false);
  g.rac = read_2d(dir, "RAC", L, false);
  g.rc = read_1d(dir, "RC");
  g.rf = read_1d(dir, "RF");
  g.drf = read_1d(dir, "DRF");
  g.nz = static_cast<int>(g.rc.size());
  if (g.rf.size() != g.rc.size() + 1 || g.drf.size() != g.rc.size())
    fail("{}: RC has {} levels, RF {} (want {}), DRF {} (want {})", dir, g.rc.size(), g.rf.size(),
         g.rc.size() + 1, g.drf.size(), g.rc.size());
  const std::size_t n = L.points();
  g.hfac_c.resize(static_cast<std::size_t>(g.nz) * n);
  auto hfac_path = fs::path(dir) / "hFacC.data";
  if (fs::exists(hfac_path)) {
    auto d = describe_grid_file(dir, "hFacC", true);
    if (d.values_per_level * d.levels != static_cast<std::int64_t>(n) * g.nz)
      fail("{}: {} values, expected {} levels of {}", hfac_path.string(), d.values_per_level * d.levels, g.nz, n);
    auto flat = mds::read_levels<double>(d, 0, d.levels);
    for (int k = 0; k < g.nz; ++k) compact_to_tiles(L, flat.data() + k * n, g.hfac_c.data() + k * n);
  } else {
    for (int k = 0; k < g.nz; ++k)
      for (std::size_t p = 0; p < n; ++p)
        g.hfac_c[k * n + p] = std::clamp((g.depth[p] + g.rf[k]) / g.drf[k], 0.0, 1.0);
  }
  return g;
}

}  // namespace granary::llc
