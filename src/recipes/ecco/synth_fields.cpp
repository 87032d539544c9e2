#include "recipes/ecco/synth_fields.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>

#include <fmt/format.h>

#include "grids/llc/grid.hpp"
#include "grids/llc/mitgrid.hpp"
#include "grids/llc/sphere.hpp"
#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/synth_grid.hpp"
#include "util/error.hpp"

namespace granary::ecco::synth {
namespace fs = std::filesystem;
using namespace llc::sphere;

namespace {

// Hours from 1992-01-01T12:00 to 00:00 of the first day of month `month` (0 = January 1992).
std::int64_t hours_to_month_start(int month) {
  using namespace std::chrono;
  const year_month_day start{year{1992}, std::chrono::month{1}, day{1}};
  const year_month_day first{year{1992 + month / 12}, std::chrono::month{static_cast<unsigned>(month % 12 + 1)}, day{1}};
  const auto days = (sys_days{first} - sys_days{start}).count();
  return static_cast<std::int64_t>(days) * 24 - 12;
}

double gauss(double x, double width) { return std::exp(-(x / width) * (x / width)); }
double seasonal(int month) { return std::cos(2 * std::numbers::pi * (month - 6.5) / 12.0); }  // +1 in July

// A basin-scale feature of mean dynamic topography: a Gaussian bump (m) at (lat, lon).
struct SshFeature {
  double lat, lon, lat_width, lon_width, amplitude;
};
// Subtropical gyre highs crowded to the west of each basin, the western Pacific warm pool,
// subpolar lows; the drop across the Antarctic Circumpolar Current is added separately.
constexpr SshFeature kSshFeatures[] = {
    {30, 145, 10, 35, 0.60},   {32, -65, 10, 25, 0.50},  {-25, 170, 12, 45, 0.45}, {-30, -35, 10, 25, 0.35},
    {-30, 70, 10, 30, 0.45},   {5, 140, 10, 40, 0.30},   {58, -35, 7, 20, -0.50},  {50, -178, 7, 30, -0.40},
    {0, -110, 6, 40, -0.15},
};

double ssh_at(double lon, double lat, int month, double day_phase) {
  // The Antarctic Circumpolar Current meanders: north past the Drake Passage and the
  // Kerguelen Plateau, south of Australia and New Zealand.
  const double acc = -55.0 + 3.0 * std::sin(rad(2 * lon + 40)) + 2.0 * std::cos(rad(3 * lon));
  double ssh = 0.15 * gauss(lat, 25) - 0.6 * (1 + std::tanh((acc - lat) / 6));
  for (const auto& f : kSshFeatures) {
    const double dlon = std::remainder(lon - f.lon, 360.0);
    ssh += f.amplitude * gauss(lat - f.lat, f.lat_width) * gauss(dlon, f.lon_width);
  }
  ssh += 0.08 * seasonal(month) * std::tanh(lat / 20);
  ssh += 0.02 * std::sin(2 * std::numbers::pi * day_phase) * std::cos(rad(lon));
  return ssh;
}

double surface_temperature(double lat, int month) {
  return 28.0 * std::cos(rad(lat)) * std::cos(rad(lat)) - 1.8 + 1.5 * seasonal(month) * std::sin(rad(lat));
}

// Decreasing with depth everywhere: warm surface water over a cold, slowly cooling interior.
double theta_at(double lat, double z, int month) {
  const double surface = surface_temperature(lat, month);
  const double interior = std::min(surface, 1.0);
  return interior + 0.5 * z / 5000.0 + (surface - interior) * std::exp(z / 700.0);
}

double salt_at(double lat, double z) {
  const double surface = 34.5 + 1.5 * gauss(lat - 25, 12) + 1.3 * gauss(lat + 22, 12) - 1.5 * gauss(lat - 75, 10);
  return 34.7 + (surface - 34.7) * std::exp(z / 500.0);
}

// Where a face point of a cell is and which way the model axis it carries points.
struct FacePoint {
  double lon = 0, lat = 0;
  Vec3 axis{};  // unit vector of the model x axis (u points) or y axis (v points)
};

// u point (west face) and v point (south face) of every cell, from the analytic geometry.
void face_points(const Geometry& geo, const llc::Layout& L, std::vector<FacePoint>& u, std::vector<FacePoint>& v) {
  u.resize(L.points());
  v.resize(L.points());
  for (int t = 0; t < llc::kTiles; ++t) {
    const auto f = llc::tile_in_face(t, L.nx);
    for (int j = 0; j < L.nx; ++j)
      for (int i = 0; i < L.nx; ++i) {
        const std::size_t p = L.index(t, j, i);
        const double x = f.x0 + i, y = f.y0 + j;
        const Vec3 sw = geo.point(f.face, x, y), nw = geo.point(f.face, x, y + 1), se = geo.point(f.face, x + 1, y);
        // A chord between two unit vectors is tangent at their normalised midpoint.
        const Vec3 mid_w = normalized(sw + nw), mid_s = normalized(sw + se);
        const LonLat lw = to_lonlat(mid_w), ls = to_lonlat(mid_s);
        // Right-handed (x, y, up): x = y cross up on the west face, y = up cross x on the south.
        u[p] = {lw.lon, lw.lat, cross(normalized(nw - sw), mid_w)};
        v[p] = {ls.lon, ls.lat, cross(mid_s, normalized(se - sw))};
      }
  }
}

double component(const FacePoint& at, EastNorth en) {
  const Vec3 vec = en.east * east_at(at.lon) + en.north * north_at(at.lon, at.lat);
  return dot(vec, at.axis);
}

class OutputWriter {
 public:
  OutputWriter(const fs::path& model_output, const llc::Layout& L) : root_(model_output), L_(L) {}

  // One record of `levels` levels, tile order, level-major.
  void write(const std::string& field, Frequency frequency, std::int64_t timestep, std::array<double, 2> interval_h,
             int levels, const std::vector<double>& tiles) const {
    const auto layout = layout_of(frequency);
    const std::string stem = fmt::format("{}_{}", field, layout.suffix);
    const fs::path dir = root_ / layout.directory / stem;
    fs::create_directories(dir);
    const std::size_t n = L_.points();
    std::vector<double> compact(tiles.size());
    for (int k = 0; k < levels; ++k) llc::tiles_to_compact(L_, tiles.data() + k * n, compact.data() + k * n);
    MdsRecord r;
    r.dims = {L_.nx, 13 * L_.nx};
    if (levels > 1) r.dims.push_back(levels);
    r.precision = mds::Precision::Float32;
    r.time_step = timestep;
    r.time_interval = std::array<double, 2>{interval_h[0] * 3600.0, interval_h[1] * 3600.0};
    r.field = field;
    write_mds((dir / fmt::format("{}.{:010d}", stem, timestep)).string(), r, compact);
  }

 private:
  fs::path root_;
  llc::Layout L_;
};

}  // namespace

std::vector<std::int64_t> monthly_timesteps(int months) {
  std::vector<std::int64_t> out;
  for (int m = 0; m < months; ++m) out.push_back(hours_to_month_start(m + 1));
  return out;
}

std::vector<std::int64_t> daily_timesteps(int days) {
  std::vector<std::int64_t> out;
  for (int d = 1; d <= days; ++d) out.push_back(12 + 24 * d);
  return out;
}

EastNorth synthetic_velocity(double lon, double lat, double z) {
  const double decay = 0.1 + 0.9 * std::exp(z / 800.0);
  const double zonal = -0.15 * std::cos(rad(3 * lat)) * std::cos(rad(lat)) + 0.3 * gauss(lat + 52, 6);
  const double meridional = 0.05 * std::sin(rad(2 * lon)) * std::cos(rad(lat));
  return {zonal * decay, meridional * decay};
}

EastNorth synthetic_stress(double lon, double lat, int month) {
  const double zonal = 0.1 * -std::cos(rad(3 * lat)) + 0.1 * gauss(lat + 50, 10) + 0.02 * seasonal(month);
  const double meridional = 0.02 * std::sin(rad(2 * lat)) * std::cos(rad(lon));
  return {zonal, meridional};
}

void write_synthetic_ecco(const std::string& out_dir, const SynthOptions& o) {
  if (o.months < 1 || o.days < 0)
    fail("ecco synth: {} months and {} days (need at least one month, and no negative days)", o.months, o.days);
  const fs::path out(out_dir);
  const std::string grid_dir = (out / "grid").string();
  write_synthetic_grid(grid_dir, o.nx, o.levels);
  const llc::Grid grid = llc::load_grid(grid_dir);
  const llc::Layout& L = grid.layout;
  const std::size_t n = L.points();
  const Geometry geo(o.nx);
  std::vector<FacePoint> u_at, v_at;
  face_points(geo, L, u_at, v_at);
  const OutputWriter writer(out / "model_output", L);

  // Dynamic SSH: an anomaly, area-weighted mean 0 over the ocean.
  auto ssh_field = [&](int month, double day_phase) {
    std::vector<double> ssh(n, 0.0);
    double sum = 0, area = 0;
    for (std::size_t p = 0; p < n; ++p)
      if (grid.mask_c[p]) {
        ssh[p] = ssh_at(grid.xc[p], grid.yc[p], month, day_phase);
        sum += ssh[p] * grid.rac[p], area += grid.rac[p];
      }
    for (std::size_t p = 0; p < n; ++p)
      if (grid.mask_c[p]) ssh[p] -= sum / area;
    return ssh;
  };

  const auto months = monthly_timesteps(o.months);
  for (int m = 0; m < o.months; ++m) {
    const std::int64_t ts = months[m];
    const std::array<double, 2> interval{std::max(static_cast<double>(hours_to_month_start(m)), 1.0),
                                         static_cast<double>(ts)};
    writer.write("SSH", Frequency::AvgMon, ts, interval, 1, ssh_field(m, 0.0));

    std::vector<double> taux(n, 0.0), tauy(n, 0.0);
    for (std::size_t p = 0; p < n; ++p) {
      if (grid.mask_w[p]) taux[p] = component(u_at[p], synthetic_stress(u_at[p].lon, u_at[p].lat, m));
      if (grid.mask_s[p]) tauy[p] = component(v_at[p], synthetic_stress(v_at[p].lon, v_at[p].lat, m));
    }
    writer.write("oceTAUX", Frequency::AvgMon, ts, interval, 1, taux);
    writer.write("oceTAUY", Frequency::AvgMon, ts, interval, 1, tauy);

    std::vector<double> theta(n * grid.nz, 0.0), salt(n * grid.nz, 0.0), uvel(n * grid.nz, 0.0),
        vvel(n * grid.nz, 0.0);
    for (int k = 0; k < grid.nz; ++k) {
      const double z = grid.rc[k];
      const std::size_t off = static_cast<std::size_t>(k) * n;
      for (std::size_t p = 0; p < n; ++p) {
        if (grid.mask_c[off + p]) {
          theta[off + p] = theta_at(grid.yc[p], z, m);
          salt[off + p] = salt_at(grid.yc[p], z);
        }
        if (grid.mask_w[off + p]) uvel[off + p] = component(u_at[p], synthetic_velocity(u_at[p].lon, u_at[p].lat, z));
        if (grid.mask_s[off + p]) vvel[off + p] = component(v_at[p], synthetic_velocity(v_at[p].lon, v_at[p].lat, z));
      }
    }
    writer.write("THETA", Frequency::AvgMon, ts, interval, grid.nz, theta);
    writer.write("SALT", Frequency::AvgMon, ts, interval, grid.nz, salt);
    writer.write("UVEL", Frequency::AvgMon, ts, interval, grid.nz, uvel);
    writer.write("VVEL", Frequency::AvgMon, ts, interval, grid.nz, vvel);
  }

  const auto days = daily_timesteps(o.days);
  for (int d = 0; d < o.days; ++d) {
    const std::int64_t ts = days[d];
    const std::array<double, 2> interval{std::max(static_cast<double>(ts - 24), 1.0), static_cast<double>(ts)};
    writer.write("SSH", Frequency::AvgDay, ts, interval, 1, ssh_field(0, (d + 1) / 5.0));
  }
}

}  // namespace granary::ecco::synth
