// The ATL06 recipe against the goldens of magg's algorithm (shared/data/atl06/golden), under
// the rules of shared/data/atl06/README.md ("how results are judged"):
//   counts, cell ids, min and max exact; quantiles within 1 ulp;
//   default numerics (double): h_mean and h_sigma within 1e-6 relative, h_variance 1e-4;
//   --numerics magg: every float within 1 ulp (we hold it to 0).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recipes/atl06/cell_job.hpp"
#include "support/test_support.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ls(line);
    Row r;
    std::size_t i = 0;
    for (std::string c; std::getline(ls, c, ',');) r[header.at(i++)] = c;
    if (line.back() == ',') r[header.at(i++)] = "";
    rows.push_back(std::move(r));
  }
  return rows;
}

std::int64_t ulps(float a, float b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return INT64_MAX;
  auto key = [](float f) {
    std::int32_t i;
    std::memcpy(&i, &f, 4);
    return i >= 0 ? static_cast<std::int64_t>(i) : -static_cast<std::int64_t>(i & 0x7fffffff);
  };
  return std::llabs(key(a) - key(b));
}

double rel(float got, float want) { return std::abs(static_cast<double>(got) - want) / std::max(1e-30, std::abs(static_cast<double>(want))); }

struct Golden {
  fs::path dir;
  nlohmann::json catalog;
  std::vector<Row> children, extra, parents;
};

Golden load_golden(const fs::path& data) {
  Golden g;
  g.dir = data / "atl06";
  g.catalog = nlohmann::json::parse(std::ifstream(g.dir / "golden" / "catalog.json"));
  g.children = read_csv(g.dir / "golden" / "children.csv");
  g.extra = read_csv(g.dir / "golden" / "children_extra.csv");
  g.parents = read_csv(g.dir / "golden" / "parents.csv");
  return g;
}

CellJob job_for(const Golden& g, const std::string& parent, ops::Numerics numerics, bool extra) {
  CellJob j;
  j.parent = std::stoll(parent);
  for (const auto& name : g.catalog["catalog"][parent]) j.granules.push_back((g.dir / name.get<std::string>()).string());
  j.numerics = numerics;
  j.extra = extra;
  return j;
}

// Computes every golden parent and checks each golden row; returns rows checked.
void check_children(ops::Numerics numerics, bool extra) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const Golden g = load_golden(data);
  const auto& rows = extra ? g.extra : g.children;
  std::map<std::int64_t, ops::GroupStats> stats;
  std::int64_t nonempty = 0;
  for (const auto& [parent, _] : g.catalog["catalog"].items()) {
    auto cell = compute_cell(job_for(g, parent, numerics, extra));
    for (const auto& o : cell.read.granules) EXPECT_NE(o.status, "failed") << o.name << ": " << o.reason;
    nonempty += cell.stats.groups_with_data();
    stats.emplace(std::stoll(parent), std::move(cell.stats));
  }
  EXPECT_EQ(nonempty, static_cast<std::int64_t>(rows.size())) << "non-empty child cells";
  const bool magg = numerics == ops::Numerics::Magg;
  std::map<std::string, std::int64_t> worst;
  for (const auto& r : rows) {
    const auto& s = stats.at(std::stoll(r.at("parent_morton")));
    const std::size_t i = std::stoul(r.at("chunk_pos"));
    const std::string where = r.at("parent_morton") + "/" + r.at("child_morton");
    ASSERT_EQ(s.count[i], std::stoi(r.at("count"))) << where;
    auto f = [&](const char* col) { return static_cast<float>(std::stod(r.at(col))); };
    EXPECT_EQ(s.h_min[i], f("h_min")) << where;
    EXPECT_EQ(s.h_max[i], f("h_max")) << where;
    for (auto [col, v] : {std::pair{"h_q25", s.h_q25[i]}, {"h_q50", s.h_q50[i]}, {"h_q75", s.h_q75[i]}})
      EXPECT_LE(ulps(v, f(col)), magg ? 0 : 1) << where << " " << col;
    for (auto [col, v, tol] : {std::tuple{"h_mean", s.h_mean[i], 1e-6}, {"h_sigma", s.h_sigma[i], 1e-6}, {"h_variance", s.h_variance[i], 1e-4}}) {
      worst[col] = std::max(worst[col], ulps(v, f(col)));
      if (magg) EXPECT_EQ(ulps(v, f(col)), 0) << where << " " << col << " " << v << " vs " << f(col);
      else EXPECT_LE(rel(v, f(col)), tol) << where << " " << col << " " << v << " vs " << f(col);
    }
    if (extra) {
      if (magg) EXPECT_EQ(ulps(s.h_std[i], f("h_std")), 0) << where;
      else EXPECT_LE(rel(s.h_std[i], f("h_std")), 1e-4) << where;
      EXPECT_EQ(s.t_min[i], std::stod(r.at("t_min"))) << where;
      EXPECT_EQ(s.t_max[i], std::stod(r.at("t_max"))) << where;
      EXPECT_EQ(s.n_sources[i], std::stoi(r.at("n_granules"))) << where;
    }
  }
  for (const auto& [col, u] : worst) std::cout << "  max ulp " << col << " = " << u << "\n";
}

TEST(Atl06Golden, ChildrenDefaultNumerics) { check_children(ops::Numerics::Double, false); }
TEST(Atl06Golden, ChildrenMaggNumericsAreBitIdentical) { check_children(ops::Numerics::Magg, false); }
TEST(Atl06Golden, ExtraStatisticsDefaultNumerics) { check_children(ops::Numerics::Double, true); }
TEST(Atl06Golden, ExtraStatisticsMaggNumerics) { check_children(ops::Numerics::Magg, true); }

TEST(Atl06Golden, ParentSummariesMatch) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const Golden g = load_golden(data);
  test::TempDir tmp;
  ASSERT_EQ(g.parents.size(), g.catalog["catalog"].size());
  for (const auto& row : g.parents) {
    auto job = job_for(g, row.at("parent_morton"), ops::Numerics::Double, false);
    job.store = (tmp / ("p" + row.at("parent_morton") + ".zarr")).string();
    job.create_store = true;
    auto result = run_cell_job(job);
    ASSERT_EQ(result["status"], "SUCCESS") << result.dump(1);
    const auto body = magg_response(result)["body"];
    EXPECT_EQ(body["granule_count"].get<int>(), std::stoi(row.at("granule_count")));
    EXPECT_EQ(body["files_processed"].get<int>(), std::stoi(row.at("files_processed")));
    EXPECT_EQ(body["cells_with_data"].get<int>(), std::stoi(row.at("cells_with_data")));
    EXPECT_EQ(body["total_obs"].get<int>(), std::stoi(row.at("total_obs")));
    const std::string err = body["error"].is_null() ? "" : body["error"].get<std::string>();
    EXPECT_EQ(err, row.at("error")) << row.at("parent_morton");
  }
}

TEST(Atl06Golden, MissingBeamsAreNormal) {
  GRANARY_REQUIRE_REAL_DATA(data);
  const Golden g = load_golden(data);
  auto cell = compute_cell(job_for(g, "-3233121", ops::Numerics::Double, false));
  ASSERT_EQ(cell.read.granules.size(), 1u);
  EXPECT_EQ(cell.read.granules[0].status, "read");
  EXPECT_EQ(cell.read.granules[0].beams, 2);  // only gt1l/gt1r exist in this granule
  EXPECT_EQ(cell.stats.total(), 851);
}

}  // namespace
}  // namespace granary::atl06
