// The granule catalog: magg's JSON format (numeric key order, validation), the points
// catalog of local granules (failures recorded, never dropped), granule listing, the
// command's exit codes, and the golden catalog of the real granules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "grids/healpix/morton.hpp"
#include "io/s3_store.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/synth_writer.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// A small granule in the real layout whose two beams hold the given positions.
void write_granule(const fs::path& path, const std::vector<std::pair<double, double>>& lat_lon) {
  atl06::synth::GranuleContents g;
  g.rgt = 878;
  g.cycle = 20;
  g.version = "006";
  g.time_coverage_start = "2023-08-16T16:15:08Z";
  for (const char* name : {"gt1l", "gt2r"}) {
    atl06::synth::BeamArrays b;
    b.name = name;
    for (std::size_t i = 0; i < lat_lon.size(); ++i) {
      b.latitude.push_back(lat_lon[i].first);
      b.longitude.push_back(lat_lon[i].second);
      b.delta_time.push_back(1e8 + double(i));
      b.h_li.push_back(100.0f);
      b.h_li_sigma.push_back(0.1f);
      b.quality.push_back(0);
      b.segment_id.push_back(static_cast<std::int32_t>(1000 + i));
    }
    g.beams.push_back(std::move(b));
  }
  atl06::synth::write_granule(path, g);
}

using test::error_of;

TEST(Atl06Catalog, KeysKeepNumericOrderThroughJson) {
  atl06::Catalog c;
  c.metadata["parent_order"] = 6;
  c.metadata["method"] = "points";
  c.cells[2243432] = {"b.h5"};
  c.cells[-3233121] = {"a.h5", "c.h5"};
  c.cells[-5421413] = {"a.h5"};
  const std::string text = atl06::catalog_text(c);
  const auto p1 = text.find("\"-5421413\""), p2 = text.find("\"-3233121\""), p3 = text.find("\"2243432\"");
  ASSERT_NE(p3, std::string::npos);
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
  EXPECT_LT(text.find("parent_order"), text.find("method"));  // metadata keeps its order
  const auto back = atl06::parse_catalog(text, "mem");
  EXPECT_EQ(back.cells, c.cells);
  EXPECT_EQ(back.metadata, c.metadata);
  EXPECT_EQ(atl06::catalog_text(back), text);
}

TEST(Atl06Catalog, ParseErrorsNameTheSourceAndProblem) {
  auto err = [](const std::string& text) { return error_of([&] { atl06::parse_catalog(text, "cat.json"); }); };
  EXPECT_NE(err("{\"catalog\": ").find("cat.json: not valid JSON"), std::string::npos);
  EXPECT_NE(err("[]").find("cat.json: a catalog is a JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"metadata": {}})").find("cat.json: no \"catalog\" object"), std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"abc": []}})").find("\"abc\" is not an integer morton"), std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"+2243432": []}})").find("not an integer morton"), std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"2253432": []}})").find("2253432 is not a valid morton"), std::string::npos);
  EXPECT_NE(err(R"({"metadata": {"parent_order": 6}, "catalog": {"22434": []}})")
                .find("key 22434 has order 4, expected 6 (metadata.parent_order)"),
            std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"2243432": [], "22434": []}})").find("expected 6"), std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"2243432": "a.h5"}})").find("catalog[\"2243432\"] is not a list"),
            std::string::npos);
  EXPECT_NE(err(R"({"catalog": {"2243432": ["a.h5", 3]}})").find("holds 3 where a granule"), std::string::npos);
  // A catalog without metadata is accepted (the order comes from the keys).
  EXPECT_EQ(atl06::parse_catalog(R"({"catalog": {"2243432": ["a.h5"]}})", "x").cells.size(), 1u);
}

TEST(Atl06Catalog, WritesAtomicallyAndReadsBack) {
  test::TempDir tmp;
  atl06::Catalog c;
  c.metadata["parent_order"] = 6;
  c.cells[-3233121] = {"s3://b/ATL06_20230816234629_08822013_006_01.h5"};
  const auto path = (tmp / "catalog.json").string();
  atl06::write_catalog(c, path);
  EXPECT_EQ(atl06::read_catalog(path).cells, c.cells);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++entries;
  EXPECT_EQ(entries, 1) << "no temporary file may be left behind";
  EXPECT_NE(error_of([&] { atl06::read_catalog((tmp / "missing.json").string()); }).find("missing.json"),
            std::string::npos);
}

TEST(Atl06Catalog, PointsCatalogListsGranulesInInputOrderAndRecordsFailures) {
  test::TempDir tmp;
  const auto a = (tmp / "a.h5").string(), b = (tmp / "b.h5").string();
  // a: Kamchatka (two parents) and Crozet; b: Crozet only.
  write_granule(a, {{57.6, 158.9}, {58.5, 158.6}, {-46.4, 52.7}});
  write_granule(b, {{-46.3, 52.69}});
  const auto junk = (tmp / "junk.h5").string();
  std::ofstream(junk) << "not HDF5";
  const auto missing = (tmp / "missing.h5").string();

  const auto c = atl06::build_catalog_from_granules({b, junk, a, missing}, 6);
  const std::int64_t crozet = healpix::geo_to_morton(-46.4, 52.7, 6);
  ASSERT_EQ(c.cells.count(crozet), 1u);
  EXPECT_EQ(c.cells.at(crozet), (std::vector<std::string>{b, a}));  // input order
  EXPECT_EQ(c.cells.at(healpix::geo_to_morton(57.6, 158.9, 6)), std::vector<std::string>{a});
  EXPECT_EQ(c.cells.at(healpix::geo_to_morton(58.5, 158.6, 6)), std::vector<std::string>{a});
  EXPECT_EQ(c.metadata["method"], "points");
  EXPECT_EQ(c.metadata["total_granules"], 4);
  EXPECT_EQ(c.metadata["total_cells"], c.cells.size());
  EXPECT_TRUE(c.metadata.contains("created"));
  const auto& failed = c.metadata["failed_granules"];
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_NE(failed[junk].get<std::string>().find(junk), std::string::npos);
  EXPECT_NE(failed[missing].get<std::string>().find(missing), std::string::npos);
}

TEST(Atl06Catalog, ListsGranulesOfDirectoriesAndFiles) {
  test::TempDir tmp;
  fs::create_directories(tmp / "d" / "sub");
  for (const char* name : {"d/b.h5", "d/sub/a.h5", "d/A.h5", "d/notes.txt", "one.h5"}) std::ofstream(tmp / name) << "x";
  const auto d = (tmp / "d").string(), one = (tmp / "one.h5").string();
  EXPECT_EQ(atl06::list_granules({d, one, (tmp / "d/b.h5").string()}),
            (std::vector<std::string>{d + "/A.h5", d + "/b.h5", d + "/sub/a.h5", one}));
  EXPECT_NE(error_of([&] { atl06::list_granules({(tmp / "nope").string()}); }).find("no such file or directory"),
            std::string::npos);
  fs::create_directories(tmp / "empty");
  EXPECT_NE(error_of([&] { atl06::list_granules({(tmp / "empty").string()}); }).find("no *.h5 files"),
            std::string::npos);
}

TEST(Atl06Catalog, CommandExitCodes) {
  test::TempDir tmp;
  fs::create_directories(tmp / "in");
  write_granule(tmp / "in/good.h5", {{57.6, 158.9}});
  std::ofstream(tmp / "in/bad.h5") << "truncated";
  const auto out = tmp / "catalog.json";
  auto r = test::run_granary("atl06 catalog --granules " + (tmp / "in").string() + " -j 2 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;  // one granule failed
  const auto c = atl06::read_catalog(out.string());
  EXPECT_EQ(c.metadata["failed_granules"].size(), 1u);
  EXPECT_EQ(c.cells.size(), 1u);
  EXPECT_NE(r.err.find("bad.h5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 granule(s), 1 cell(s) at order 6, 1 failed"), std::string::npos) << r.err;

  EXPECT_EQ(test::run_granary("atl06 catalog --out " + out.string()).exit_code, 2);
  EXPECT_EQ(test::run_granary("atl06 catalog --granules " + (tmp / "nope").string() + " --out " + out.string())
                .exit_code,
            2);
  EXPECT_EQ(test::run_granary("atl06 catalog --granules " + (tmp / "in").string() + " --cmr --cycle 3 --out " +
                              out.string())
                .exit_code,
            2);
}

// The s3:// listing, against tests/support/s3_server.py (a strict S3 subset) on loopback.
const io::s3::Credentials kCatalogKeys{"AKIDCATALOGTEST1", "catalog/secret+key", ""};

TEST(Atl06Catalog, ListsGranulesUnderAnS3Prefix) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the S3 test server";
  test::S3TestServer server({.buckets = {"granules"}, .credentials = {kCatalogKeys}, .page_size = 2});
  auto store = io::open_s3_store("s3://granules/atl06", server.options(kCatalogKeys));
  const std::string bytes = "not really HDF5";
  const auto view = std::as_bytes(std::span(bytes));
  for (const char* key : {"c20/b.h5", "c20/a.h5", "c20/deep/c.h5", "c20/readme.txt", "c21/d.h5"})
    store->put(key, {view.begin(), view.end()});

  // Through the granary process (the environment names the endpoint and the keys): the
  // listing is sorted and .h5-only; every object fails to open as HDF5 and is recorded.
  test::TempDir tmp;
  const auto out = tmp / "catalog.json";
  auto r = test::run_command(server.env(kCatalogKeys) + test::granary_binary() +
                             " atl06 catalog --granules s3://granules/atl06/c20/ -j 1 --out " + out.string());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto c = atl06::read_catalog(out.string());
  std::vector<std::string> failed;
  for (const auto& [granule, reason] : c.metadata["failed_granules"].items()) failed.push_back(granule);
  EXPECT_EQ(failed, (std::vector<std::string>{"s3://granules/atl06/c20/a.h5", "s3://granules/atl06/c20/b.h5",
                                              "s3://granules/atl06/c20/deep/c.h5"}));
  EXPECT_EQ(c.metadata["total_granules"], 3);
}

// The golden lists file names; compare lists by basename and metadata without "created".
TEST(Atl06Catalog, MatchesGoldenCatalog) {
  GRANARY_REQUIRE_REAL_DATA(data);
  if (!fs::exists(data / "atl06/golden/catalog.json")) GTEST_SKIP() << "no atl06/golden/catalog.json in " << data;
  test::TempDir tmp;
  const auto out = tmp / "catalog.json";
  auto r = test::run_granary("atl06 catalog --granules " + (data / "atl06").string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto mine = ojson::parse(files::read_text(out));
  const auto golden = ojson::parse(files::read_text(data / "atl06/golden/catalog.json"));
  ASSERT_TRUE(mine["metadata"].contains("created"));
  mine["metadata"].erase("created");
  EXPECT_EQ(mine["metadata"], golden["metadata"]);
  for (auto& [key, list] : mine["catalog"].items())
    for (auto& g : list) g = fs::path(g.get<std::string>()).filename().string();
  EXPECT_EQ(mine["catalog"], golden["catalog"]);  // ordered_json: key order counts too
  EXPECT_EQ(mine["catalog"].dump(), golden["catalog"].dump());
}

}  // namespace
}  // namespace granary
