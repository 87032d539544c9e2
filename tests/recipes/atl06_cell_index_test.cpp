// The cell index of ATL06 stores (--latitude, --morton-form): the dggs blocks in every mode,
// checked with zarr-conventions/dggs's own validator (ajv) and against xdggs's decoding
// rules; authalic cells equal geodetic-spherical cells of latitudes converted by an
// independent closed form (numpy); packed words decode to the cell ids; conventions never mix.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cstring>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "grids/healpix/packed_morton.hpp"
#include "io/file_store.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/dggs_attributes.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/dggs_schema.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using healpix::LatitudeConvention;
using nlohmann::json;
using testing::HasSubstr;

constexpr std::int64_t kCell = -4113213;

const std::vector<CellIndex> kModes = {
    {LatitudeConvention::GeodeticSpherical, MortonForm::Legacy},
    {LatitudeConvention::AuthalicWgs84, MortonForm::Legacy},
    {LatitudeConvention::GeodeticSpherical, MortonForm::Packed},
    {LatitudeConvention::AuthalicWgs84, MortonForm::Packed},
};

std::string flags(const CellIndex& m) {
  return fmt::format(" --latitude {} --morton-form {}", healpix::latitude_name(m.latitude), morton_form_name(m.morton_form));
}

const fs::path& granules() {
  static test::TempDir* dir = [] {
    auto* d = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = d->path();
    o.granules = 2;
    o.segments_per_beam = 20000;
    o.cells = {kCell};
    synth::write_synthetic_granules(o);
    return d;
  }();
  return dir->path();
}

std::string granule_args(const fs::path& dir) {
  std::string out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".h5") out += " " + e.path().string();
  return out;
}

json read_json(const fs::path& p) { return json::parse(std::ifstream(p)); }

template <typename T>
std::vector<T> read_values(const fs::path& store, const std::string& array) {
  io::FileStore s(store);
  auto raw = zarr::read_array(s, array);
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

// xdggs (xarray-contrib/xdggs 0182efe) decoding, rule for rule: conventions/zarr.py pops
// name, spatial_dimension, coordinate and compression ("none" only), renames
// refinement_level to level; conventions/xdggs.py takes the coordinate's attributes; both
// then call HealpixInfo.from_dict, a frozen dataclass of level, indexing_scheme, ellipsoid
// (and the aliases nside, order, resolution, depth, nest): any other key is a TypeError.
// An ellipsoid needs semimajor_axis (or a sphere's radius). Empty string: accepted.
std::string xdggs_refusal(json info, const char* convention) {
  if (std::string(convention) == "zarr") {
    for (const char* k : {"name", "spatial_dimension"})
      if (!info.contains(k)) return std::string("missing ") + k;
    if (!info.contains("coordinate")) return "missing coordinate";
    if (info.value("compression", "") != "none") return "compressed coordinates are not supported";
    info["grid_name"] = info["name"];
    if (info.contains("refinement_level")) info["level"] = info["refinement_level"];
    for (const char* k : {"name", "spatial_dimension", "coordinate", "compression", "refinement_level"}) info.erase(k);
  }
  if (!info.contains("grid_name")) return "no grid name";
  if (info["grid_name"] != "healpix" && info["grid_name"] != "h3") return "unknown grid name: " + info["grid_name"].dump();
  info.erase("grid_name");
  const std::set<std::string> known = {"level", "indexing_scheme", "ellipsoid", "nside", "order", "resolution", "depth", "nest"};
  for (const auto& [k, v] : info.items())
    if (!known.count(k)) return "HealpixInfo.__init__() got an unexpected keyword argument '" + k + "'";
  if (info.contains("ellipsoid") && info["ellipsoid"].is_object() && !info["ellipsoid"].contains("semimajor_axis") &&
      !info["ellipsoid"].contains("radius"))
    return "unknown ellipsoid definition";
  if (!info.contains("level") || !info["level"].is_number_integer() || info["level"] < 0 || info["level"] > 29)
    return "level must be an integer in the range of [0, 29]";
  return "";
}

TEST(Atl06DggsAttributes, EllipsoidOnlyWhenTrue) {
  const auto geodetic = dggs_group_attributes(12, {LatitudeConvention::GeodeticSpherical, MortonForm::Legacy});
  EXPECT_EQ(geodetic["dggs"], json::parse(R"({"name": "healpix", "refinement_level": 12, "indexing_scheme": "nested",
      "spatial_dimension": "cells", "coordinate": "cell_ids", "compression": "none"})"));
  EXPECT_EQ(geodetic["zarr_conventions"].size(), 1u);
  const auto authalic = dggs_group_attributes(12, {LatitudeConvention::AuthalicWgs84, MortonForm::Legacy});
  EXPECT_EQ(authalic["dggs"]["ellipsoid"],
            json::parse(R"({"name": "WGS84", "semimajor_axis": 6378137.0, "inverse_flattening": 298.257223563})"));
  EXPECT_FALSE(xdggs_cell_ids_attributes(12, LatitudeConvention::GeodeticSpherical).contains("ellipsoid"));
  EXPECT_EQ(xdggs_cell_ids_attributes(12, LatitudeConvention::AuthalicWgs84)["ellipsoid"], authalic["dggs"]["ellipsoid"]);
  EXPECT_THROW(dggs_group_attributes(30, {}), Error);
  EXPECT_THROW(xdggs_cell_ids_attributes(-1, LatitudeConvention::GeodeticSpherical), Error);
}

TEST(Atl06DggsAttributes, PackedFormDeclaresMortonAndItsLatitude) {
  for (auto latitude : {LatitudeConvention::GeodeticSpherical, LatitudeConvention::AuthalicWgs84}) {
    const auto a = dggs_group_attributes(12, {latitude, MortonForm::Packed});
    ASSERT_EQ(a["zarr_conventions"].size(), 2u);
    EXPECT_EQ(a["zarr_conventions"][0]["uuid"], "7b255807-140c-42ca-97f6-7a1cfecdbc38");
    EXPECT_EQ(a["zarr_conventions"][1]["uuid"], "3e22156d-ea9e-4e01-95fe-e3809a4b41e7");
    EXPECT_EQ(a["zarr_conventions"][1]["name"], "morton-dggs");
    EXPECT_EQ(a["dggs"]["name"], "morton");
    EXPECT_EQ(a["dggs"]["coordinate"], "morton");
    EXPECT_EQ(a["dggs"]["refinement_level"], 12);
    EXPECT_EQ(a["dggs"]["latitude"], healpix::latitude_name(latitude));
    EXPECT_EQ(a["dggs"].contains("ellipsoid"), latitude == LatitudeConvention::AuthalicWgs84);
    EXPECT_FALSE(a["dggs"].contains("indexing_scheme")) << "never healpix + a morton scheme";
  }
}

TEST(Atl06DggsAttributes, XdggsAcceptsTheHealpixBlocksAndCellIds) {
  for (const auto& m : kModes) {
    const auto group = dggs_group_attributes(12, m)["dggs"];
    if (m.morton_form == MortonForm::Legacy) {
      EXPECT_EQ(xdggs_refusal(group, "zarr"), "") << group.dump();
    } else {
      EXPECT_THAT(xdggs_refusal(group, "zarr"), HasSubstr("unknown grid name"));  // morton needs moczarr's registration
    }
    EXPECT_EQ(xdggs_refusal(xdggs_cell_ids_attributes(12, m.latitude), "xdggs"), "");
  }
  // The emulation fails what xdggs failed on before: a long_name, magg's ellipsoid key.
  EXPECT_THAT(xdggs_refusal(json::parse(R"({"grid_name": "healpix", "level": 12, "long_name": "x"})"), "xdggs"),
              HasSubstr("unexpected keyword argument 'long_name'"));
  EXPECT_EQ(xdggs_refusal(json::parse(R"({"name": "healpix", "refinement_level": 12, "spatial_dimension": "cells",
      "coordinate": "cell_ids", "compression": "none", "ellipsoid": {"semi_major_axis": 6378137.0}})"), "zarr"),
            "unknown ellipsoid definition");
}

json as_group_document(const json& attributes) { return {{"zarr_format", 3}, {"node_type", "group"}, {"attributes", attributes}}; }

TEST(DggsSchema, EveryModePassesTheConventionsOwnValidator) {
  GRANARY_REQUIRE_DGGS_SCHEMA();
  for (const auto& m : kModes) {
    const auto verdict = test::validate_dggs(as_group_document(dggs_group_attributes(12, m)));
    EXPECT_TRUE(verdict.valid) << flags(m) << ": " << verdict.text();
  }
}

TEST(DggsSchema, TheOldEllipsoidKeyFails) {
  GRANARY_REQUIRE_DGGS_SCHEMA();
  auto attrs = dggs_group_attributes(12, {LatitudeConvention::AuthalicWgs84, MortonForm::Legacy});
  attrs["dggs"]["ellipsoid"] = {{"name", "WGS84"}, {"semi_major_axis", 6378137.0}, {"inverse_flattening", 298.257223563}};
  const auto verdict = test::validate_dggs(as_group_document(attrs));
  EXPECT_FALSE(verdict.valid);
  EXPECT_THAT(verdict.text(), HasSubstr("must have required property 'semimajor_axis'"));
  EXPECT_THAT(verdict.text(), HasSubstr("semi_major_axis"));
  // And a document without the convention's entry.
  attrs["zarr_conventions"] = json::array();
  EXPECT_FALSE(test::validate_dggs(as_group_document(attrs)).valid);
}

TEST(Atl06CellIndex, V3StoresInEveryModePassTheValidatorAndRecordTheIndex) {
  GRANARY_REQUIRE_DGGS_SCHEMA();
  test::TempDir tmp;
  std::vector<fs::path> documents;
  for (std::size_t i = 0; i < kModes.size(); ++i) {
    const auto& m = kModes[i];
    const auto store = tmp / ("s" + std::to_string(i) + ".zarr");
    auto r = test::run_granary("atl06 cell --parent " + std::to_string(kCell) + " --granules" + granule_args(granules()) + " --out " +
                               store.string() + flags(m));
    ASSERT_EQ(r.exit_code, 0) << flags(m) << r.err;
    documents.push_back(store / "12" / "zarr.json");
    const auto group = read_json(store / "12" / "zarr.json")["attributes"];
    EXPECT_EQ(group["granary"]["latitude"], healpix::latitude_name(m.latitude));
    EXPECT_EQ(group["granary"]["morton_form"], morton_form_name(m.morton_form));
    EXPECT_EQ(read_json(store / "zarr.json")["attributes"]["latitude"], healpix::latitude_name(m.latitude));
    // The consolidated copy is what zarr-python and xarray read first: it must pass too.
    const auto consolidated = tmp / ("c" + std::to_string(i) + ".json");
    std::ofstream(consolidated) << read_json(store / "zarr.json")["consolidated_metadata"]["metadata"]["12"].dump();
    documents.push_back(consolidated);
    const auto cell_attrs = read_json(store / "12" / "cell_ids" / "zarr.json")["attributes"];
    EXPECT_EQ(xdggs_refusal(cell_attrs, "xdggs"), "") << cell_attrs.dump();
    if (m.morton_form == MortonForm::Legacy) {
      EXPECT_EQ(xdggs_refusal(group["dggs"], "zarr"), "") << group.dump();
    }
  }
  const auto verdicts = test::validate_dggs(documents);
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_TRUE(verdicts[i].valid) << documents[i] << ": " << verdicts[i].text();
}

TEST(Atl06CellIndex, PackedWordsDecodeToTheCellIdsInBothFormats) {
  test::TempDir tmp;
  for (int format : {3, 2}) {
    const auto store = tmp / ("p" + std::to_string(format) + ".zarr");
    auto r = test::run_granary("atl06 cell --morton-form packed --zarr-format " + std::to_string(format) + " --parent " +
                               std::to_string(kCell) + " --granules" + granule_args(granules()) + " --out " + store.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto words = read_values<std::uint64_t>(store, "12/morton");
    const auto ids = read_values<std::uint64_t>(store, "12/cell_ids");
    ASSERT_EQ(words.size(), 4096u);
    ASSERT_EQ(ids.size(), words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto cell = healpix::packed_to_nest(words[i]);
      ASSERT_EQ(cell.order, 12);
      ASSERT_EQ(static_cast<std::uint64_t>(cell.nest), ids[i]);
      ASSERT_FALSE(cell.point);
      if (i > 0) {
        ASSERT_LT(words[i - 1], words[i]) << "Z-order: a raw unsigned sort";
      }
    }
    // The parent's first child renders as the parent's digits and a 1 per level.
    EXPECT_EQ(healpix::packed_decimal(words.front()), std::to_string(kCell) + "111111");
    const auto meta = format == 3 ? read_json(store / "12" / "morton" / "zarr.json") : read_json(store / "12" / "morton" / ".zarray");
    EXPECT_EQ(format == 3 ? meta["data_type"] : meta["dtype"], format == 3 ? json("uint64") : json("<u8"));
    const auto attrs = format == 3 ? read_json(store / "12" / "zarr.json")["attributes"] : read_json(store / "12" / ".zattrs");
    EXPECT_EQ(attrs["dggs"]["name"], "morton");
    EXPECT_EQ(attrs["dggs"]["latitude"], "geodetic-spherical");
  }
}

// An independent authalic latitude: Snyder's closed form (beta = asin(q(phi) / q(90))) in
// numpy, written into a copy of the granules; granary's geodetic-spherical cells of those
// latitudes must be its authalic-wgs84 cells of the originals, row for row.
TEST(Atl06CellIndex, AuthalicCellsAreGeodeticCellsOfAuthalicLatitudes) {
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir tmp;
  const auto converted = tmp / "converted";
  fs::create_directories(converted);
  const std::string script = R"(
import sys, shutil, glob, os
import numpy as np, h5py
src, dst = sys.argv[1], sys.argv[2]
a_inv_f = 298.257223563
f = 1.0 / a_inv_f
e2 = f * (2.0 - f)
e = np.sqrt(e2)
def q(phi):
    s = np.sin(phi)
    return (1.0 - e2) * (s / (1.0 - e2 * s * s) - np.log((1.0 - e * s) / (1.0 + e * s)) / (2.0 * e))
qp = q(np.pi / 2)
n = 0
for path in sorted(glob.glob(os.path.join(src, '*.h5'))):
    out = os.path.join(dst, os.path.basename(path))
    shutil.copy(path, out)
    with h5py.File(out, 'r+') as h:
        for beam in [k for k in h.keys() if k.startswith('gt')]:
            ds = h[beam + '/land_ice_segments/latitude']
            lat = ds[...]
            ds[...] = np.degrees(np.arcsin(np.clip(q(np.radians(lat)) / qp, -1.0, 1.0)))
            n += lat.size
print(n)
)";
  std::ofstream(tmp / "convert.py") << script;
  auto r = test::run_command(py + " " + (tmp / "convert.py").string() + " " + granules().string() + " " + converted.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(std::stoll(r.out), 100000);

  const std::string parent = " --parent " + std::to_string(kCell);
  r = test::run_granary("atl06 cell --latitude authalic-wgs84" + parent + " --granules" + granule_args(granules()) + " --out " +
                        (tmp / "a.zarr").string() + " --csv " + (tmp / "authalic.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("atl06 cell" + parent + " --granules" + granule_args(converted) + " --out " + (tmp / "g.zarr").string() +
                        " --csv " + (tmp / "converted.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("atl06 cell" + parent + " --granules" + granule_args(granules()) + " --out " + (tmp / "l.zarr").string() +
                        " --csv " + (tmp / "legacy.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string authalic = files::read_text(tmp / "authalic.csv"), same = files::read_text(tmp / "converted.csv");
  EXPECT_GT(std::count(authalic.begin(), authalic.end(), '\n'), 300);
  EXPECT_EQ(authalic, same);
  // The conventions really are different cells (~5 km apart at 80S, 3 order-12 cells).
  EXPECT_NE(authalic, files::read_text(tmp / "legacy.csv"));
}

TEST(Atl06CellIndex, ConventionsAndFormsNeverMixInOneStore) {
  test::TempDir tmp;
  const std::string store = (tmp / "s.zarr").string();
  const std::string cell = "atl06 cell --parent " + std::to_string(kCell) + " --granules" + granule_args(granules()) + " --out " + store;
  auto r = test::run_granary(cell);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto before = files::read_text(fs::path(store) / "12" / "h_mean" / "c" / "0");
  r = test::run_granary(cell + " --latitude authalic-wgs84");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the store's cells use latitude geodetic-spherical, this job authalic-wgs84"));
  EXPECT_THAT(r.err, HasSubstr("never mix in one store"));
  r = test::run_granary(cell + " --morton-form packed");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the store's morton coordinate is legacy, this job writes packed"));
  EXPECT_EQ(files::read_text(fs::path(store) / "12" / "h_mean" / "c" / "0"), before) << "nothing was written";

  // A run refuses a catalog of the other convention; without --latitude it takes the catalog's.
  r = test::run_granary("atl06 catalog --latitude authalic-wgs84 --granules " + granules().string() + " --out " +
                        (tmp / "authalic.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json(tmp / "authalic.json")["metadata"]["latitude"], "authalic-wgs84");
  r = test::run_granary("atl06 catalog --granules " + granules().string() + " --out " + (tmp / "legacy.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(read_json(tmp / "legacy.json")["metadata"].contains("latitude")) << "magg's catalog, unchanged";
  r = test::run_granary("atl06 run --catalog " + (tmp / "authalic.json").string() + " --latitude geodetic-spherical --out " +
                        (tmp / "r.zarr").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the catalog's cells use latitude authalic-wgs84, but --latitude is geodetic-spherical"));
  r = test::run_granary("atl06 run --catalog " + (tmp / "authalic.json").string() + " --out " + (tmp / "r.zarr").string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(read_json(tmp / "r.zarr" / "12" / "zarr.json")["attributes"]["granary"]["latitude"], "authalic-wgs84");
  // Into the geodetic store: refused as a whole before any cell runs.
  r = test::run_granary("atl06 run --catalog " + (tmp / "authalic.json").string() + " --out " + store);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("never mix in one store"));
}

// Like zagg's stores: the cells only as the packed `morton` coordinate, the index only in
// mortie's dggs block (no cell_ids, no granary attributes, no consolidated metadata).
void make_morton_only(const fs::path& store) {
  fs::remove_all(store / "12" / "cell_ids");
  auto root = read_json(store / "zarr.json");
  root.erase("consolidated_metadata");
  std::ofstream(store / "zarr.json") << root.dump();
  auto group = read_json(store / "12" / "zarr.json");
  group["attributes"].erase("granary");
  std::ofstream(store / "12" / "zarr.json") << group.dump();
}

TEST(Atl06CellIndex, InfoAndQuicklookReadBothFormsAndMortonOnlyStores) {
  test::TempDir tmp;
  const std::string parent = " --parent " + std::to_string(kCell) + " --granules" + granule_args(granules());
  for (const auto& m : kModes) {
    const auto store = tmp / "s.zarr";
    fs::remove_all(store);
    auto r = test::run_granary("atl06 cell" + parent + " --out " + store.string() + flags(m));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = test::run_granary("info " + store.string() + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto full = json::parse(r.out)["atl06"]["groups"][0];
    EXPECT_EQ(full["latitude"], healpix::latitude_name(m.latitude));
    EXPECT_EQ(full["morton_form"], morton_form_name(m.morton_form));
    ASSERT_GT(full["cells_with_data"].get<int>(), 300);
    r = test::run_granary("quicklook " + store.string() + " --var h_mean --out " + (tmp / "full.png").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (m.morton_form == MortonForm::Legacy) continue;

    make_morton_only(store);
    r = test::run_granary("info " + store.string() + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto only = json::parse(r.out)["atl06"]["groups"][0];
    for (const char* k : {"cells_with_data", "total_obs", "cell_id_min", "cell_id_max", "latitude", "morton_form"})
      EXPECT_EQ(only[k], full[k]) << k << flags(m);
    r = test::run_granary("info " + store.string());
    EXPECT_THAT(r.out, HasSubstr(fmt::format("latitude {}, packed morton", healpix::latitude_name(m.latitude))));
    r = test::run_granary("quicklook " + store.string() + " --var h_mean --out " + (tmp / "only.png").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(files::read_text(tmp / "only.png"), files::read_text(tmp / "full.png")) << "the same cells in the same places" << flags(m);
  }
}

TEST(Atl06CellIndex, DeclaredIndexOfForeignAttributes) {
  // zagg's block as its tests ship it (WGS84 ellipsoid, no latitude key: authalic by the
  // ellipsoid), mortie's with the key, a bare healpix block (a sphere), and a bad token.
  auto zagg = json::parse(R"({"dggs": {"name": "morton", "refinement_level": 6, "spatial_dimension": "cells",
      "ellipsoid": {"name": "WGS84", "semimajor_axis": 6378137.0, "inverse_flattening": 298.257223563},
      "compression": "none", "coordinate": "morton"}})");
  EXPECT_EQ(declared_cell_index(zagg, nullptr), (CellIndex{LatitudeConvention::AuthalicWgs84, MortonForm::Packed}));
  zagg["dggs"]["latitude"] = "geodetic-spherical";
  EXPECT_EQ(declared_cell_index(zagg, nullptr), (CellIndex{LatitudeConvention::GeodeticSpherical, MortonForm::Packed}));
  EXPECT_EQ(declared_cell_index(json::parse(R"({"dggs": {"name": "healpix", "refinement_level": 12}})"), nullptr), CellIndex{});
  EXPECT_EQ(declared_cell_index(json::object(), json::parse(R"({"grid_name": "healpix", "level": 12, "ellipsoid": "WGS84"})")).latitude,
            LatitudeConvention::AuthalicWgs84);
  zagg["dggs"]["latitude"] = "authalic";
  EXPECT_THAT(test::error_of([&] { declared_cell_index(zagg, nullptr); }), HasSubstr("dggs.latitude is \"authalic\""));
}

TEST(Atl06CellIndex, EventKeysAreChecked) {
  json e = {{"parent_morton", kCell}, {"granule_urls", json::array()}, {"store", "/tmp/x.zarr"}};
  EXPECT_EQ(parse_cell_event(e).index, CellIndex{});
  e["latitude"] = "authalic-wgs84";
  e["morton_form"] = "packed";
  EXPECT_EQ(parse_cell_event(e).index, (CellIndex{LatitudeConvention::AuthalicWgs84, MortonForm::Packed}));
  e["latitude"] = "authalic";
  EXPECT_THAT(test::error_of([&] { parse_cell_event(e); }), HasSubstr("event: latitude must be"));
  e["latitude"] = 3;
  EXPECT_THAT(test::error_of([&] { parse_cell_event(e); }), HasSubstr("field 'latitude' must be a string"));
  e.erase("latitude");
  e["morton_form"] = "u64";
  EXPECT_THAT(test::error_of([&] { parse_cell_event(e); }), HasSubstr("event: morton_form must be"));
}

}  // namespace
}  // namespace granary::atl06
