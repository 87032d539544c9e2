// ATL06 from and to S3 with several workers, as users run it: `atl06 catalog -j 4` over an
// s3:// prefix of granules and `atl06 run -j 4` into an s3:// store, repeated, on our strict
// server and on a third-party one (s3rver), then with injected faults (503s, dropped
// connections, garbled and truncated answers) while the workers run. Every run must lose
// nothing and equal the local run: workers that shared their parent's connection (or its
// retry jitter) failed 1-7 cells in every such run before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "io/file_store.hpp"
#include "io/s3_store.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/s3_test_server.hpp"
#include "support/tcp_fault_proxy.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::S3ServerKind;

const io::s3::Credentials kKeys{"AKIDPARALLELTEST", "parallel/Secret+Key1", ""};
constexpr const char* kGranules = "s3://granules/ATLAS/ATL06/006";
constexpr const char* kOut = "s3://products/atl06";
constexpr int kRepeats = 10;

// The catalog's cells with each granule reduced to its file name (local paths vs s3:// URIs).
std::map<std::int64_t, std::vector<std::string>> cells_by_name(const Catalog& catalog) {
  std::map<std::int64_t, std::vector<std::string>> out;
  for (const auto& [cell, granules] : catalog.cells)
    for (const auto& g : granules) out[cell].push_back(fs::path(g).filename().string());
  return out;
}

// Every Zarr object of `got` (granary's status records and reports aside) equals `want`'s.
void expect_same_store(const io::Store& got, const io::Store& want, const std::string& what) {
  auto zarr_objects = [](const io::Store& s) {
    std::vector<std::string> keys;
    for (const auto& o : s.list(""))
      if (o.key.rfind(".granary/", 0) != 0 && o.key.rfind("reports/", 0) != 0) keys.push_back(o.key);
    return keys;
  };
  auto keys = zarr_objects(want);
  ASSERT_FALSE(keys.empty());
  ASSERT_EQ(zarr_objects(got), keys) << what;
  for (const auto& k : keys) EXPECT_EQ(got.get(k), want.get(k)) << what << ": " << k;
}

class Atl06S3Parallel : public testing::TestWithParam<S3ServerKind> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = *dir_ / "granules";
    o.granules = 6;
    o.segments_per_beam = 3000;
    o.cells = {-4113213, -4114312, -3121311};
    for (const auto& g : synth::write_synthetic_granules(o)) local_granules_.push_back(g.path);
    auto local = test::run_granary("atl06 catalog --granules " + (*dir_ / "granules").string() + " --out " +
                                   (*dir_ / "local-catalog.json").string() + " -j 1");
    ASSERT_EQ(local.exit_code, 0) << local.err;
    auto run = test::run_granary("atl06 run --catalog " + (*dir_ / "local-catalog.json").string() + " --out " +
                                 (*dir_ / "local.zarr").string() + " -j 1");
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() {
    for (auto& [kind, server] : servers_) delete server;
    servers_.clear();
    delete dir_;
    dir_ = nullptr;
    local_granules_.clear();
  }
  void SetUp() override {
    if (!test::S3TestServer::available(GetParam())) GTEST_SKIP() << test::S3TestServer::why_unavailable(GetParam());
    auto& server = servers_[GetParam()];
    if (!server) {
      server = new test::S3TestServer({.kind = GetParam(), .buckets = {"granules", "products"}, .credentials = {kKeys}});
      auto granules = io::open_s3_store(kGranules, server->options(kKeys));
      for (const auto& g : local_granules_) granules->put(g.filename().string(), files::read_all(g));
    }
    server_ = server;
    if (server_->can_inject()) server_->control("/_control/clear");
  }

  static Catalog local_catalog() { return read_catalog((*dir_ / "local-catalog.json").string()); }
  static io::FileStore local_store() { return io::FileStore(*dir_ / "local.zarr"); }

  // `atl06 catalog -j 4` over the S3 prefix; returns the catalog's path.
  fs::path s3_catalog(const std::string& name, const std::string& options = "") const {
    auto path = *dir_ / (name + "-catalog.json");
    auto r = test::run_command(server_->env(kKeys) + test::granary_binary() + " atl06 catalog --granules " + kGranules +
                               " --out " + path.string() + " -j 4" + options);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    return path;
  }
  // `atl06 run -j 4` of a catalog into an S3 store; returns its report.
  json s3_run(const fs::path& catalog, const std::string& store, const std::string& name, const std::string& options = "") const {
    auto report = *dir_ / (name + "-report.json");
    auto r = test::run_command(server_->env(kKeys) + test::granary_binary() + " atl06 run --catalog " + catalog.string() +
                               " --out " + store + " -j 4 --report " + report.string() + options);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    return json::parse(files::read_text(report));
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline std::vector<fs::path> local_granules_;
  static inline std::map<S3ServerKind, test::S3TestServer*> servers_;
  test::S3TestServer* server_ = nullptr;
};

TEST_P(Atl06S3Parallel, RepeatedFourWorkerRunsLoseNothingAndEqualTheLocalRun) {
  const auto want_cells = cells_by_name(local_catalog());
  ASSERT_GE(want_cells.size(), 3u);  // the three made to be crossed, and neighbours
  const auto want_store = local_store();
  for (int rep = 0; rep < kRepeats; ++rep) {
    auto name = fmt::format("{}-{}", test::to_string(GetParam()), rep);
    auto catalog_path = s3_catalog(name);
    auto catalog = read_catalog(catalog_path.string());
    EXPECT_EQ(cells_by_name(catalog), want_cells) << name;
    EXPECT_FALSE(catalog.metadata.contains("failed_granules")) << name << ": " << catalog.metadata.dump();

    auto store_uri = fmt::format("{}/{}.zarr", kOut, name);
    auto report = s3_run(catalog_path, store_uri, name);
    EXPECT_EQ(report["totals"]["jobs_failed"], 0) << name << ": " << report["totals"].dump();
    expect_same_store(*io::open_s3_store(store_uri, server_->options(kKeys)), want_store, name);
    if (HasFailure()) break;  // one broken repetition says enough
  }
}

// The other cell index (authalic cells, packed morton words) through the same S3 paths.
TEST_P(Atl06S3Parallel, AuthalicPackedRunsEqualTheLocalRun) {
  const std::string latitude = " --latitude authalic-wgs84";
  auto r = test::run_granary("atl06 catalog --granules " + (*dir_ / "granules").string() + " --out " +
                             (*dir_ / "local-ap.json").string() + " -j 1" + latitude);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_granary("atl06 run --catalog " + (*dir_ / "local-ap.json").string() + " --out " + (*dir_ / "local-ap.zarr").string() +
                        " -j 1 --morton-form packed");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto local_catalog = read_catalog((*dir_ / "local-ap.json").string());
  EXPECT_EQ(local_catalog.metadata["latitude"], "authalic-wgs84");
  EXPECT_NE(cells_by_name(local_catalog), cells_by_name(Atl06S3Parallel::local_catalog())) << "other cells";
  const auto name = fmt::format("{}-ap", test::to_string(GetParam()));
  const auto catalog_path = s3_catalog(name, latitude);
  EXPECT_EQ(cells_by_name(read_catalog(catalog_path.string())), cells_by_name(local_catalog));
  const auto store_uri = fmt::format("{}/{}.zarr", kOut, name);
  const auto report = s3_run(catalog_path, store_uri, name, " --morton-form packed");
  EXPECT_EQ(report["totals"]["jobs_failed"], 0) << report["totals"].dump();
  EXPECT_EQ(report["context"]["latitude"], "authalic-wgs84");
  expect_same_store(*io::open_s3_store(store_uri, server_->options(kKeys)), io::FileStore(*dir_ / "local-ap.zarr"), name);
}

// Fault injection needs the strict server.
class Atl06S3Faults : public Atl06S3Parallel {};

TEST_P(Atl06S3Faults, InjectedFaultsWhileWorkersRunAreRetried) {
  const auto want_store = local_store();
  // `once`: a request fails at most once, so the faults spread over many requests of many
  // workers instead of exhausting one request's retries.
  for (const char* fault : {"count=6&status=503&code=SlowDown&method=GET", "count=4&mode=drop&method=GET",
                            "count=3&mode=garbage&method=GET", "count=3&mode=truncate&method=GET",
                            "count=2&mode=wrong-range&method=GET", "count=3&status=500&code=InternalError&method=PUT",
                            "count=2&mode=drop&method=PUT", "count=2&mode=drop&method=HEAD"})
    server_->control(std::string("/_control/fail?once=1&") + fault);
  auto catalog_path = s3_catalog("faults");
  EXPECT_EQ(cells_by_name(read_catalog(catalog_path.string())), cells_by_name(local_catalog()));
  auto report = s3_run(catalog_path, std::string(kOut) + "/faults.zarr", "faults");
  EXPECT_EQ(report["totals"]["jobs_failed"], 0) << report["totals"].dump();
  expect_same_store(*io::open_s3_store(std::string(kOut) + "/faults.zarr", server_->options(kKeys)), want_store, "faults");
  EXPECT_GT(server_->stats()["injected_failures"].get<int>(), 10);
}

INSTANTIATE_TEST_SUITE_P(Servers, Atl06S3Parallel, testing::Values(S3ServerKind::Strict, S3ServerKind::S3rver),
                         [](const auto& info) { return std::string(test::to_string(info.param)); });
INSTANTIATE_TEST_SUITE_P(Servers, Atl06S3Faults, testing::Values(S3ServerKind::Strict),
                         [](const auto& info) { return std::string(test::to_string(info.param)); });

// The network's faults behind the same -j 4 catalog and run: connections closed before the
// response, reset mid-response, stalled past GRANARY_S3_STALL_SECONDS (tests/support/
// tcp_fault_proxy.py in front of the strict server). The store equals the local run's.
TEST_P(Atl06S3Parallel, FourWorkersRideOutClosedResetAndStalledConnections) {
  if (GetParam() != S3ServerKind::Strict) GTEST_SKIP() << "one server is enough: the faults are the network's";
  const auto endpoint = server_->endpoint();
  test::TcpFaultProxy proxy({.target_port = endpoint.substr(endpoint.rfind(':') + 1), .every = 2, .max_faults = 24,
                             .stall_seconds = 4});
  const std::string env = server_->env(kKeys) + "AWS_ENDPOINT_URL_S3=" + proxy.endpoint() + " GRANARY_S3_STALL_SECONDS=2 ";
  const auto catalog = *dir_ / "proxy-catalog.json";
  auto r = test::run_command(env + test::granary_binary() + " atl06 catalog --granules " + kGranules + " --out " +
                             catalog.string() + " -j 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cells_by_name(read_catalog(catalog.string())), cells_by_name(local_catalog()));
  const std::string store = std::string(kOut) + "/proxy.zarr";
  r = test::run_command(env + test::granary_binary() + " atl06 run --catalog " + catalog.string() + " --out " + store + " -j 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_store(*io::open_s3_store(store, server_->options(kKeys)), local_store(), "through the proxy");
  const auto stats = proxy.stats();
  EXPECT_GE(stats.value("close", 0), 1) << stats.dump();
  EXPECT_GE(stats.value("reset", 0), 1) << stats.dump();
  EXPECT_GE(stats.value("stall", 0), 1) << stats.dump();
}

}  // namespace
}  // namespace granary::atl06
