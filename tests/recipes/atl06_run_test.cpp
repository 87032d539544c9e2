// `granary atl06 catalog -> run` on synthetic granules (made here, several tracks crossing
// one Antarctic cell in different directions, so child cells mix granules and beams):
// the store holds what magg would compute (the oracle, bit for bit with --numerics magg),
// reads back in xarray (v2) and zarrita (v3), and a rerun resumes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "formats/zarr/zarr.hpp"
#include "grids/healpix/morton.hpp"
#include "io/file_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/test_support.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::int64_t kCell = -4113213;


// Three small granules crossing kCell, plus one granule with only gt1l/gt1r: written once.
const fs::path& synthetic_granules() {
  static test::TempDir* dir = [] {
    auto* d = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = d->path();
    o.granules = 3;
    o.segments_per_beam = 25000;
    o.cells = {kCell};
    synth::write_synthetic_granules(o);
    o.granules = 1;
    o.seed = 99;
    o.beams = {"gt1l", "gt1r"};
    synth::write_synthetic_granules(o);
    return d;
  }();
  return dir->path();
}

std::string granule_list() {
  std::string out;
  for (const auto& e : fs::directory_iterator(synthetic_granules()))
    if (e.path().extension() == ".h5") out += " " + e.path().string();
  return out;
}

template <typename T>
std::vector<T> read_values(const fs::path& store, const std::string& array) {
  io::FileStore s(store);
  auto raw = zarr::read_array(s, array);
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

TEST(Atl06Run, CatalogRunAndResume) {
  test::TempDir tmp;
  auto r = test::run_granary("atl06 catalog --granules " + synthetic_granules().string() + " --out " + (tmp / "catalog.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto catalog = json::parse(std::ifstream(tmp / "catalog.json"));
  ASSERT_TRUE(catalog["catalog"].contains(std::to_string(kCell)));
  EXPECT_EQ(catalog["catalog"][std::to_string(kCell)].size(), 4u);

  const std::string store = (tmp / "out.zarr").string();
  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + store + " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("plan:"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(store));  // a dry run writes nothing

  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + store + " -j 2 --report " +
                        (tmp / "report.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto report = json::parse(std::ifstream(tmp / "report.json"));
  const auto& summary = report["context"]["production_results"];
  EXPECT_EQ(summary["total_cells"], catalog["catalog"].size());
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_GT(summary["total_obs"].get<std::int64_t>(), 1000);
  EXPECT_TRUE(fs::exists(tmp / "out.zarr" / "zarr.json"));

  // The store: one chunk per catalog parent, in ascending order; counts add up.
  auto parents = read_values<std::int64_t>(store, "12/parent_morton");
  ASSERT_EQ(parents.size(), catalog["catalog"].size());
  EXPECT_TRUE(std::is_sorted(parents.begin(), parents.end()));
  auto count = read_values<std::int32_t>(store, "12/count");
  auto cells = read_values<std::uint64_t>(store, "12/cell_ids");
  ASSERT_EQ(count.size(), parents.size() * 4096);
  std::int64_t total = 0;
  for (auto c : count) total += c;
  EXPECT_EQ(total, summary["total_obs"].get<std::int64_t>());
  for (std::size_t i = 1; i < cells.size(); ++i)
    if (i % 4096) {
      ASSERT_EQ(cells[i], cells[i - 1] + 1) << "cell ids run in nested order within a parent";
    }

  // A rerun skips every finished cell; --overwrite runs them again.
  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(fmt::format("{} already done", catalog["catalog"].size())), std::string::npos) << r.out;
  // A different layout is refused rather than mixed into the store.
  r = test::run_granary("atl06 run --catalog " + (tmp / "catalog.json").string() + " --out " + store + " --extra-stats");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("different set of statistics"), std::string::npos) << r.err;
}

TEST(Atl06Run, MaggNumericsEqualTheOracleOnMixedGranules) {
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir tmp;
  auto r = test::run_granary("atl06 cell --numerics magg --parent " + std::to_string(kCell) + " --granules" + granule_list() +
                             " --out " + (tmp / "s.zarr").string() + " --csv " + (tmp / "granary.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string oracle = (test::reference_dir() / "atl06_reference.py").string();
  r = test::run_command(py + " " + oracle + " cell --grouping sort --parent " + std::to_string(kCell) + granule_list() + " --out " +
                        (tmp / "oracle.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_command(py + " " + oracle + " compare " + (tmp / "oracle.csv").string() + " " + (tmp / "granary.csv").string() +
                        " --ulp 0 --ulp-mean 0");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto verdict = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_GT(verdict["rows_golden"].get<int>(), 100);
  EXPECT_EQ(verdict["rows_golden"], verdict["rows_candidate"]);
}

TEST(Atl06Run, V2StoreOpensInXarrayWithXdggsAttributes) {
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir tmp;
  const std::string store = (tmp / "v2.zarr").string();
  auto r = test::run_granary("atl06 cell --zarr-format 2 --extra-stats --parent " + std::to_string(kCell) + " --granules" +
                             granule_list() + " --out " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string script = R"(
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np, xarray as xr, zarr
ds = xr.open_zarr(sys.argv[1], group="12", consolidated=False)
c = ds["count"].values
print(json.dumps({
  "cell_ids_dtype": str(ds["cell_ids"].dtype), "count_dtype": str(c.dtype), "morton_dtype": str(ds["morton"].dtype),
  "coords": sorted(ds.coords), "dims": dict(ds.sizes), "cell_ids_attrs": {k: v for k, v in ds["cell_ids"].attrs.items()},
  "total": int(c.sum()), "with_data": int((c > 0).sum()),
  "mean_nan_where_empty": bool(np.isnan(ds["h_mean"].values[c == 0]).all()),
  "mean_finite_where_data": bool(np.isfinite(ds["h_mean"].values[c > 0]).all()),
  "first_cell": int(ds["cell_ids"].values[0]), "t_min_dtype": str(ds["t_min"].dtype),
  "consolidated": sorted(zarr.open_consolidated(sys.argv[1])["12"].array_keys())}))
)";
  std::ofstream(tmp / "read.py") << script;
  r = test::run_command(py + " " + (tmp / "read.py").string() + " " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  EXPECT_EQ(out["cell_ids_dtype"], "uint64");  // integers stay integers (no fill value to mask)
  EXPECT_EQ(out["count_dtype"], "int32");
  EXPECT_EQ(out["morton_dtype"], "int64");
  EXPECT_EQ(out["coords"], json::parse(R"(["cell_ids", "morton"])"));
  EXPECT_EQ(out["dims"]["cells"], 4096);
  EXPECT_EQ(out["cell_ids_attrs"]["grid_name"], "healpix");
  EXPECT_EQ(out["cell_ids_attrs"]["level"], 12);
  EXPECT_EQ(out["cell_ids_attrs"]["indexing_scheme"], "nested");
  EXPECT_GT(out["total"].get<int>(), 1000);
  EXPECT_TRUE(out["mean_nan_where_empty"].get<bool>());
  EXPECT_TRUE(out["mean_finite_where_data"].get<bool>());
  EXPECT_EQ(out["first_cell"].get<std::int64_t>(), healpix::morton_to_nest(kCell).nest * 4096);
  EXPECT_EQ(out["t_min_dtype"], "datetime64[ns]");  // CF units: seconds since 2018-01-01
  EXPECT_EQ(out["consolidated"].size(), 16u);
}

TEST(Atl06Run, V3StoreReadsInZarritaWithTheDggsConvention) {
  if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";
  auto tools = test::zarrita_dir();
  if (!tools) GTEST_SKIP() << "zarrita not installed: run `npm ci --prefix tools/zarrita` (or set GRANARY_ZARRITA_DIR)";
  test::TempDir tmp;
  auto r = test::run_granary("atl06 catalog --granules " + synthetic_granules().string() + " --out " + (tmp / "c.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string store = (tmp / "v3.zarr").string();
  r = test::run_granary("atl06 run --catalog " + (tmp / "c.json").string() + " --out " + store + " --morton-cell " + std::to_string(kCell));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto script = fs::path(GRANARY_SOURCE_DIR) / "tests" / "formats" / "zarrita_read.mjs";
  r = test::run_command("GRANARY_ZARRITA_DIR=" + tools->string() + " node " + script.string() + " " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  const auto& nodes = out["nodes"];
  const auto& group = nodes["/12"]["attrs"];
  ASSERT_TRUE(group.contains("dggs")) << group.dump();
  EXPECT_EQ(group["dggs"]["name"], "healpix");
  EXPECT_EQ(group["dggs"]["refinement_level"], 12);
  EXPECT_EQ(group["dggs"]["indexing_scheme"], "nested");
  EXPECT_TRUE(group.contains("zarr_conventions"));
  // Compare every array zarrita decodes (zstd) with granary's own reader.
  for (const char* name : {"count", "h_mean", "cell_ids", "morton"}) {
    const auto& a = nodes[std::string("/12/") + name];
    ASSERT_TRUE(a.contains("data")) << name;
    EXPECT_TRUE(a["same_via_consolidated"].get<bool>()) << name;
  }
  auto count = read_values<std::int32_t>(store, "12/count");
  auto zcount = nodes["/12/count"]["data"];
  ASSERT_EQ(zcount.size(), count.size());
  for (std::size_t i = 0; i < count.size(); ++i) ASSERT_EQ(zcount[i].get<std::int64_t>(), count[i]) << i;
  auto cells = read_values<std::uint64_t>(store, "12/cell_ids");
  auto zcells = nodes["/12/cell_ids"]["data"];
  for (std::size_t i = 0; i < cells.size(); i += 97) {
    const auto& v = zcells[i];
    EXPECT_EQ(v.is_string() ? std::stoull(v.get<std::string>()) : v.get<std::uint64_t>(), cells[i]);
  }
}

}  // namespace
}  // namespace granary::atl06
