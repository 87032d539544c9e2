// The synthetic LLC grid and ECCO model output (recipes/ecco/synth_*): a real LLC structure
// (checked with the same connectivity checks as LLC90), recognisable land, sensible levels,
// the file formats of a real run, and the same bytes on every run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "formats/mds/meta.hpp"
#include "formats/mds/reader.hpp"
#include "grids/llc/cell_corners.hpp"
#include "grids/llc/connectivity.hpp"
#include "grids/llc/grid.hpp"
#include "grids/llc/mitgrid.hpp"
#include "grids/llc/sphere.hpp"
#include "recipes/ecco/synth_fields.hpp"
#include "recipes/ecco/synth_grid.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
namespace synth = ecco::synth;
using namespace llc::sphere;

// Every tile-boundary corner found through the connectivity is the corner the (independent)
// mitgrid face arrays hold there: the faces are placed and rotated in the compact layout as
// the connectivity expects.
void expect_llc_structure(const std::string& dir) {
  const auto g = llc::load_grid(dir);
  const auto& L = g.layout;
  const int nx = L.nx;
  int checked = 0;
  for (int t = 0; t < llc::kTiles; ++t) {
    const auto at = llc::tile_in_face(t, nx);
    const auto shape = llc::face_shape(at.face, nx);
    const auto face = llc::read_mitgrid(llc::mitgrid_path(dir, at.face), at.face, nx,
                                        {llc::MitgridField::xG, llc::MitgridField::yG});
    for (int j = 0; j <= nx; ++j)
      for (int i = 0; i <= nx; ++i) {
        if (j != 0 && j != nx && i != 0 && i != nx) continue;
        const auto owner = llc::corner_owner(L, t, j, i);
        if (!owner) continue;
        const std::size_t q = L.index(owner->tile, owner->j, owner->i), f = shape.index(at.y0 + j, at.x0 + i);
        const double metres =
            synth::kEarthRadius * angle(to_xyz(g.xg[q], g.yg[q]), to_xyz(face[0][f], face[1][f]));
        ASSERT_LT(metres, 1e-3) << dir << ": tile " << t << " corner " << j << "," << i;
        ++checked;
      }
  }
  EXPECT_EQ(checked, 13 * 4 * nx - 2 * (nx + 1) - 4) << dir;
  // Halo centres are DXC/DYC away (west and south faces, which the grid stores).
  for (int t = 0; t < llc::kTiles; ++t)
    for (int m = 0; m < nx; ++m) {
      const std::size_t w = L.index(t, m, 0), s = L.index(t, 0, m);
      if (auto h = llc::cell_at(L, t, m, -1)) {
        const double d = synth::kEarthRadius *
                         angle(to_xyz(g.xc[w], g.yc[w]), to_xyz(g.xc[L.index(h->tile, h->j, h->i)], g.yc[L.index(h->tile, h->j, h->i)]));
        EXPECT_NEAR(d, g.dxc[w], 1e-6 * g.dxc[w]);
      }
      if (auto h = llc::cell_at(L, t, -1, m)) {
        const double d = synth::kEarthRadius *
                         angle(to_xyz(g.xc[s], g.yc[s]), to_xyz(g.xc[L.index(h->tile, h->j, h->i)], g.yc[L.index(h->tile, h->j, h->i)]));
        EXPECT_NEAR(d, g.dyc[s], 1e-6 * g.dyc[s]);
        // Neighbouring cells are about one cell apart: a wrong neighbour would be far away.
        EXPECT_LT(d, 3.0 * std::max(g.dyg[s], g.dxg[s]));
      }
    }
  for (std::size_t p = 0; p < g.points(); ++p) {
    ASSERT_NEAR(g.angle_cs[p] * g.angle_cs[p] + g.angle_sn[p] * g.angle_sn[p], 1.0, 1e-12) << p;
    ASSERT_GT(g.rac[p], 0.0) << p;
    ASSERT_TRUE(g.xc[p] >= -180.0 && g.xc[p] < 180.0) << p;
  }
}

TEST(LlcSynthGrid, LlcStructureForSeveralSizes) {
  for (int nx : {4, 7, 30}) {
    test::TempDir tmp;
    synth::write_synthetic_grid(tmp.path().string(), nx, 2);
    expect_llc_structure(tmp.path().string());
  }
}

TEST(LlcSynthGrid, LandLevelsAndGeography) {
  EXPECT_TRUE(synth::is_land(20, 10));      // Africa
  EXPECT_TRUE(synth::is_land(-100, 45));    // North America
  EXPECT_TRUE(synth::is_land(-60, -10));    // South America
  EXPECT_TRUE(synth::is_land(90, 50));      // Asia
  EXPECT_TRUE(synth::is_land(135, -25));    // Australia
  EXPECT_TRUE(synth::is_land(0, -80));      // Antarctica
  EXPECT_TRUE(synth::is_land(-40, 72));     // Greenland
  EXPECT_FALSE(synth::is_land(-30, 0));     // Atlantic
  EXPECT_FALSE(synth::is_land(-150, 0));    // Pacific
  EXPECT_FALSE(synth::is_land(75, -20));    // Indian Ocean
  EXPECT_FALSE(synth::is_land(0, 89));      // Arctic
  EXPECT_FALSE(synth::is_land(-65, -58));   // Drake Passage

  test::TempDir tmp;
  synth::write_synthetic_grid(tmp.path().string(), 30, 15);
  const auto g = llc::load_grid(tmp.path().string());
  ASSERT_EQ(g.layout.nx, 30);
  ASSERT_EQ(g.nz, 15);
  EXPECT_DOUBLE_EQ(g.rf.back(), -6000.0);
  EXPECT_NEAR(g.drf[0], 10.0, 1.0);
  std::vector<std::size_t> wet_count;
  for (int k = 0; k < g.nz; ++k) {
    const auto wet = g.wet_mask(k);
    wet_count.push_back(static_cast<std::size_t>(std::count(wet.begin(), wet.end(), 1)));
    EXPECT_GT(wet_count[k], 0u) << "level " << k;
    if (k > 0) {
      EXPECT_LE(wet_count[k], wet_count[k - 1]) << "level " << k;
    }
  }
  EXPECT_LT(wet_count[1], wet_count[0]);                       // shelves as shallow as 5 m
  EXPECT_LT(wet_count[g.nz - 1], wet_count[g.nz / 2]);        // abyssal plains, ridges
  EXPECT_LT(wet_count[g.nz / 2], wet_count[0]);
  const auto wet0 = g.wet_mask(0);
  const double ocean = static_cast<double>(std::count(wet0.begin(), wet0.end(), 1)) / g.points();
  EXPECT_GT(ocean, 0.55);
  EXPECT_LT(ocean, 0.8);
  // Partial bottom cells respect hFacMin = 0.2.
  for (double h : g.hfac_c) EXPECT_TRUE(h == 0.0 || h >= 0.2 - 1e-12) << h;
}

TEST(LlcSynthOutput, FilesTimestepsMetaAndDeterminism) {
  EXPECT_EQ(synth::monthly_timesteps(3), (std::vector<std::int64_t>{732, 1428, 2172}));
  EXPECT_EQ(synth::monthly_timesteps(13).back(), (366 + 31) * 24 - 12);
  EXPECT_EQ(synth::daily_timesteps(3), (std::vector<std::int64_t>{36, 60, 84}));

  test::TempDir a, b;
  synth::SynthOptions o;
  o.nx = 8;
  o.levels = 4;
  o.months = 2;
  o.days = 2;
  synth::write_synthetic_ecco(a.path().string(), o);
  synth::write_synthetic_ecco(b.path().string(), o);
  std::map<std::string, std::string> sums;
  for (const auto& e : fs::recursive_directory_iterator(a.path()))
    if (e.is_regular_file()) sums[fs::relative(e.path(), a.path()).string()] = files::sha256_file(e.path());
  // grid: 16 MDS fields x 2 files + 5 mitgrid; monthly: 7 fields x 2 months x 2; daily: 2 x 2.
  EXPECT_EQ(sums.size(), 16u * 2 + 5 + 7 * 2 * 2 + 2 * 2);
  for (const auto& [rel, sum] : sums) EXPECT_EQ(files::sha256_file(b.path() / rel), sum) << rel;

  const auto mon = a.path() / "model_output/diags_monthly";
  for (const char* f : {"SSH", "THETA", "SALT", "UVEL", "VVEL", "oceTAUX", "oceTAUY"})
    for (const char* ts : {"0000000732", "0000001428"})
      EXPECT_TRUE(fs::exists(mon / fmt::format("{0}_mon_mean/{0}_mon_mean.{1}.data", f, ts))) << f << ts;
  EXPECT_TRUE(fs::exists(a.path() / "model_output/diags_daily/SSH_day_mean/SSH_day_mean.0000000060.data"));

  const auto meta = mds::read_meta((mon / "THETA_mon_mean/THETA_mon_mean.0000001428.meta").string());
  EXPECT_EQ(meta.dims, (std::vector<std::int64_t>{8, 104, 4}));
  EXPECT_EQ(meta.precision, mds::Precision::Float32);
  EXPECT_EQ(meta.time_step, 1428);
  ASSERT_TRUE(meta.time_interval);
  EXPECT_EQ((*meta.time_interval)[0], 732 * 3600.0);
  EXPECT_EQ((*meta.time_interval)[1], 1428 * 3600.0);
  EXPECT_EQ(meta.fields, (std::vector<std::string>{"THETA"}));
  const auto first = mds::read_meta((mon / "SSH_mon_mean/SSH_mon_mean.0000000732.meta").string());
  EXPECT_EQ((*first.time_interval)[0], 3600.0);  // the model's first step, like the oracle
  const auto day = mds::read_meta((a.path() / "model_output/diags_daily/SSH_day_mean/SSH_day_mean.0000000036.meta").string());
  EXPECT_EQ((*day.time_interval)[0], 12 * 3600.0);
  EXPECT_EQ((*day.time_interval)[1], 36 * 3600.0);

  // Values: 0 on dry points, THETA decreasing with depth in every wet column.
  const auto g = llc::load_grid((a.path() / "grid").string());
  const std::size_t n = g.points();
  auto read_field = [&](const char* f, const char* ts) {
    auto d = mds::describe((mon / fmt::format("{0}_mon_mean/{0}_mon_mean.{1}.data", f, ts)).string(), std::nullopt);
    auto flat = mds::read_levels<float>(d, 0, d.levels);
    std::vector<float> tiles(flat.size());
    for (std::int64_t k = 0; k < d.levels; ++k) llc::compact_to_tiles(g.layout, flat.data() + k * n, tiles.data() + k * n);
    return tiles;
  };
  const auto theta = read_field("THETA", "0000000732"), uvel = read_field("UVEL", "0000000732");
  const auto ssh = read_field("SSH", "0000001428");
  for (std::size_t p = 0; p < n; ++p) {
    EXPECT_EQ(ssh[p] != 0.0f, g.mask_c[p] != 0) << p;
    for (int k = 0; k < g.nz; ++k) {
      const std::size_t q = k * n + p;
      if (!g.mask_c[q]) {
        EXPECT_EQ(theta[q], 0.0f);
      }
      if (!g.mask_w[q]) {
        EXPECT_EQ(uvel[q], 0.0f);
      }
      if (k > 0 && g.mask_c[q]) {
        EXPECT_LE(theta[q], theta[q - n]) << p << " level " << k;
      }
    }
  }
}

TEST(LlcSynthOutput, MetaTextMatchesTheOracle) {
  GRANARY_REQUIRE_ORACLE(py);
  synth::MdsRecord r;
  r.dims = {90, 1170, 50};
  r.precision = mds::Precision::Float32;
  r.time_step = 1428;
  r.time_interval = std::array<double, 2>{732 * 3600.0, 1428 * 3600.0};
  r.field = "THETA";
  const auto cmd = fmt::format(
      "cd '{}' && {} -c \"import ecco_reference as r; print(r.meta_text(50, 'THETA', 1428), end='')\"",
      test::reference_dir().string(), py);
  const auto out = test::run_command(cmd);
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(synth::mds_meta_text(r), out.out);
}

TEST(LlcSynthCli, WritesADemoDirectory) {
  test::TempDir tmp;
  auto r = test::run_granary(fmt::format("ecco synth --out '{}' --nx 6 --levels 2 --timesteps 1 --days 1", tmp.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(tmp.path() / "grid/XC.data"));
  EXPECT_TRUE(fs::exists(tmp.path() / "grid/tile005.mitgrid"));
  EXPECT_TRUE(fs::exists(tmp.path() / "model_output/diags_monthly/UVEL_mon_mean/UVEL_mon_mean.0000000732.meta"));
  EXPECT_TRUE(fs::exists(tmp.path() / "model_output/diags_daily/SSH_day_mean/SSH_day_mean.0000000036.data"));
  EXPECT_NE(test::run_granary(fmt::format("ecco synth --out '{}' --nx 2", tmp.path().string())).exit_code, 0);
}

}  // namespace
}  // namespace granary
