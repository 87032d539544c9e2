// The synthetic ATL06 generator (granary atl06 synth): small granules checked through the
// HDF5 C API for the real product's layout, types, chunking, filters, fill values and
// attributes; the ATLAS beam geometry and the quality/fill rules; determinism; bad options;
// the command with a beam subset; and, independently, the Python oracle (h5py + healpy)
// reading the granules and finding the cell.
#include <gtest/gtest.h>

#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

#include "formats/hdf5/handle.hpp"
#include "grids/healpix/morton.hpp"
#include "grids/llc/sphere.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary {
namespace {
namespace fs = std::filesystem;
using atl06::synth::SynthOptions;
using hdf5::Handle;

constexpr std::int64_t kCell = -4113213;
constexpr double kEarthRadius = 6371008.8;
const char* const kColumns[] = {"latitude", "longitude", "delta_time", "h_li", "h_li_sigma", "atl06_quality_summary",
                                "segment_id"};

SynthOptions small_options(const fs::path& dir, int granules = 2, int segments = 3000) {
  SynthOptions o;
  o.out_dir = dir;
  o.granules = granules;
  o.segments_per_beam = segments;
  o.cells = {kCell};
  o.seed = 7;
  return o;
}

Handle open_file(const fs::path& path) {
  hdf5::silence_error_stack();
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  EXPECT_TRUE(f.valid()) << path;
  return f;
}

Handle open_dataset(const Handle& file, const std::string& path) {
  Handle d(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT), H5Dclose);
  EXPECT_TRUE(d.valid()) << path;
  return d;
}

template <typename T>
std::vector<T> read(const Handle& file, const std::string& path, hid_t mem_type) {
  Handle d = open_dataset(file, path);
  Handle space(H5Dget_space(d.get()), H5Sclose);
  std::vector<T> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  return v;
}

std::string string_attribute(hid_t obj, const char* name) {
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!a.valid()) return "<missing " + std::string(name) + ">";
  Handle type(H5Aget_type(a.get()), H5Tclose);
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING) << name;
  EXPECT_EQ(H5Tget_strpad(type.get()), H5T_STR_NULLTERM) << name;
  std::string s(H5Tget_size(type.get()), '\0');
  H5Aread(a.get(), type.get(), s.data());
  return s.substr(0, s.find('\0'));
}

template <typename T>
T scalar_attribute(hid_t obj, const char* name, hid_t mem_type) {
  T v{};
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  EXPECT_TRUE(a.valid()) << name;
  if (a.valid()) H5Aread(a.get(), mem_type, &v);
  return v;
}

struct ExpectedColumn {
  H5T_class_t type_class;
  std::size_t size;
  bool shuffle;
  double fill;
};

ExpectedColumn expected(const std::string& name) {
  if (name == "h_li" || name == "h_li_sigma") return {H5T_FLOAT, 4, false, double(3.4028235e38f)};
  if (name == "atl06_quality_summary") return {H5T_INTEGER, 1, true, 0};
  if (name == "segment_id") return {H5T_INTEGER, 4, true, 0};
  return {H5T_FLOAT, 8, false, 0};
}

void expect_real_storage(const Handle& file, const std::string& path, std::size_t n) {
  SCOPED_TRACE(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  const ExpectedColumn want = expected(name);
  Handle d = open_dataset(file, path);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  EXPECT_EQ(H5Tget_class(type.get()), want.type_class);
  EXPECT_EQ(H5Tget_size(type.get()), want.size);
  EXPECT_EQ(H5Tget_order(type.get()), H5T_ORDER_LE);
  if (want.type_class == H5T_INTEGER) {
    EXPECT_EQ(H5Tget_sign(type.get()), H5T_SGN_2);
  }
  Handle space(H5Dget_space(d.get()), H5Sclose);
  hsize_t dims = 0, maxdims = 0;
  ASSERT_EQ(H5Sget_simple_extent_dims(space.get(), &dims, &maxdims), 1);
  EXPECT_EQ(dims, n);
  EXPECT_EQ(maxdims, H5S_UNLIMITED);
  Handle dcpl(H5Dget_create_plist(d.get()), H5Pclose);
  ASSERT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
  hsize_t chunk = 0;
  EXPECT_EQ(H5Pget_chunk(dcpl.get(), 1, &chunk), 1);
  EXPECT_EQ(chunk, 10000u);
  // The pipeline: shuffle (integers only), then deflate level 6; nothing else.
  std::vector<H5Z_filter_t> filters;
  for (int i = 0; i < H5Pget_nfilters(dcpl.get()); ++i) {
    unsigned flags = 0, cd[8] = {};
    std::size_t ncd = 8;
    const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd, cd, 0, nullptr, nullptr);
    filters.push_back(id);
    if (id == H5Z_FILTER_DEFLATE) {
      ASSERT_GE(ncd, 1u);
      EXPECT_EQ(cd[0], 6u) << "deflate level";
    }
  }
  const std::vector<H5Z_filter_t> want_filters =
      want.shuffle ? std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE} : std::vector<H5Z_filter_t>{H5Z_FILTER_DEFLATE};
  EXPECT_EQ(filters, want_filters);
  double fill = -1;
  ASSERT_GE(H5Pget_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), 0);
  EXPECT_EQ(fill, want.fill);
}

TEST(Atl06Synth, WritesTheRealProductLayoutAndStorage) {
  test::TempDir dir;
  const auto granules = atl06::synth::write_synthetic_granules(small_options(dir.path()));
  ASSERT_EQ(granules.size(), 2u);
  EXPECT_NE(granules[0].path, granules[1].path);
  for (const auto& g : granules) {
    SCOPED_TRACE(g.path.string());
    std::smatch m;
    const std::string name = g.path.filename().string();
    ASSERT_TRUE(std::regex_match(name, m, std::regex(R"(ATL06_(\d{14})_(\d{4})2211_006_01\.h5)")));
    EXPECT_EQ(g.bytes, fs::file_size(g.path));
    Handle f = open_file(g.path);
    H5F_info2_t info{};
    ASSERT_GE(H5Fget_info2(f.get(), &info), 0);
    EXPECT_EQ(info.super.version, 0u) << "superblock v0 (libver earliest), as the real v006 files";
    EXPECT_EQ(string_attribute(f.get(), "short_name"), "ATL06");
    EXPECT_EQ(string_attribute(f.get(), "identifier_product_format_version"), "006");
    const std::string stamp = m[1];
    EXPECT_EQ(string_attribute(f.get(), "time_coverage_start"),
              stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" + stamp.substr(8, 2) + ":" +
                  stamp.substr(10, 2) + ":" + stamp.substr(12, 2) + "Z");
    EXPECT_EQ(read<std::int16_t>(f, "/orbit_info/rgt", H5T_NATIVE_INT16), std::vector<std::int16_t>{std::int16_t(std::stoi(m[2]))});
    EXPECT_EQ(read<std::int8_t>(f, "/orbit_info/cycle_number", H5T_NATIVE_INT8), std::vector<std::int8_t>{22});
    EXPECT_EQ(read<std::int8_t>(f, "/orbit_info/sc_orient", H5T_NATIVE_INT8), std::vector<std::int8_t>{0});
    EXPECT_EQ(read<double>(f, "/ancillary_data/atlas_sdp_gps_epoch", H5T_NATIVE_DOUBLE), std::vector<double>{1198800018.0});
    for (const std::string& beam : atl06::synth::all_beams())
      for (const char* column : kColumns) expect_real_storage(f, "/" + beam + "/land_ice_segments/" + column, 3000);

    Handle h = open_dataset(f, "/gt2r/land_ice_segments/h_li");
    EXPECT_EQ(string_attribute(h.get(), "units"), "meters");
    EXPECT_EQ(scalar_attribute<float>(h.get(), "_FillValue", H5T_NATIVE_FLOAT), 3.4028235e38f);
    Handle q = open_dataset(f, "/gt2r/land_ice_segments/atl06_quality_summary");
    EXPECT_EQ(string_attribute(q.get(), "flag_meanings"), "best_quality potential_problem");
    Handle t = open_dataset(f, "/gt2r/land_ice_segments/delta_time");
    EXPECT_EQ(string_attribute(t.get(), "units"), "seconds since 2018-01-01");
  }
}

double distance_m(double lat1, double lon1, double lat2, double lon2) {
  using namespace llc::sphere;
  return kEarthRadius * angle(to_xyz(lon1, lat1), to_xyz(lon2, lat2));
}

TEST(Atl06Synth, BeamsCrossTheCellWithTheAtlasGeometry) {
  test::TempDir dir;
  const auto granules = atl06::synth::write_synthetic_granules(small_options(dir.path(), 1));
  ASSERT_EQ(granules.size(), 1u);
  ASSERT_TRUE(granules[0].points_in_cell.has_value());
  Handle f = open_file(granules[0].path);
  std::map<std::string, std::vector<double>> lats, lons;
  std::map<std::string, std::vector<std::int32_t>> ids;
  for (const std::string& beam : atl06::synth::all_beams()) {
    SCOPED_TRACE(beam);
    const std::string g = "/" + beam + "/land_ice_segments/";
    const auto lat = read<double>(f, g + "latitude", H5T_NATIVE_DOUBLE);
    const auto lon = read<double>(f, g + "longitude", H5T_NATIVE_DOUBLE);
    const auto t = read<double>(f, g + "delta_time", H5T_NATIVE_DOUBLE);
    const auto h = read<float>(f, g + "h_li", H5T_NATIVE_FLOAT);
    const auto s = read<float>(f, g + "h_li_sigma", H5T_NATIVE_FLOAT);
    const auto q = read<std::int8_t>(f, g + "atl06_quality_summary", H5T_NATIVE_INT8);
    const auto id = read<std::int32_t>(f, g + "segment_id", H5T_NATIVE_INT32);
    std::int64_t in_cell = 0, flagged = 0, gaps = 0;
    for (std::size_t i = 0; i < lat.size(); ++i) {
      in_cell += healpix::morton_parent(healpix::geo_to_morton(lat[i], lon[i], 18), 6) == kCell;
      ASSERT_TRUE(q[i] == 0 || q[i] == 1);
      flagged += q[i];
      if (q[i] == 0) {
        ASSERT_TRUE(std::isfinite(h[i]) && h[i] > 500 && h[i] < 4500) << i << " " << h[i];
        ASSERT_TRUE(s[i] >= 0.003f && s[i] <= 3.0f) << i;
      } else {
        ASSERT_EQ(h[i], 3.4028235e38f) << i;
        ASSERT_EQ(s[i], 3.4028235e38f) << i;
      }
      if (i > 0) {
        ASSERT_GT(id[i], id[i - 1]) << i;
        ASSERT_GT(t[i], t[i - 1]) << i;
        gaps += id[i] - id[i - 1] > 1;
        // 20 m per segment_id step along the track (the beams are parallel small circles).
        EXPECT_NEAR(distance_m(lat[i - 1], lon[i - 1], lat[i], lon[i]), 20.0 * (id[i] - id[i - 1]), 0.05) << i;
        EXPECT_NEAR(t[i] - t[i - 1], (id[i] - id[i - 1]) * 20.0 / 7000.0, 1e-4) << i;
      }
    }
    EXPECT_EQ(in_cell, granules[0].points_in_cell->at(beam));
    EXPECT_GT(in_cell, 0);
    EXPECT_GT(flagged, 0) << "quality runs and isolated problems";
    EXPECT_LT(flagged, 1500);
    EXPECT_GT(gaps, 0) << "segments without a fit leave gaps in segment_id";
    lats[beam] = lat, lons[beam] = lon, ids[beam] = id;
  }
  // The two beams of a pair run side by side, 90 m apart, sharing segment_ids.
  std::map<std::int32_t, std::size_t> right;
  for (std::size_t j = 0; j < ids["gt1r"].size(); ++j) right[ids["gt1r"][j]] = j;
  std::size_t shared = 0;
  for (std::size_t i = 0; i < ids["gt1l"].size(); ++i) {
    auto it = right.find(ids["gt1l"][i]);
    if (it == right.end()) continue;
    ++shared;
    EXPECT_NEAR(distance_m(lats["gt1l"][i], lons["gt1l"][i], lats["gt1r"][it->second], lons["gt1r"][it->second]), 90.0,
                1e-3);
  }
  EXPECT_GT(shared, 2500u);
  // Pairs are 3.3 km apart cross-track: the closest gt2l point to most gt1l points is ~3300 m.
  std::vector<double> nearest;
  for (std::size_t i = 0; i < lats["gt1l"].size(); i += 50) {
    double best = 1e30;
    for (std::size_t j = 0; j < lats["gt2l"].size(); ++j)
      best = std::min(best, distance_m(lats["gt1l"][i], lons["gt1l"][i], lats["gt2l"][j], lons["gt2l"][j]));
    nearest.push_back(best);
  }
  std::nth_element(nearest.begin(), nearest.begin() + nearest.size() / 2, nearest.end());
  EXPECT_NEAR(nearest[nearest.size() / 2], 3300.0, 1.0);
}

TEST(Atl06Synth, SameSeedGivesTheSameBytes) {
  test::TempDir a, b, c;
  auto o = small_options(a.path(), 1, 1000);
  const auto first = atl06::synth::write_synthetic_granules(o);
  o.out_dir = b.path();
  const auto second = atl06::synth::write_synthetic_granules(o);
  o.out_dir = c.path();
  o.seed = 8;
  const auto other = atl06::synth::write_synthetic_granules(o);
  EXPECT_EQ(first[0].path.filename(), second[0].path.filename());
  EXPECT_EQ(files::sha256_file(first[0].path), files::sha256_file(second[0].path));
  EXPECT_NE(files::sha256_file(first[0].path), files::sha256_file(other[0].path));
}

TEST(Atl06Synth, RejectsBadOptionsNamingThem) {
  test::TempDir dir;
  auto expect_error = [&](auto change, const std::string& words) {
    auto o = small_options(dir.path(), 1, 1000);
    change(o);
    try {
      atl06::synth::write_synthetic_granules(o);
      ADD_FAILURE() << "no error for " << words;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_error([](SynthOptions& o) { o.segments_per_beam = 99; }, "--segments-per-beam 99");
  expect_error([](SynthOptions& o) { o.cells = {kCell, 7113213}; }, "--cell 7113213");
  expect_error([](SynthOptions& o) { o.beams = {"gt1l", "gt4l"}; }, "gt4l");
  expect_error([](SynthOptions& o) { o.beams = {"gt1l", "gt1l"}; }, "twice");
  expect_error([](SynthOptions& o) { o.version = "6"; }, "--product-version '6'");
  expect_error([](SynthOptions& o) { o.granules = 0; }, "--granules 0");
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing written for bad options";
}

TEST(Atl06Synth, CommandWritesOnlyTheRequestedBeams) {
  test::TempDir dir;
  const auto r = test::run_granary("atl06 synth --out " + dir.path().string() +
                                   " --granules 1 --segments-per-beam 2000 --seed 3 --beams gt1l,gt1r");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary.at("cell").get<std::int64_t>(), kCell);
  ASSERT_EQ(summary.at("files").size(), 1u);
  EXPECT_GT(summary.at("total_points_in_cell").get<std::int64_t>(), 0);
  Handle f = open_file(summary["files"][0].get<std::string>());
  std::set<std::string> beams;
  for (const std::string& beam : atl06::synth::all_beams())
    if (H5Lexists(f.get(), beam.c_str(), H5P_DEFAULT) > 0) beams.insert(beam);
  EXPECT_EQ(beams, (std::set<std::string>{"gt1l", "gt1r"}));

  const auto bad = test::run_granary("atl06 synth --out " + dir.path().string() + " --beams gt1l,gt9x");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("gt9x"), std::string::npos) << bad.out << bad.err;
}

// The oracle (h5py + healpy, independent of granary's HDF5 and HEALPix code) reads the
// granules, lists the cell in its catalog, and keeps exactly the q == 0 points in the cell.
TEST(Atl06Synth, OracleFindsTheCellInTheGranules) {
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir dir;
  const auto granules = atl06::synth::write_synthetic_granules(small_options(dir.path()));
  std::string files;
  std::int64_t kept = 0;
  for (const auto& g : granules) {
    files += " " + g.path.string();
    Handle f = open_file(g.path);
    for (const std::string& beam : atl06::synth::all_beams()) {
      const std::string p = "/" + beam + "/land_ice_segments/";
      const auto lat = read<double>(f, p + "latitude", H5T_NATIVE_DOUBLE);
      const auto lon = read<double>(f, p + "longitude", H5T_NATIVE_DOUBLE);
      const auto q = read<std::int8_t>(f, p + "atl06_quality_summary", H5T_NATIVE_INT8);
      for (std::size_t i = 0; i < lat.size(); ++i)
        kept += q[i] == 0 && healpix::morton_parent(healpix::geo_to_morton(lat[i], lon[i], 18), 6) == kCell;
    }
  }
  // One interpreter for both steps (its imports cost seconds): the catalog, then the cell
  // with the oracle's faster grouping ("sort", bit-identical to magg's 4096 passes).
  const std::string script =
      "import json, sys; sys.path.insert(0, sys.argv[1]); import atl06_reference as r; "
      "files = sys.argv[3:]; meta, _, _ = r.process_cell(int(sys.argv[2]), files, grouping='sort'); "
      "print(json.dumps({'catalog': r.build_catalog(files)['catalog'], 'cell': meta}))";
  const auto r = test::run_command(py + " -c \"" + script + "\" " + test::reference_dir().string() + " " +
                                   std::to_string(kCell) + files);
  if (r.exit_code != 0 && r.err.find("ModuleNotFoundError") != std::string::npos)
    GTEST_SKIP() << "the ATL06 oracle needs h5py, healpy and pandas: " << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  const auto& catalog = out.at("catalog");
  ASSERT_TRUE(catalog.contains(std::to_string(kCell))) << catalog.dump();
  EXPECT_EQ(catalog[std::to_string(kCell)].size(), 2u);
  const auto& meta = out.at("cell");
  EXPECT_EQ(meta.at("files_processed").get<int>(), 2);
  EXPECT_GT(meta.at("total_obs").get<std::int64_t>(), 0);
  EXPECT_EQ(meta.at("total_obs").get<std::int64_t>(), kept);
  EXPECT_GT(meta.at("cells_with_data").get<int>(), 10);
}

}  // namespace
}  // namespace granary
