#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>

#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/metadata.hpp"
#include "recipes/ecco/naming.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {
namespace fs = std::filesystem;

const nc::Attribute* find(const std::vector<nc::Attribute>& list, const std::string& name) {
  for (const auto& a : list)
    if (a.name == name) return &a;
  return nullptr;
}

std::string text(const std::vector<nc::Attribute>& list, const std::string& name) {
  auto a = find(list, name);
  if (!a) return "<missing " + name + ">";
  auto s = std::get_if<std::string>(&a->value);
  return s ? *s : "<not text>";
}

double number(const std::vector<nc::Attribute>& list, const std::string& name) {
  auto a = find(list, name);
  if (!a) return -1e300;
  auto d = std::get_if<std::vector<double>>(&a->value);
  return d && d->size() == 1 ? d->front() : -2e300;
}

std::vector<std::string> names(const std::vector<nc::Attribute>& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a.name);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using test::error_of;

const GranuleStamp kStamp = GranuleStamp::fixed("2024-05-06T07:08:09", 42);

// ------------------------------------------------------------------------------ real V4r4 set

#define REQUIRE_V4R4_METADATA(meta)                                      \
  GRANARY_REQUIRE_REAL_DATA(data);                                       \
  const fs::path meta_dir = data / "ecco" / "metadata_v4r4";             \
  if (!fs::is_directory(meta_dir)) GTEST_SKIP() << meta_dir << " not found"; \
  const Metadata meta = Metadata::load(meta_dir)

TEST(EccoMetadataReal, GroupingsMatchTheV4r4Files) {
  REQUIRE_V4R4_METADATA(m);
  ASSERT_EQ(m.groupings(Product::Latlon).size(), 13u);
  ASSERT_EQ(m.groupings(Product::Native).size(), 21u);

  const auto& ssh = m.grouping(Product::Latlon, 0);
  EXPECT_EQ(ssh.filename, "SEA_SURFACE_HEIGHT");
  EXPECT_EQ(ssh.fields, (std::vector<std::string>{"SSH", "SSHIBC", "SSHNOIBC"}));
  EXPECT_EQ(ssh.frequencies, (std::vector<Frequency>{Frequency::AvgDay, Frequency::AvgMon}));
  EXPECT_EQ(ssh.dimension, "2D");
  EXPECT_EQ(ssh.comment.rfind("SSH (dynamic sea surface height) = SSHNOIBC", 0), 0u);

  const auto& vel = m.grouping(Product::Latlon, 11);
  EXPECT_EQ(vel.filename, "OCEAN_VELOCITY");
  EXPECT_EQ(vel.components.at("EVEL"), (std::pair<std::string, std::string>{"UVEL", "VVEL"}));
  EXPECT_EQ(vel.orientations.at("NVEL"), "meridional");
  EXPECT_EQ(vel.input_fields(), (std::vector<std::string>{"UVEL", "VVEL", "WVELMASS"}));
  EXPECT_EQ(vel.output_names(), (std::vector<std::string>{"EVEL", "NVEL", "WVEL"}));

  const auto& stress = m.grouping(Product::Latlon, 6);
  EXPECT_EQ(stress.input_fields(), (std::vector<std::string>{"EXFtaux", "EXFtauy", "oceTAUX", "oceTAUY"}));

  const auto& native_ssh = m.grouping(Product::Native, 0);
  EXPECT_EQ(native_ssh.fields.back(), "ETAN");
  EXPECT_TRUE(native_ssh.has_frequency(Frequency::Snap));
  EXPECT_EQ(m.grouping(Product::Native, 17).renames.at("WVELMASS"), "WVEL");
  EXPECT_EQ(m.grouping(Product::Native, 9).fields[2], "ADVxSNOW");  // "ADVxSNOW " in the file
  EXPECT_TRUE(m.grouping(Product::Native, 20).time_invariant);      // OCEAN_3D_MIXING_COEFFS, "TI"
  EXPECT_EQ(m.grouping(Product::Native, 16).dataset_description,
            "ocean density, stratification, and hydrostatic pressure");

  auto e = error_of([&] { m.grouping(Product::Latlon, 13); });
  EXPECT_NE(e.find("groupings_for_latlon_datasets.json"), std::string::npos) << e;
  EXPECT_NE(e.find("0-12"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { m.grouping(Product::Native, -1); }).find("unknown native grouping -1"), std::string::npos);
}

TEST(EccoMetadataReal, VariableAttributesMergeLatlonOverNative) {
  REQUIRE_V4R4_METADATA(m);
  auto ssh = m.variable_attributes("SSH", Product::Latlon);
  EXPECT_EQ(names(ssh), (std::vector<std::string>{"coverage_content_type", "long_name", "standard_name", "units",
                                                  "comment"}));
  EXPECT_EQ(text(ssh, "units"), "m");
  const VariableMeta* meta = m.variable("SSH", Product::Latlon);
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(text(ssh, "comment"), meta->comments_1 + ". " + meta->comments_2);  // comments_1 has no final '.'

  // WVEL has a native and a lat-lon entry: the lat-lon values win, native-only keys stay.
  auto wvel_latlon = m.variable_attributes("WVEL", Product::Latlon);
  EXPECT_EQ(text(wvel_latlon, "long_name"), m.variable("WVEL", Product::Latlon)->long_name);
  EXPECT_EQ(text(wvel_latlon, "comment"), m.variable("WVEL", Product::Latlon)->comment());
  EXPECT_NE(m.variable("WVEL", Product::Latlon), m.variable("WVEL", Product::Native));

  EXPECT_NE(m.variable("EVEL", Product::Latlon), nullptr);
  EXPECT_EQ(m.variable("EVEL", Product::Native), nullptr);
  auto e = error_of([&] { m.variable_attributes("EVEL", Product::Native); });
  EXPECT_NE(e.find("'EVEL'"), std::string::npos) << e;
  EXPECT_NE(m.variable("hFacC", Product::Native), nullptr);  // geometry metadata is part of the chain
  EXPECT_NE(m.geometry("area", Product::Latlon), nullptr);

  auto full = m.data_variable_attributes("THETA", Product::Latlon, ValidRange{-1.5f, 30.25f},
                                         {"time", "latitude", "longitude", "Z"});
  EXPECT_EQ(full.front().name, "valid_min");
  EXPECT_EQ(std::get<std::vector<float>>(full[1].value).at(0), 30.25f);
  EXPECT_EQ(full.back().name, "coordinates");
  EXPECT_EQ(text(full, "coordinates"), "Z time");
  EXPECT_EQ(find(m.data_variable_attributes("SSH", Product::Latlon, std::nullopt, {"time"}), "valid_min"), nullptr);
}

TEST(EccoMetadataReal, CoordinateAttributes) {
  REQUIRE_V4R4_METADATA(m);
  auto time = m.coordinate_attributes("time", Product::Latlon, Frequency::AvgMon);
  EXPECT_EQ(names(time), (std::vector<std::string>{"axis", "bounds", "coverage_content_type", "long_name",
                                                   "standard_name", "units", "calendar"}));
  EXPECT_EQ(text(time, "long_name"), "center time of averaging period");
  EXPECT_EQ(text(time, "units"), "hours since 1992-01-01 12:00:00");
  EXPECT_EQ(text(time, "calendar"), "proleptic_gregorian");

  auto snap = m.coordinate_attributes("time", Product::Native, Frequency::Snap);
  EXPECT_EQ(find(snap, "bounds"), nullptr);
  EXPECT_EQ(find(snap, "axis"), nullptr);  // the native file has no axis for time
  EXPECT_EQ(text(snap, "long_name"), "snapshot time");

  auto bnds = m.coordinate_attributes("time_bnds", Product::Latlon, Frequency::AvgDay);
  EXPECT_EQ(names(bnds).back(), "calendar");
  auto lat = m.coordinate_attributes("latitude", Product::Latlon, Frequency::AvgMon);
  EXPECT_EQ(text(lat, "bounds"), "latitude_bnds");
  EXPECT_EQ(find(lat, "grid_dimension"), nullptr);
  EXPECT_TRUE(m.coordinate_attributes("nv", Product::Latlon, Frequency::AvgMon).empty());
  EXPECT_EQ(text(m.coordinate_attributes("XC", Product::Native, Frequency::AvgMon), "units"), "degrees_east");

  // Timesteps counted from another model start would not match the metadata's units.
  auto other = ProductStrings::from_map({{"model_start_time", "1993-01-01T00:00:00"}}, "cfg");
  auto e = error_of([&] { m.coordinate_attributes("time", Product::Latlon, Frequency::AvgMon, other); });
  EXPECT_NE(e.find("coordinate_metadata_for_latlon_datasets.json"), std::string::npos) << e;
}

TEST(EccoMetadataReal, GlobalAttributesOfLatlonMonthlySsh) {
  REQUIRE_V4R4_METADATA(m);
  const auto& g = m.grouping(Product::Latlon, 0);
  const ProductStrings strings;
  const auto t = time_info(Frequency::AvgMon, 732);
  auto attrs = m.global_attributes(g, t, strings, kStamp);

  EXPECT_EQ(text(attrs, "title"), "ECCO Sea Surface Height - Monthly Mean 0.5 Degree (Version 4 Release 4)");
  EXPECT_EQ(text(attrs, "id"), "10.5067/ECG5M-SSH44");
  EXPECT_EQ(text(attrs, "metadata_link"),
            "https://cmr.earthdata.nasa.gov/search/collections.umm_json?ShortName=ECCO_L4_SSH_05DEG_MONTHLY_V4R4");
  EXPECT_EQ(text(attrs, "product_name"), "SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc");
  EXPECT_EQ(text(attrs, "time_coverage_start"), "1992-01-01T12:00:00");
  EXPECT_EQ(text(attrs, "time_coverage_end"), "1992-02-01T00:00:00");
  EXPECT_EQ(text(attrs, "time_coverage_duration"), "P1M");
  EXPECT_EQ(text(attrs, "time_coverage_resolution"), "P1M");
  EXPECT_EQ(text(attrs, "product_time_coverage_start"), "1992-01-01T12:00:00");
  EXPECT_EQ(text(attrs, "product_time_coverage_end"), "2017-12-31T12:00:00");
  EXPECT_EQ(text(attrs, "date_created"), "2024-05-06T07:08:09");
  EXPECT_EQ(text(attrs, "date_metadata_modified"), "2024-05-06T07:08:09");
  EXPECT_EQ(text(attrs, "uuid"), seeded_uuid_v4(42));
  EXPECT_EQ(text(attrs, "Conventions"), "CF-1.8, ACDD-1.3");
  EXPECT_DOUBLE_EQ(number(attrs, "geospatial_lat_resolution"), 0.5);
  EXPECT_DOUBLE_EQ(number(attrs, "geospatial_lon_min"), -180.0);
  EXPECT_DOUBLE_EQ(number(attrs, "geospatial_vertical_min"), -6134.5);  // from the run strings, as the original
  EXPECT_EQ(find(attrs, "geospatial_vertical_max"), nullptr);           // "3D" only
  EXPECT_EQ(text(attrs, "comment"),
            "Fields provided on a regular lat-lon grid. They have been mapped to the regular lat-lon grid from the "
            "original ECCO lat-lon-cap 90 (llc90) native model grid. " + g.comment);
  EXPECT_EQ(text(attrs, "summary").rfind("This dataset contains monthly-averaged dynamic sea surface height "
                                         "interpolated to a regular 0.5-degree grid from the ECCO Version 4 revision 4 "
                                         "(V4r4) ocean and sea-ice state estimate. Estimating the Circulation",
                                         0),
            0u);
  EXPECT_EQ(text(attrs, "keywords"),
            "EARTH SCIENCE > OCEANS > SEA SURFACE TOPOGRAPHY > SEA SURFACE HEIGHT, "
            "EARTH SCIENCE SERVICES > MODELS > EARTH SCIENCE REANALYSES/ASSIMILATION MODELS");

  // Sorted case-insensitively, with the PO.DAAC note last; no placeholder left.
  ASSERT_EQ(attrs.back().name, "coordinates_comment");
  for (std::size_t i = 1; i + 1 < attrs.size(); ++i) EXPECT_LE(lower(attrs[i - 1].name), lower(attrs[i].name));
  std::set<std::string> unique;
  for (const auto& a : attrs) {
    EXPECT_TRUE(unique.insert(a.name).second) << a.name;
    if (auto s = std::get_if<std::string>(&a.value)) {
      EXPECT_EQ(s->find("TBD_"), std::string::npos) << a.name;
    }
  }
}

TEST(EccoMetadataReal, GlobalAttributesOf3dAndNativeSnapshots) {
  REQUIRE_V4R4_METADATA(m);
  const ProductStrings strings;
  auto ts = m.global_attributes(m.grouping(Product::Latlon, 9), time_info(Frequency::AvgDay, 36), strings, kStamp);
  EXPECT_EQ(text(ts, "title"), "ECCO Ocean Temperature and Salinity - Daily Mean 0.5 Degree (Version 4 Release 4)");
  EXPECT_DOUBLE_EQ(number(ts, "geospatial_vertical_max"), 0.0);  // "0" with type f
  EXPECT_EQ(text(ts, "geospatial_vertical_units"), "meter");

  auto snap = m.global_attributes(m.grouping(Product::Native, 0), time_info(Frequency::Snap, 12), strings, kStamp);
  EXPECT_EQ(text(snap, "title"), "ECCO Sea Surface Height - Snapshot llc90 Grid (Version 4 Release 4)");
  EXPECT_EQ(text(snap, "id"), "10.5067/ECL5S-SSH44");
  EXPECT_EQ(text(snap, "geospatial_lat_resolution"), "variable");
  EXPECT_EQ(text(snap, "time_coverage_start"), "1992-01-02T00:00:00");
  EXPECT_EQ(text(snap, "time_coverage_end"), "1992-01-02T00:00:00");
  EXPECT_EQ(text(snap, "time_coverage_duration"), "P0S");
  EXPECT_EQ(text(snap, "summary").rfind("This dataset contains instantaneous dynamic sea surface height and model sea "
                                        "level anomaly on the native Lat-Lon-Cap 90 (LLC90) model grid",
                                        0),
            0u);

  // Run strings replace the metadata texts; unknown keys replace only existing attributes.
  auto custom = ProductStrings::from_map(
      {{"history", "re-run"}, {"creator_name", "someone"}, {"workers", "4"}, {"doi", "10.9999"}}, "cfg");
  auto c = m.global_attributes(m.grouping(Product::Latlon, 0), time_info(Frequency::AvgMon, 732), custom, kStamp);
  EXPECT_EQ(text(c, "history"), "re-run");
  EXPECT_EQ(text(c, "creator_name"), "someone");
  EXPECT_EQ(find(c, "workers"), nullptr);
  EXPECT_EQ(text(c, "id"), "10.9999/ECG5M-SSH44");
}

TEST(EccoMetadataReal, EveryTimeSeriesDatasetHasItsPodaacRow) {
  REQUIRE_V4R4_METADATA(m);
  int checked = 0;
  for (Product p : {Product::Native, Product::Latlon})
    for (const auto& g : m.groupings(p))
      for (Frequency f : g.frequencies) {
        PodaacEntry e;
        ASSERT_NO_THROW(e = m.podaac(g, f)) << g.filename << " " << to_string(p) << " " << to_string(f);
        EXPECT_EQ(e.id.rfind("10.5067/", 0), 0u) << e.id;
        if (f != Frequency::Snap) {
          // The table's example file is the first granule: the original's names are ours.
          auto first = time_info(f, f == Frequency::AvgMon ? 732 : 12);
          EXPECT_EQ(product_file_name(g, first), e.row.file_name);
        }
        ++checked;
      }
  EXPECT_EQ(checked, 71);  // the table's 79 rows minus 2 geometry, 2 mixing-coefficient and 4 1D datasets
}

// ------------------------------------------------------------------------------ demo set

TEST(EccoMetadataDemo, LoadsWithTheSameCodeAndServesEveryProduct) {
  test::TempDir tmp;
  write_demo_metadata(tmp.path());
  const auto m = Metadata::load(tmp.path());
  ASSERT_EQ(m.groupings(Product::Native).size(), 4u);
  ASSERT_EQ(m.groupings(Product::Latlon).size(), 4u);
  EXPECT_EQ(m.grouping(Product::Latlon, 2).input_fields(), (std::vector<std::string>{"UVEL", "VVEL"}));
  EXPECT_EQ(m.grouping(Product::Latlon, 3).output_names(), (std::vector<std::string>{"oceTAUE", "oceTAUN"}));
  EXPECT_EQ(m.grouping(Product::Native, 3).input_fields(), (std::vector<std::string>{"oceTAUX", "oceTAUY"}));

  std::set<std::string> inputs;
  int products = 0;
  for (Product p : {Product::Native, Product::Latlon})
    for (const auto& g : m.groupings(p)) {
      for (const auto& f : g.input_fields()) inputs.insert(f);
      for (const auto& name : g.output_names()) {
        auto attrs = m.variable_attributes(name, p);
        EXPECT_EQ(text(attrs, "long_name"), m.variable(name, p)->long_name) << name;
        EXPECT_NE(find(attrs, "units"), nullptr) << name;
      }
      for (Frequency f : g.frequencies) {
        auto t = time_info(f, f == Frequency::AvgMon ? 1428 : 36);
        auto attrs = m.global_attributes(g, t, ProductStrings{}, kStamp);
        EXPECT_EQ(text(attrs, "product_name"), product_file_name(g, t));
        EXPECT_EQ(text(attrs, "id").rfind("10.5067/DM", 0), 0u) << text(attrs, "id");
        EXPECT_EQ(find(attrs, "geospatial_vertical_max") != nullptr, g.is_3d());
        for (const auto& a : attrs) {
          if (auto s = std::get_if<std::string>(&a.value)) {
            EXPECT_EQ(s->find("TBD_"), std::string::npos) << a.name;
          }
        }
        ++products;
      }
      for (const char* c : {"time", "time_bnds", "Z", "Z_bnds"})
        EXPECT_FALSE(m.coordinate_attributes(c, p, Frequency::AvgMon).empty()) << c;
    }
  EXPECT_EQ(products, 10);
  EXPECT_EQ(inputs, (std::set<std::string>{"SSH", "THETA", "SALT", "UVEL", "VVEL", "oceTAUX", "oceTAUY"}));
  EXPECT_FALSE(m.coordinate_attributes("latitude", Product::Latlon, Frequency::AvgMon).empty());
  EXPECT_FALSE(m.coordinate_attributes("XC", Product::Native, Frequency::AvgMon).empty());
  EXPECT_EQ(m.keywords(m.grouping(Product::Latlon, 2)),
            "EARTH SCIENCE > OCEANS > OCEAN CIRCULATION > OCEAN CURRENTS, "
            "EARTH SCIENCE SERVICES > MODELS > EARTH SCIENCE REANALYSES/ASSIMILATION MODELS");
  // UVEL's two keywords, trimmed, in order
  EXPECT_EQ(m.keywords(m.grouping(Product::Native, 2)),
            "EARTH SCIENCE > OCEANS > OCEAN CIRCULATION, EARTH SCIENCE > OCEANS > OCEAN CIRCULATION > OCEAN CURRENTS, "
            "EARTH SCIENCE SERVICES > MODELS > EARTH SCIENCE REANALYSES/ASSIMILATION MODELS");
}

// ------------------------------------------------------------------------------ errors

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(EccoMetadataErrors, MissingDirectoryAndFiles) {
  test::TempDir tmp;
  auto e = error_of([&] { Metadata::load(tmp / "nowhere"); });
  EXPECT_NE(e.find("nowhere"), std::string::npos) << e;

  write_demo_metadata(tmp.path());
  fs::remove(tmp / "ECCOv4r4_variable_metadata.json");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find("variable_metadata.json"), std::string::npos) << e;
  EXPECT_NE(e.find(tmp.path().string()), std::string::npos) << e;

  write_demo_metadata(tmp.path());
  e = error_of([&] { Metadata::load(tmp.path(), "other.csv"); });
  EXPECT_NE(e.find("other.csv"), std::string::npos) << e;

  fs::copy_file(tmp / "ECCOv4r4_variable_metadata.json", tmp / "ECCOv4r5_variable_metadata.json");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find("ECCOv4r5_variable_metadata.json"), std::string::npos) << e;
}

TEST(EccoMetadataErrors, BadJsonAndMissingKeysNameTheFile) {
  test::TempDir tmp;
  write_demo_metadata(tmp.path());
  const auto groupings = tmp / "ECCOv4r4_groupings_for_latlon_datasets.json";
  write(groupings, "[{\"name\": \"x\",");
  auto e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find(groupings.string() + ": invalid JSON"), std::string::npos) << e;

  write_demo_metadata(tmp.path());
  const auto variables = tmp / "ECCOv4r4_variable_metadata_for_latlon_datasets.json";
  write(variables, R"([{"name": "EVEL", "long_name": "x", "comments_2": ""}])");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find(variables.string()), std::string::npos) << e;
  EXPECT_NE(e.find("'EVEL'"), std::string::npos) << e;
  EXPECT_NE(e.find("'comments_1'"), std::string::npos) << e;

  write_demo_metadata(tmp.path());
  const auto globals = tmp / "ECCOv4r4_global_metadata_for_latlon_datasets.json";
  write(globals, R"([{"name": "geospatial_lat_resolution", "type": "f", "value": "half"}])");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find(globals.string()), std::string::npos) << e;
  EXPECT_NE(e.find("'half'"), std::string::npos) << e;
  write(globals, R"([{"name": "comment", "type": "x", "value": "v"}])");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find("type 'x'"), std::string::npos) << e;
  write(globals, R"([{"name": "comment", "value": "v"}])");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find("'type'"), std::string::npos) << e;
}

TEST(EccoMetadataErrors, PodaacTableProblems) {
  test::TempDir tmp;
  write_demo_metadata(tmp.path());
  const auto csv = tmp / kDefaultPodaacCsv;
  write(csv, "DATASET.FILENAME,DATASET.SHORT_NAME,DATASET.LONG_NAME\nA,B,C\n");
  auto e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find("DATASET.PERSISTENT_ID"), std::string::npos) << e;
  EXPECT_NE(e.find(csv.string()), std::string::npos) << e;

  write(csv, "DATASET.FILENAME,DATASET.SHORT_NAME,DATASET.LONG_NAME,DATASET.PERSISTENT_ID\nA,B,C\n");
  e = error_of([&] { Metadata::load(tmp.path()); });
  EXPECT_NE(e.find(":2: 3 fields"), std::string::npos) << e;

  // A table without the dataset: loading works, asking for the dataset fails clearly.
  write(csv, "DATASET.FILENAME,DATASET.SHORT_NAME,DATASET.LONG_NAME,DATASET.PERSISTENT_ID\r\n"
             "\"OTHER_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc\",S,\"Title, with comma\",PODAAC-X\r\n");
  const auto m = Metadata::load(tmp.path());
  e = error_of([&] { m.podaac(m.grouping(Product::Latlon, 0), Frequency::AvgMon); });
  EXPECT_NE(e.find("SEA_SURFACE_HEIGHT_mon_mean_*_latlon_0p50deg.nc"), std::string::npos) << e;
  EXPECT_NE(e.find(csv.string()), std::string::npos) << e;
}

TEST(EccoPodaacTable, ParsesQuotedFieldsAndByteOrderMark) {
  auto rows = parse_podaac_csv(
      "\xEF\xBB\xBF" "concept-id,DATASET.LONG_NAME,DATASET.SHORT_NAME,DATASET.FILENAME,DATASET.PERSISTENT_ID,"
      "DATASET.DESCRIPTION\n"
      "C1,\"A, b\",S1,F1.nc,PODAAC-1,\"says \"\"hi\"\"\nover two lines\"\n"
      "\n"
      "C2,T2,S2,F2.nc,PODAAC-2,\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].long_name, "A, b");
  EXPECT_EQ(rows[0].description, "says \"hi\"\nover two lines");
  EXPECT_EQ(rows[1].line, 5);
  EXPECT_EQ(rows[1].file_name, "F2.nc");
  EXPECT_EQ(rows[1].description, "");
  auto round_trip = parse_podaac_csv(format_podaac_csv(rows, "V4r4"), "r.csv");
  ASSERT_EQ(round_trip.size(), 2u);
  EXPECT_EQ(round_trip[0].description, rows[0].description);
  EXPECT_EQ(round_trip[0].long_name, rows[0].long_name);
  EXPECT_NE(error_of([] { parse_podaac_csv("a,\"b\n", "u.csv"); }).find("u.csv:1: quoted field is not closed"),
            std::string::npos);
}

TEST(EccoAttributes, EncodingsUuidsAndCoordinates) {
  auto data = data_variable_encoding();
  EXPECT_TRUE(data.deflate);
  EXPECT_EQ(data.level, 5);
  EXPECT_TRUE(data.shuffle);
  EXPECT_EQ(data.fill_value, 9.969209968386869e36);
  EXPECT_EQ(static_cast<float>(*data.fill_value), 9.96921e36f);
  auto coord = coordinate_encoding();
  EXPECT_FALSE(coord.deflate);
  EXPECT_FALSE(coord.fill_value.has_value());
  EXPECT_EQ(coordinate_type("time"), nc::Type::Int32);
  EXPECT_EQ(coordinate_type("time_bnds"), nc::Type::Int32);
  EXPECT_EQ(coordinate_type("tile"), nc::Type::Int32);
  EXPECT_EQ(coordinate_type("latitude_bnds"), nc::Type::Float32);
  EXPECT_EQ(coordinate_type("XC"), nc::Type::Float32);

  EXPECT_EQ(coordinates_attribute({"time", "YC", "k", "XC", "Z", "tile"}), "XC YC Z time");
  EXPECT_EQ(coordinates_attribute({"latitude", "longitude"}), "");

  auto a = seeded_uuid_v4(1), b = seeded_uuid_v4(1), c = seeded_uuid_v4(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto r1 = random_uuid_v4(), r2 = random_uuid_v4();
  EXPECT_NE(r1, r2);
  for (const auto& u : {a, c, r1, r2}) {
    ASSERT_EQ(u.size(), 36u) << u;
    EXPECT_EQ(u[8], '-');
    EXPECT_EQ(u[14], '4') << u;                                     // version 4
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;  // RFC 4122 variant
  }
  auto now = GranuleStamp::now();
  EXPECT_TRUE(parse_iso_time(now.date_created).has_value()) << now.date_created;
  EXPECT_EQ(now.date_created.size(), 19u);

  std::vector<nc::Attribute> attrs = {nc::attr("title", "t"), nc::attr("Conventions", "c"), nc::attr("acknowledgement", "a"),
                                      nc::attr("uuid", "u")};
  sort_casefold(attrs);
  EXPECT_EQ(names(attrs), (std::vector<std::string>{"acknowledgement", "Conventions", "title", "uuid"}));
}

}  // namespace
}  // namespace granary::ecco
