// `granary info` on small outputs made here: a netCDF-4 file from the project's writer (known
// values, NaN and fill), plain Zarr arrays with missing chunks, and ATL06 stores (v3 and v2)
// from synthetic granules, whose summary must agree with the run's own report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "formats/netcdf/writer.hpp"
#include "formats/zarr/zarr.hpp"
#include "io/file_store.hpp"
#include "ops/describe/describe.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

json info_json(const std::string& path) {
  auto r = test::run_granary("info " + path + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

const json& named(const json& list, const std::string& key, const std::string& name) {
  for (const auto& x : list)
    if (x.at(key) == name) return x;
  ADD_FAILURE() << "no " << name << " in " << list.dump();
  static const json none;
  return none;
}

// temp (2x3x4, deflate+shuffle, 3 NaN stored as _FillValue), salt (NaN kept, no fill),
// lat (coordinate), a long global attribute.
void write_sample_netcdf(const fs::path& file) {
  std::vector<float> temp(24), salt(24);
  for (int i = 0; i < 24; ++i) {
    temp[i] = static_cast<float>(i) - 5.f;  // -5 .. 18
    salt[i] = 30.f + static_cast<float>(i % 4);
  }
  temp[0] = temp[7] = temp[23] = kNaN;  // valid values: -4..17 without 2 -> min -4, max 17
  salt[5] = kNaN;
  std::vector<double> lat = {-10.0, 0.0, 10.0};
  nc::Dataset ds;
  ds.dimensions = {{"time", 2}, {"latitude", 3}, {"longitude", 4}};
  nc::Encoding packed;
  packed.deflate = true;
  packed.level = 4;
  packed.shuffle = true;
  packed.chunks = {1, 3, 4};
  packed.fill_value = 9.969209968386869e36;
  auto variable = [](std::string name, nc::Type type, std::vector<std::string> dims, std::vector<nc::Attribute> attrs,
                     std::span<const std::byte> data, nc::Encoding encoding) {
    nc::Variable v;
    v.name = std::move(name);
    v.type = type;
    v.dims = std::move(dims);
    v.attributes = std::move(attrs);
    v.data = data;
    v.encoding = std::move(encoding);
    return v;
  };
  const std::vector<std::string> grid = {"time", "latitude", "longitude"};
  ds.variables.push_back(variable("latitude", nc::Type::Float64, {"latitude"}, {nc::attr("units", "degrees_north")},
                                  nc::Dataset::bytes(lat), {}));
  ds.variables.push_back(variable("temp", nc::Type::Float32, grid,
                                  {nc::attr("units", "degC"), nc::attr("long_name", "Potential temperature")},
                                  nc::Dataset::bytes(temp), packed));
  ds.variables.push_back(variable("salt", nc::Type::Float32, grid, {nc::attr("units", "1e-3")}, nc::Dataset::bytes(salt), {}));
  ds.attributes = {nc::attr("title", "sample"), nc::attr("history", std::string(300, 'h'))};
  nc::write_netcdf(ds, file.string());
}

TEST(InfoNetcdf, DescribesDimensionsVariablesAndStatistics) {
  test::TempDir tmp;
  const auto file = tmp / "sample.nc";
  write_sample_netcdf(file);
  const auto d = info_json(file.string());
  EXPECT_EQ(d["format"], "netCDF-4");
  EXPECT_EQ(named(d["dimensions"], "name", "longitude")["size"], 4);
  EXPECT_EQ(named(d["dimensions"], "name", "time")["size"], 2);
  EXPECT_EQ(d["attributes"]["title"], "sample");
  EXPECT_EQ(d["attributes"]["history"].get<std::string>().size(), 300u);  // JSON keeps it whole

  const auto& temp = named(d["variables"], "name", "temp");
  EXPECT_EQ(temp["dtype"], "float32");
  EXPECT_EQ(temp["dims"], (json{"time", "latitude", "longitude"}));
  EXPECT_EQ(temp["shape"], (json{2, 3, 4}));
  EXPECT_EQ(temp["chunks"], (json{1, 3, 4}));
  EXPECT_EQ(temp["compression"]["deflate"], 4);
  EXPECT_EQ(temp["compression"]["shuffle"], true);
  EXPECT_EQ(temp["attributes"]["units"], "degC");
  const auto& ts = temp["stats"];
  EXPECT_EQ(ts["min"], -4.0);
  EXPECT_EQ(ts["max"], 17.0);
  EXPECT_NEAR(ts["mean"].get<double>(), (-4 + 17) * 22 / 2.0 / 21 - 2.0 / 21, 1e-9);  // sum(-4..17) - 2, over 21
  EXPECT_DOUBLE_EQ(ts["fill_fraction"].get<double>(), 3.0 / 24);
  EXPECT_EQ(ts["nan_fraction"], 0.0);

  const auto& salt = named(d["variables"], "name", "salt");
  EXPECT_EQ(salt["storage"], "contiguous");
  EXPECT_DOUBLE_EQ(salt["stats"]["nan_fraction"].get<double>(), 1.0 / 24);
  EXPECT_EQ(salt["stats"]["min"], 30.0);
  EXPECT_EQ(salt["stats"]["max"], 33.0);
  EXPECT_EQ(named(d["variables"], "name", "latitude")["stats"]["mean"], 0.0);

  // Streaming in small blocks (one chunk, or one row of a contiguous variable, at a time) gives the same statistics.
  describe::Options tiny;
  tiny.block_elements = 5;
  const auto streamed = describe::describe_netcdf(file.string(), tiny);
  for (const auto& v : streamed["variables"]) EXPECT_EQ(v["stats"], named(d["variables"], "name", v["name"])["stats"]);

  auto r = test::run_granary("info " + file.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"temp", "salt", "latitude", "Potential temperature", "deflate 4+shuffle", "..."})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " not in\n" << r.out;
  EXPECT_EQ(r.out.find(std::string(300, 'h')), std::string::npos);  // long values are shortened

  r = test::run_granary("info " + file.string() + " --json --no-stats");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(named(json::parse(r.out)["variables"], "name", "temp")["stats"].is_null());
}

// A 1-D float array of 10 in chunks of 4 with only the first chunk written: 2 of 3 chunks
// (6 values) are missing and count as fill.
TEST(InfoZarr, CountsChunksAndFillOfPlainArrays) {
  for (auto format : {zarr::Format::V3, zarr::Format::V2}) {
    test::TempDir tmp;
    io::FileStore store(tmp.path() / "a.zarr");
    zarr::write_group(store, "", format, {{"title", "plain"}});
    zarr::ArraySpec spec;
    spec.shape = {10};
    spec.chunks = {4};
    spec.fill_value = "NaN";
    spec.dimension_names = {"x"};
    zarr::write_array(store, "v", format, spec);
    std::vector<float> chunk = {1.f, 2.f, kNaN, 5.f};
    const std::uint64_t first[1] = {0};
    zarr::write_chunk(store, "v", format, first, zarr::encode_chunk(spec, std::as_bytes(std::span(chunk))));

    const auto d = info_json((tmp.path() / "a.zarr").string());
    EXPECT_EQ(d["format"], format == zarr::Format::V3 ? "Zarr v3" : "Zarr v2");
    EXPECT_EQ(d["attributes"]["title"], "plain");
    EXPECT_EQ(named(d["dimensions"], "name", "x")["size"], 10);
    const auto& v = named(d["arrays"], "path", "v");
    EXPECT_EQ(v["dtype"], "float32");
    EXPECT_EQ(v["chunks_present"], 1);
    EXPECT_EQ(v["chunks_expected"], 3);
    EXPECT_EQ(v["codec"]["name"], "zstd");
    EXPECT_EQ(v["stats"]["min"], 1.0);
    EXPECT_EQ(v["stats"]["max"], 5.0);
    EXPECT_DOUBLE_EQ(v["stats"]["mean"].get<double>(), 8.0 / 3);
    // The stored NaN is the fill value itself: fill, like the 6 values of the missing chunks.
    EXPECT_DOUBLE_EQ(v["stats"]["fill_fraction"].get<double>(), 0.7);
    EXPECT_EQ(v["stats"]["nan_fraction"], 0.0);
    EXPECT_FALSE(d.contains("atl06"));
  }
}

TEST(InfoZarr, Atl06StoreSummaryMatchesTheRunReport) {
  test::TempDir tmp;
  atl06::synth::SynthOptions o;
  o.out_dir = tmp / "granules";
  o.granules = 2;
  o.segments_per_beam = 20000;
  o.cells = {-4113213};
  atl06::synth::write_synthetic_granules(o);
  auto r = test::run_granary("atl06 catalog --granules " + o.out_dir.string() + " --out " + (tmp / "c.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  for (int format : {3, 2}) {
    SCOPED_TRACE(format);
    const auto store = (tmp / fmt::format("s{}.zarr", format)).string();
    const auto report = (tmp / fmt::format("report{}.json", format)).string();
    r = test::run_granary(fmt::format("atl06 run --catalog {} --out {} --zarr-format {} --report {}",
                                      (tmp / "c.json").string(), store, format, report));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = json::parse(std::ifstream(report))["context"]["production_results"];

    const auto d = info_json(store);
    EXPECT_EQ(d["format"], format == 3 ? "Zarr v3" : "Zarr v2");
    ASSERT_TRUE(d.contains("atl06")) << d.dump(1);
    const auto& g = d["atl06"]["groups"][0];
    EXPECT_EQ(g["group"], "12");
    EXPECT_EQ(g["parents"], summary["total_cells"]);
    EXPECT_EQ(g["parents_processed"], summary["successful"]);
    EXPECT_EQ(g["cells"], 4096 * g["parents"].get<int>());
    EXPECT_EQ(g["cells_with_data"], summary["total_cells_with_data"]);
    EXPECT_EQ(g["total_obs"], summary["total_obs"]);
    EXPECT_GT(g["total_obs"].get<std::int64_t>(), 1000);
    EXPECT_LE(g["cell_id_min"].get<std::uint64_t>(), g["cell_id_max"].get<std::uint64_t>());

    // count's statistics skip the fill value (0 in v3; v2 declares none for integers).
    const auto& count = named(d["arrays"], "path", "12/count");
    EXPECT_EQ(count["chunks_present"], count["chunks_expected"]);
    io::FileStore fs_store(store);
    auto raw = zarr::read_array(fs_store, "12/count");
    std::vector<std::int32_t> counts(raw.size() / 4);
    std::memcpy(counts.data(), raw.data(), raw.size());
    EXPECT_EQ(count["stats"]["max"], *std::max_element(counts.begin(), counts.end()));
    const auto& h_mean = named(d["arrays"], "path", "12/h_mean");
    EXPECT_NEAR(h_mean["stats"]["nan_fraction"].get<double>() + h_mean["stats"]["fill_fraction"].get<double>(),
                1.0 - g["cells_with_data"].get<double>() / g["cells"].get<double>(), 1e-12);

    r = test::run_granary("info " + store);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"12/h_mean", "12/cell_ids", "cells with data", "observations"})
      EXPECT_NE(r.out.find(word), std::string::npos) << word << " not in\n" << r.out;
  }
}

TEST(InfoErrors, MissingPathTextFileAndEmptyDirectoryAreBadInput) {
  test::TempDir tmp;
  const auto missing = (tmp / "nothing.nc").string();
  auto r = test::run_granary("info " + missing);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(missing + ": no such file"), std::string::npos) << r.err;

  const auto text = tmp / "notes.txt";
  std::ofstream(text) << "not a dataset\n";
  r = test::run_granary("info " + text.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(text.string() + ": cannot open as netCDF"), std::string::npos) << r.err;

  fs::create_directory(tmp / "empty");
  r = test::run_granary("info " + (tmp / "empty").string() + " --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a Zarr store"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace granary
