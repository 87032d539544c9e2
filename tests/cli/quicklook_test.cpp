// granary quicklook end to end: small synthetic inputs of the three kinds granary writes
// (ECCO lat-lon netCDF, ECCO native LLC netCDF, ATL06 Zarr cells), rendered by the binary,
// read back with libpng and checked pixel by pixel where the geometry is known.
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <netcdf.h>

#include "formats/zarr/zarr.hpp"
#include "grids/healpix/morton.hpp"
#include "io/file_store.hpp"
#include "render/healpix_outline.hpp"
#include "render/image.hpp"
#include "render/coastlines.hpp"
#include "render/map_overlays.hpp"
#include "render/map_projection.hpp"
#include "render/png.hpp"
#include "support/image_support.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

using render::Image;
using render::Rgba;

constexpr int kNlat = 18, kNlon = 36;  // a 10-degree lat-lon grid
constexpr int kLlcN = 8;               // LLC tiles of 8 x 8
constexpr float kFill = 9.96921e36f;
constexpr int kOrder = 12;
// The order-6 parent whose children the Zarr test store holds (near 75 S, 120 E).
const std::int64_t kParentNest = healpix::ang2nest(-75, 120, 6);
const Rgba kMapBackground{235, 240, 245};

void check_nc(int rc) { ASSERT_EQ(rc, NC_NOERR) << nc_strerror(rc); }

bool is_latlon_land(int row, int col) { return row >= 5 && row < 9 && col >= 10 && col < 16; }

// (time, Z, latitude, longitude) like granary's lat-lon products, latitude ascending,
// land as _FillValue.
void write_latlon_nc(const std::string& path) {
  int nc = 0, dt = 0, dz = 0, dy = 0, dx = 0, v = 0, vlat = 0, vlon = 0, vtime = 0, vz = 0;
  check_nc(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc));
  check_nc(nc_def_dim(nc, "time", 1, &dt));
  check_nc(nc_def_dim(nc, "Z", 2, &dz));
  check_nc(nc_def_dim(nc, "latitude", kNlat, &dy));
  check_nc(nc_def_dim(nc, "longitude", kNlon, &dx));
  const int dims[] = {dt, dz, dy, dx};
  check_nc(nc_def_var(nc, "THETA", NC_FLOAT, 4, dims, &v));
  check_nc(nc_put_att_float(nc, v, "_FillValue", NC_FLOAT, 1, &kFill));
  check_nc(nc_put_att_text(nc, v, "units", 8, "degree_C"));
  check_nc(nc_put_att_text(nc, v, "coordinates", 6, "Z time"));
  check_nc(nc_def_var(nc, "latitude", NC_FLOAT, 1, &dy, &vlat));
  check_nc(nc_def_var(nc, "longitude", NC_FLOAT, 1, &dx, &vlon));
  check_nc(nc_def_var(nc, "time", NC_INT, 1, &dt, &vtime));
  const std::string time_units = "hours since 1992-01-01 12:00:00";
  check_nc(nc_put_att_text(nc, vtime, "units", time_units.size(), time_units.c_str()));
  check_nc(nc_def_var(nc, "Z", NC_FLOAT, 1, &dz, &vz));
  check_nc(nc_enddef(nc));
  std::vector<float> lat(kNlat), lon(kNlon), theta(2 * kNlat * kNlon);
  for (int r = 0; r < kNlat; ++r) lat[r] = -85.0f + 10.0f * r;
  for (int c = 0; c < kNlon; ++c) lon[c] = -175.0f + 10.0f * c;
  for (int z = 0; z < 2; ++z)
    for (int r = 0; r < kNlat; ++r)
      for (int c = 0; c < kNlon; ++c)
        theta[(z * kNlat + r) * kNlon + c] = is_latlon_land(r, c) ? kFill : static_cast<float>(r * kNlon + c + 1000 * z);
  const int hours = 360;
  const float depths[] = {-5, -15};
  check_nc(nc_put_var_float(nc, vlat, lat.data()));
  check_nc(nc_put_var_float(nc, vlon, lon.data()));
  check_nc(nc_put_var_int(nc, vtime, &hours));
  check_nc(nc_put_var_float(nc, vz, depths));
  check_nc(nc_put_var_float(nc, v, theta.data()));
  check_nc(nc_close(nc));
}

// Land cells of the LLC test field: one corner cell in an upright and in a rotated tile.
bool is_llc_land(int tile, int j, int i) { return (tile == 3 && j == 0 && i == 0) || (tile == 7 && j == 0 && i == kLlcN - 1); }

// (time, tile, j, i) like granary's native products, plus a coordinate XC that the default
// variable choice must skip.
void write_native_nc(const std::string& path) {
  int nc = 0, dt = 0, dtile = 0, dj = 0, di = 0, vssh = 0, vxc = 0;
  check_nc(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc));
  check_nc(nc_def_dim(nc, "time", 1, &dt));
  check_nc(nc_def_dim(nc, "tile", 13, &dtile));
  check_nc(nc_def_dim(nc, "j", kLlcN, &dj));
  check_nc(nc_def_dim(nc, "i", kLlcN, &di));
  const int coord_dims[] = {dtile, dj, di};
  check_nc(nc_def_var(nc, "XC", NC_FLOAT, 3, coord_dims, &vxc));
  check_nc(nc_put_att_text(nc, vxc, "coverage_content_type", 10, "coordinate"));
  const int dims[] = {dt, dtile, dj, di};
  check_nc(nc_def_var(nc, "SSH", NC_FLOAT, 4, dims, &vssh));
  check_nc(nc_put_att_float(nc, vssh, "_FillValue", NC_FLOAT, 1, &kFill));
  check_nc(nc_put_att_text(nc, vssh, "units", 1, "m"));
  check_nc(nc_put_att_text(nc, vssh, "coordinates", 7, "XC time"));
  check_nc(nc_enddef(nc));
  std::vector<float> ssh(13 * kLlcN * kLlcN), xc(ssh.size(), 0.0f);
  for (int t = 0; t < 13; ++t)
    for (int j = 0; j < kLlcN; ++j)
      for (int i = 0; i < kLlcN; ++i)
        ssh[(t * kLlcN + j) * kLlcN + i] = is_llc_land(t, j, i) ? kFill : static_cast<float>(t * 64 + j * 8 + i);
  check_nc(nc_put_var_float(nc, vxc, xc.data()));
  check_nc(nc_put_var_float(nc, vssh, ssh.data()));
  check_nc(nc_close(nc));
}

// The Zarr test cells: all 4096 order-12 children of kParentNest; data (count > 0) in the
// first half of them, a NaN h_mean in one of those.
bool zarr_cell_has_data(std::int64_t k) { return k < 2048; }
constexpr std::int64_t kNanCell = 100;

template <typename T>
void write_1d(io::Store& store, const std::string& path, zarr::DType dtype, const std::vector<T>& values, nlohmann::json fill,
              nlohmann::json attributes = nlohmann::json::object()) {
  zarr::ArraySpec spec;
  spec.dtype = dtype;
  spec.shape = {values.size()};
  spec.chunks = {values.size()};
  spec.fill_value = std::move(fill);
  spec.dimension_names = {"cells"};
  spec.attributes = std::move(attributes);
  zarr::write_array(store, path, zarr::Format::V3, spec);
  const std::uint64_t origin[] = {0};
  std::vector<std::byte> raw(values.size() * sizeof(T));
  std::memcpy(raw.data(), values.data(), raw.size());
  zarr::write_chunk(store, path, zarr::Format::V3, origin, zarr::encode_chunk(spec, raw));
}

void write_cells_zarr(const std::string& path) {
  io::FileStore store(path);
  zarr::write_group(store, "", zarr::Format::V3, {{"child_orders", {kOrder}}});
  zarr::write_group(store, "12", zarr::Format::V3, nlohmann::json::object());
  std::vector<std::uint64_t> ids(4096);
  std::vector<std::int32_t> count(4096);
  std::vector<float> h(4096);
  for (std::int64_t k = 0; k < 4096; ++k) {
    ids[k] = static_cast<std::uint64_t>(kParentNest * 4096 + k);
    count[k] = zarr_cell_has_data(k) ? 3 : 0;
    h[k] = !zarr_cell_has_data(k) || k == kNanCell ? NAN : static_cast<float>(1000 + k % 64 + k / 64);
  }
  write_1d(store, "12/cell_ids", zarr::DType::UInt64, ids, nlohmann::json(18446744073709551615ull));
  write_1d(store, "12/count", zarr::DType::Int32, count, 0);
  write_1d(store, "12/h_mean", zarr::DType::Float32, h, "NaN", {{"units", "m"}});
}

// The map is framed by a one-pixel black rectangle: the first two rows holding a black run
// longer than any text are its top and bottom edges (the colour bar's frame comes later).
struct MapBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // the map's pixels: [x0, x1) x [y0, y1)
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};
MapBox find_map(const Image& page) {
  struct Run {
    int y, x_first, x_last;
  };
  std::vector<Run> edges;
  for (int y = 0; y < page.height() && edges.size() < 2; ++y) {
    int best_first = 0, best_length = 0;
    for (int x = 0; x < page.width();) {
      int length = 0;
      while (x + length < page.width() && page.at(x + length, y) == render::kBlack) ++length;
      if (length > best_length) best_first = x, best_length = length;
      x += std::max(length, 1);
    }
    if (best_length > 300 && (edges.empty() || y > edges.back().y + 1))
      edges.push_back(Run{y, best_first, best_first + best_length - 1});
  }
  if (edges.size() < 2) return {};
  return MapBox{edges[0].x_first + 1, edges[0].y + 1, edges[0].x_last, edges[1].y};
}

using test::distinct_colours;

class QuicklookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    write_latlon_nc((*dir_ / "theta_latlon.nc").string());
    write_native_nc((*dir_ / "ssh_native.nc").string());
    write_cells_zarr((*dir_ / "cells.zarr").string());
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static Image render(const std::string& args, const std::string& out) {
    const auto r = test::run_granary("quicklook " + args + " --out " + path(out));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return render::read_png(path(out));
  }
  static inline std::unique_ptr<test::TempDir> dir_;
};

TEST_F(QuicklookTest, LatLonLandIsGreyAndOceanIsColoured) {
  const Image page = render(path("theta_latlon.nc") + " --level 1 --coastlines none", "latlon.png");
  EXPECT_GT(page.width(), 900);
  EXPECT_GT(distinct_colours(page), 100u);
  const MapBox map = find_map(page);
  ASSERT_EQ(map.width(), 2 * map.height()) << "plate carree of 36 x 18 cells";
  std::set<std::uint32_t> ocean_colours;
  for (int r = 0; r < kNlat; ++r)
    for (int c = 0; c < kNlon; ++c) {
      // Row 0 of the image is the northernmost latitude.
      const int row = kNlat - 1 - r;
      const Rgba p = page.at(map.x0 + (2 * c + 1) * map.width() / (2 * kNlon), map.y0 + (2 * row + 1) * map.height() / (2 * kNlat));
      if (is_latlon_land(r, c)) {
        EXPECT_EQ(p, render::kLandGrey) << "land cell lat " << r << " lon " << c;
      } else {
        EXPECT_NE(p, render::kLandGrey) << "ocean cell lat " << r << " lon " << c;
        ocean_colours.insert(p.r << 16 | p.g << 8 | p.b);
      }
    }
  EXPECT_GT(ocean_colours.size(), 50u);
}

TEST_F(QuicklookTest, DefaultOutputNameUsesStemAndVariable) {
  const auto r = test::run_command("cd " + dir_->path().string() + " && " + test::granary_binary() + " quicklook theta_latlon.nc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(path("theta_latlon_THETA.png")));
}

TEST_F(QuicklookTest, LlcTilesAreLaidOutAsAMosaic) {
  const Image page = render(path("ssh_native.nc") + " --range 0,832", "native.png");
  EXPECT_GT(distinct_colours(page), 100u);
  const MapBox map = find_map(page);
  ASSERT_EQ(map.width(), map.height());
  const int slot = map.width() / 4, cell = slot / kLlcN;
  auto at = [&](int column, int row, int x, int y) {
    return page.at(map.x0 + column * slot + x * cell + cell / 2, map.y0 + row * slot + y * cell + cell / 2);
  };
  EXPECT_EQ(at(0, 0, 3, 3), render::kWhite) << "top-left slot holds no tile";
  EXPECT_EQ(at(3, 0, 3, 3), render::kWhite) << "top-right slot holds no tile";
  // Tile 3 (upright, column 1 bottom row): j = 0, i = 0 is the bottom-left cell.
  EXPECT_EQ(at(1, 3, 0, kLlcN - 1), render::kLandGrey);
  EXPECT_NE(at(1, 3, 1, kLlcN - 1), render::kLandGrey);
  // Tile 7 (rotated, column 2 second row): j runs right, i runs down, so (j 0, i 7) is bottom-left.
  EXPECT_EQ(at(2, 1, 0, kLlcN - 1), render::kLandGrey);
  EXPECT_NE(at(2, 1, kLlcN - 1, 0), render::kLandGrey);
  // Values rise with the tile number: tile 12 (bottom right) is brighter than tile 0 in viridis.
  const Rgba low = at(0, 3, 4, 4), high = at(3, 3, 4, 4);
  EXPECT_GT(high.r + high.g, low.r + low.g);
}

TEST_F(QuicklookTest, Atl06CellsAreColouredWhereCountIsPositive) {
  const Image page = render(path("cells.zarr") + " --coastlines none --no-graticule", "cells.png");
  EXPECT_GT(distinct_colours(page), 100u);
  const MapBox map = find_map(page);
  ASSERT_GT(map.width(), 0);
  // The same framing the renderer documents: projected outlines of the data cells, 5% margin,
  // the longer side 800 pixels, on EPSG:3031 (the cells are Antarctic).
  const render::MapProjection projection(render::Projection::SouthPolar);
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (std::int64_t k = 0; k < 2048; ++k)
    for (const auto& p : render::cell_outline(kParentNest * 4096 + k, kOrder)) {
      const auto q = projection.forward(p.lat, p.lon);
      xmin = std::min(xmin, q.x), xmax = std::max(xmax, q.x), ymin = std::min(ymin, q.y), ymax = std::max(ymax, q.y);
    }
  const double span = std::max(xmax - xmin, ymax - ymin), margin = 0.05 * span, pixel = (span + 2 * margin) / 800;
  ASSERT_EQ(std::max(map.width(), map.height()), 800);
  int coloured = 0, background = 0;
  for (std::int64_t k = 0; k < 4096; ++k) {
    if (k % 7 != 0 && k != kNanCell) continue;
    double lat = 0, lon = 0;
    healpix::nest2ang(kParentNest * 4096 + k, kOrder, lat, lon);
    const auto q = projection.forward(lat, lon);
    const int x = map.x0 + static_cast<int>((q.x - xmin + margin) / pixel);
    const int y = map.y0 + static_cast<int>((ymax + margin - q.y) / pixel);
    if (x < map.x0 || x >= map.x1 || y < map.y0 || y >= map.y1) continue;  // outside the frame
    const Rgba p = page.at(x, y);
    if (zarr_cell_has_data(k)) {
      EXPECT_NE(p, kMapBackground) << "cell " << k << " has data";
      EXPECT_EQ(p == render::kLandGrey, k == kNanCell) << "cell " << k;
      ++coloured;
    } else {
      EXPECT_EQ(p, kMapBackground) << "cell " << k << " has no data";
      ++background;
    }
  }
  EXPECT_GT(coloured, 200);
  EXPECT_GT(background, 5);
}

std::size_t count_colour(const Image& page, const MapBox& map, Rgba colour) {
  std::size_t n = 0;
  for (int y = map.y0; y < map.y1; ++y)
    for (int x = map.x0; x < map.x1; ++x) n += page.at(x, y) == colour;
  return n;
}

TEST_F(QuicklookTest, CoastlinesAreDrawnWhereTheCoastIs) {
  ASSERT_TRUE(render::find_coastline_file()) << "no GSHHG coastlines: scripts/install-deps.sh installs gmt-gshhg-low";
  const Image page = render(path("theta_latlon.nc"), "latlon_coast.png");
  const MapBox map = find_map(page);
  ASSERT_EQ(map.width(), 2 * map.height());
  EXPECT_GT(count_colour(page, map, render::kCoastColour), 2000u);
  // Cape Agulhas (34.8S, 20.0E) on a plate carree map from 180W, 90N.
  const double px = map.width() / 360.0;
  const int cx = map.x0 + static_cast<int>((20.0 + 180) * px), cy = map.y0 + static_cast<int>((90 + 34.83) * px);
  int near = 0;
  for (int dy = -3; dy <= 3; ++dy)
    for (int dx = -3; dx <= 3; ++dx) near += page.at(cx + dx, cy + dy) == render::kCoastColour;
  EXPECT_GT(near, 0) << "a coast pixel within 3 pixels of Cape Agulhas";
  EXPECT_NE(page.at(map.x0 + static_cast<int>((-140.0 + 180) * px), map.y0 + static_cast<int>(90 * px)), render::kCoastColour);
}

TEST_F(QuicklookTest, SouthPolarLatLonPutsEveryCellWhereItIs) {
  const Image page =
      render(path("theta_latlon.nc") + " --projection south-polar --edge-latitude 1 --coastlines none --no-graticule", "sp.png");
  const MapBox map = find_map(page);
  ASSERT_EQ(map.width(), 800);
  ASSERT_EQ(map.height(), 800);
  const render::MapProjection projection(render::Projection::SouthPolar);
  const auto pole = projection.forward(-90, 0), edge = projection.forward(-1, 0);
  const double radius = std::hypot(edge.x - pole.x, edge.y - pole.y), pixel = 2 * radius / 800;
  auto at = [&](double lat, double lon) {
    const auto q = projection.forward(lat, lon);
    return page.at(map.x0 + static_cast<int>((q.x - pole.x + radius) / pixel), map.y0 + static_cast<int>((pole.y + radius - q.y) / pixel));
  };
  for (int r = 0; r < kNlat / 2; ++r)
    for (int c = 0; c < kNlon; ++c) {
      const Rgba p = at(-85.0 + 10 * r, -175.0 + 10 * c);
      if (is_latlon_land(r, c)) EXPECT_EQ(p, render::kLandGrey) << r << "," << c;
      else EXPECT_TRUE(p != render::kLandGrey && p != render::kWhite) << r << "," << c;
    }
  EXPECT_EQ(page.at(map.x0 + 2, map.y0 + 2), render::kWhite) << "the corners lie north of the edge latitude";
}

TEST_F(QuicklookTest, PolarNativeNeedsCellCentres) {
  const auto r = test::run_granary("quicklook " + path("ssh_native.nc") + " --projection south-polar --out " + path("np.png"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("XC/YC"), std::string::npos) << r.err;
}

TEST_F(QuicklookTest, CellMapsHaveALabelledGraticule) {
  const Image page = render(path("cells.zarr") + " --coastlines none", "cells_grid.png");
  const MapBox map = find_map(page);
  EXPECT_GT(count_colour(page, map, render::kGraticuleColour), 100u);
  EXPECT_GT(count_colour(page, map, Rgba{70, 70, 80}), 20u) << "graticule labels";
}

TEST_F(QuicklookTest, MissingVariableIsABadInput) {
  for (const auto& input : {path("theta_latlon.nc"), path("cells.zarr")}) {
    const auto r = test::run_granary("quicklook " + input + " --var NO_SUCH_VAR --out " + path("x.png"));
    EXPECT_EQ(r.exit_code, 2) << input;
    EXPECT_NE(r.err.find("NO_SUCH_VAR"), std::string::npos) << r.err;
  }
}

TEST_F(QuicklookTest, BadPathIsABadInput) {
  const auto r = test::run_granary("quicklook " + path("nothing_here.nc"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nothing_here.nc"), std::string::npos) << r.err;
  const auto text = path("not_netcdf.nc");
  files::write_atomic(text, std::string("plain text, not netCDF\n"));
  const auto not_nc = test::run_granary("quicklook " + text + " --out " + path("y.png"));
  EXPECT_EQ(not_nc.exit_code, 2);
  EXPECT_NE(not_nc.err.find("netCDF"), std::string::npos) << not_nc.err;
}

}  // namespace
}  // namespace granary
