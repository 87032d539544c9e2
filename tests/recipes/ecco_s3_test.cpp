// The ECCO recipe with its inputs and outputs on S3 (config keys given as s3:// URIs), end to
// end through `granary ecco run` against the strict loopback S3 server (it checks every
// SigV4 signature). The synthetic demo set is run once locally; every S3 or mixed run must
// give the same netCDF files (same size, and the same `ncdump -s` with exact digits: values,
// attributes, chunking, compression) except the attributes stamped per run, which differ
// between any two runs: date_created, date_issued, date_modified, date_metadata_modified, uuid.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/s3_store.hpp"
#include "recipes/ecco/config.hpp"
#include "support/s3_test_server.hpp"
#include "support/tcp_fault_proxy.hpp"
#include "support/product_compare.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

using test::dump_without_stamps;
using test::files_under;
using test::first_difference;

namespace fs = std::filesystem;
using nlohmann::json;

const io::s3::Credentials kKeys{"AKIDECCOS3TEST01", "ecco/Secret+key9", ""};

std::string text_of(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Whether anything under dir (or dir itself) is named like a URI turned into a path.
bool has_s3_colon_directory(const fs::path& dir) {
  if (fs::exists(dir / "s3:")) return true;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename() == "s3:") return true;
  return false;
}


class EccoS3 : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::S3TestServer::available() || access("/usr/bin/ncdump", X_OK) != 0) return;
    server_ = new test::S3TestServer({.buckets = {"ecco", "out"}, .credentials = {kKeys}, .page_size = 7});
    dir_ = new test::TempDir();
    const fs::path demo = *dir_ / "demo";
    auto synth = test::run_granary("ecco synth --out " + demo.string() + " --nx 12 --levels 4 --timesteps 2 --days 2");
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    auto factors = test::run_granary("ecco factors --grid " + (demo / "grid").string() + " --out " +
                                     (demo / "factors.bin").string());
    ASSERT_EQ(factors.exit_code, 0) << factors.err;
    auto local = test::run_granary("ecco run --config " + (demo / "config.yaml").string() + " --jobs " +
                                   (demo / "jobs.txt").string() + " -j 1");
    ASSERT_EQ(local.exit_code, 0) << local.out << local.err;
    // Inputs in one bucket, page size 7 so every listing is paginated.
    upload_inputs(*server_);
  }
  static void upload_inputs(const test::S3TestServer& server) {
    auto bucket = io::open_s3_store("s3://ecco", server.options(kKeys));
    for (const char* part : {"model_output", "grid", "metadata"})
      for (const auto& key : files_under(demo() / part))
        bucket->put(std::string(part) + "/" + key, files::read_all(demo() / part / key));
    bucket->put("factors/factors.bin", files::read_all(demo() / "factors.bin"));
  }
  // @20minutes/s3rver with the same inputs, started on first use: a third-party S3.
  static const test::S3TestServer* s3rver() {
    if (!s3rver_ && test::S3TestServer::available(test::S3ServerKind::S3rver)) {
      s3rver_ = new test::S3TestServer({.kind = test::S3ServerKind::S3rver, .buckets = {"ecco", "out"}, .credentials = {kKeys}});
      upload_inputs(*s3rver_);
    }
    return s3rver_;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete server_;
    delete s3rver_;
    dir_ = nullptr;
    server_ = nullptr;
    s3rver_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "/usr/bin/python3 (S3 test server) and /usr/bin/ncdump are needed";
    server_->control("/_control/clear");
  }

  static fs::path demo() { return *dir_ / "demo"; }
  static fs::path local_products() { return demo() / "products"; }

  // A config.yaml in its own directory: the demo's, with `locations` replacing its keys.
  static fs::path write_config(const std::string& name, const std::map<std::string, std::string>& locations) {
    std::string text = files::read_text(demo() / "config.yaml");
    for (const auto& [key, value] : locations) {
      std::regex line("(^|\n)" + key + ":[^\n]*");
      if (std::regex_search(text, line)) text = std::regex_replace(text, line, "$1" + key + ": " + value);
      else text += key + ": " + value + "\n";
    }
    const fs::path dir = *dir_ / name;
    fs::create_directories(dir);
    files::write_atomic(dir / "config.yaml", text);
    return dir / "config.yaml";
  }
  static std::map<std::string, std::string> all_on_s3(const std::string& out) {
    return {{"model_output_dir", "s3://ecco/model_output"},
            {"grid_dir", "s3://ecco/grid/"},
            {"metadata_dir", "s3://ecco/metadata"},
            {"mapping_factors", "s3://ecco/factors/factors.bin"},
            {"processed_output_dir", out}};
  }

  // `granary ecco run` with the server's keys in the environment, from the config's directory
  // (where a URI mistaken for a relative path would land).
  static test::CommandResult run(const fs::path& config, const std::string& extra = "-j 1",
                                 const test::S3TestServer* server = nullptr) {
    if (!server) server = server_;
    return test::run_command("cd '" + config.parent_path().string() + "' && " + server->env(kKeys) +
                             test::granary_binary() + " ecco run --config '" + config.string() + "' --jobs '" +
                             (demo() / "jobs.txt").string() + "' " + extra);
  }

  // The products under an s3:// prefix (reports aside), downloaded into `into`.
  static std::vector<std::string> download_products(const std::string& uri, const fs::path& into,
                                                    const test::S3TestServer* server = nullptr) {
    auto store = io::open_s3_store(uri, (server ? server : server_)->options(kKeys));
    std::vector<std::string> keys;
    for (const auto& o : store->list("")) {
      if (o.key.rfind("reports/", 0) == 0) continue;
      keys.push_back(o.key);
      files::write_atomic(into / o.key, store->get(o.key), files::Sync::No);
    }
    return keys;
  }

  // Every product of the local run exists in `dir` with the same content.
  static void expect_local_products(const fs::path& dir) {
    const auto want = files_under(local_products());
    std::vector<std::string> want_nc;
    for (const auto& k : want)
      if (k.rfind("reports/", 0) != 0) want_nc.push_back(k);
    ASSERT_FALSE(want_nc.empty());
    std::vector<std::string> got;
    for (const auto& k : files_under(dir))
      if (k.rfind("reports/", 0) != 0) got.push_back(k);
    ASSERT_EQ(got, want_nc);
    for (const auto& k : want_nc) {
      EXPECT_EQ(fs::file_size(dir / k), fs::file_size(local_products() / k)) << k;
      EXPECT_EQ(first_difference(dump_without_stamps(dir / k), dump_without_stamps(local_products() / k)), "") << k;
    }
  }

  static void expect_s3_products(const std::string& uri, const std::string& name,
                                 const test::S3TestServer* server = nullptr) {
    const fs::path into = *dir_ / ("download-" + name);
    download_products(uri, into, server);
    expect_local_products(into);
  }

  static json report_at(const std::string& uri) {
    auto store = io::open_s3_store(uri, server_->options(kKeys));
    auto reports = store->list("reports/");
    if (reports.empty()) return {};
    return json::parse(text_of(store->get(reports.back().key)));
  }

  static inline test::S3TestServer* server_ = nullptr;
  static inline test::S3TestServer* s3rver_ = nullptr;
  static inline test::TempDir* dir_ = nullptr;
};

TEST_F(EccoS3, EveryPathOnS3GivesTheLocalProducts) {
  const std::string out = "s3://out/all";
  auto config = write_config("all", all_on_s3(out));
  auto r = run(config);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_s3_products(out, "all");
  EXPECT_FALSE(has_s3_colon_directory(config.parent_path())) << "a URI became a local path";

  // The run report is on S3 too, and results name the s3:// URIs of the products.
  auto report = report_at(out);
  ASSERT_FALSE(report.is_null()) << "no report under " << out << "/reports/";
  EXPECT_NE(r.out.find("Report: " + out + "/reports/run-"), std::string::npos) << r.out;
  EXPECT_EQ(report["context"]["processed_output_dir"], out);
  EXPECT_EQ(report["context"]["model_output_dir"], "s3://ecco/model_output");
  std::size_t results = 0;
  for (const auto& job : report["jobs"])
    for (const auto& result : job["results"]) {
      ++results;
      EXPECT_EQ(result["status"], "SUCCESS") << result.dump();
      EXPECT_EQ(result["output"].get<std::string>().rfind(out + "/", 0), 0u) << result.dump();
      for (const auto& input : result["inputs"])
        EXPECT_EQ(input.get<std::string>().rfind("s3://ecco/model_output/", 0), 0u) << result.dump();
    }
  EXPECT_EQ(results, files_under(local_products()).size() - files_under(local_products() / "reports").size());
}

TEST_F(EccoS3, ResumeOnS3SkipsEverythingWithoutNewProductPuts) {
  const std::string out = "s3://out/resume";
  auto config = write_config("resume", all_on_s3(out));
  auto first = run(config);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::set<std::string> first_reports;
  for (const auto& o : io::open_s3_store(out, server_->options(kKeys))->list("reports/")) first_reports.insert(o.key);
  auto dry = run(config, "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("(exists: skip)"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("task(s) -> " + out + "; 20 output(s) exist already"), std::string::npos) << dry.out;
  // Any PUT of a product from now on would be refused and counted.
  server_->control("/_control/fail?count=100000&status=403&code=AccessDenied&method=PUT&match=.nc");
  const auto before = server_->stats();
  auto second = run(config);
  const auto after = server_->stats();
  server_->control("/_control/clear");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(after["injected_failures"], before["injected_failures"]) << "the resumed run tried to PUT a product";
  EXPECT_EQ(after["completed_uploads"], before["completed_uploads"]);
  auto store = io::open_s3_store(out, server_->options(kKeys));
  ASSERT_EQ(store->list("reports/").size(), 2u);  // one per run, neither overwritten
  // The second run's report: within one second it is run-T-2.json, which sorts before run-T.json.
  std::string second_report;
  for (const auto& o : store->list("reports/"))
    if (!first_reports.count(o.key)) second_report = o.key;
  ASSERT_FALSE(second_report.empty());
  auto report = json::parse(text_of(store->get(second_report)));
  std::size_t skipped = 0;
  for (const auto& job : report["jobs"])
    for (const auto& result : job["results"]) {
      EXPECT_EQ(result["status"], "SKIP") << result.dump();
      skipped += result["status"] == "SKIP";
    }
  EXPECT_GT(skipped, 0u);
  // A zero-byte object is not a product: the next run replaces it.
  const auto some_key = download_products(out, *dir_ / "resume-keys").front();
  store->put(some_key, std::span<const std::byte>());
  auto third = run(config);
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_GT(store->size(some_key).value_or(0), 0u);
  expect_s3_products(out, "resume");
}

TEST_F(EccoS3, MixedLocalAndS3Locations) {
  // Model output and metadata on S3, grid and factors local, products local.
  auto a = write_config("mixed-a", {{"model_output_dir", "s3://ecco/model_output"},
                                    {"metadata_dir", "s3://ecco/metadata"},
                                    {"grid_dir", (demo() / "grid").string()},
                                    {"mapping_factors", "../demo/factors.bin"},  // relative to the config file
                                    {"processed_output_dir", "products"}});
  auto ra = run(a);
  ASSERT_EQ(ra.exit_code, 0) << ra.out << ra.err;
  expect_local_products(a.parent_path() / "products");
  EXPECT_TRUE(fs::exists(a.parent_path() / "products" / "reports"));
  // Model output local, grid and factors on S3, products on S3, a local PO.DAAC table.
  auto b = write_config("mixed-b", {{"model_output_dir", "file://" + (demo() / "model_output").string()},
                                    {"metadata_dir", (demo() / "metadata").string()},
                                    {"grid_dir", "s3://ecco/grid"},
                                    {"mapping_factors", "s3://ecco/factors/factors.bin"},
                                    {"processed_output_dir", "s3://out/mixed-b"}});
  auto rb = run(b);
  ASSERT_EQ(rb.exit_code, 0) << rb.out << rb.err;
  expect_s3_products("s3://out/mixed-b", "mixed-b");
  EXPECT_FALSE(has_s3_colon_directory(b.parent_path()));
  // Metadata local, its PO.DAAC table on S3 (everything else on S3).
  const auto csv = files_under(demo() / "metadata");
  std::string table;
  for (const auto& f : csv)
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".csv") == 0) table = f;
  ASSERT_FALSE(table.empty());
  auto locations = all_on_s3("s3://out/mixed-c");
  locations["metadata_dir"] = (demo() / "metadata").string();
  locations["podaac_csv"] = "s3://ecco/metadata/" + table;
  auto c = write_config("mixed-c", locations);
  auto rc = run(c);
  ASSERT_EQ(rc.exit_code, 0) << rc.out << rc.err;
  expect_s3_products("s3://out/mixed-c", "mixed-c");
}

TEST_F(EccoS3, UnsupportedSchemeIsAnErrorNamingTheConfigAndTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"grid_dir", "gs://bucket/grid"},
           {"mapping_factors", "https://example.org/factors.bin"},
           {"processed_output_dir", "s3:/out/one-slash"},
           {"model_output_dir", "s3://"}}) {
    auto config = write_config("scheme-" + key, {{key, value}});
    auto r = run(config);
    EXPECT_EQ(r.exit_code, 2) << key << r.out << r.err;
    EXPECT_NE(r.err.find(config.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'" + key + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(value), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(config.parent_path() / "products")) << "work started before the check";
    EXPECT_FALSE(has_s3_colon_directory(config.parent_path()));
  }
  auto e = test::error_of([] { ecco::parse_run_config("ecco_version: V4r4\nmodel_output_dir: gs://b/m\n"
                                                      "processed_output_dir: p\nmapping_factors: f\nmetadata_dir: m\n"
                                                      "grid_dir: g\nmodel_start_time: 1992-01-01\n"
                                                      "model_end_time: 1993-01-01\n", "/c/config.yaml"); });
  EXPECT_EQ(e, "/c/config.yaml:2: 'model_output_dir' is 'gs://b/m': the gs:// scheme is not supported (give a local "
               "path or an s3://bucket/prefix URI)");
}

TEST(EccoS3Config, KeepsS3UrisAndResolvesLocalPaths) {
  auto c = ecco::parse_run_config("ecco_version: V4r4\nmodel_output_dir: s3://ecco/mo\n"
                                  "processed_output_dir: s3://out/products/\nmapping_factors: file:///f/factors.bin\n"
                                  "metadata_dir: meta\ngrid_dir: s3://ecco\npodaac_csv: s3://t/a b.csv\n"
                                  "model_start_time: 1992-01-01\nmodel_end_time: 1993-01-01\n",
                                  "/work/cfg/config.yaml");
  EXPECT_EQ(c.model_output_dir, "s3://ecco/mo");
  EXPECT_EQ(c.processed_output_dir, "s3://out/products");
  EXPECT_EQ(c.mapping_factors, "/f/factors.bin");
  EXPECT_EQ(c.metadata_dir, "/work/cfg/meta");
  EXPECT_EQ(c.grid_dir, "s3://ecco");
  EXPECT_EQ(c.podaac_csv.value_or(""), "s3://t/a b.csv");
}

TEST_F(EccoS3, MissingObjectsAreNamedByTheirUri) {
  auto factors = write_config("missing-factors", [] {
    auto l = all_on_s3("s3://out/missing");
    l["mapping_factors"] = "s3://ecco/factors/nope.bin";
    return l;
  }());
  auto r = run(factors);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("s3://ecco/factors/nope.bin: mapping factors"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;

  auto grid = write_config("missing-grid", [] {
    auto l = all_on_s3("s3://out/missing");
    l["grid_dir"] = "s3://ecco/no-grid";
    return l;
  }());
  r = run(grid);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("s3://ecco/no-grid: grid directory not found"), std::string::npos) << r.err;

  auto model = write_config("missing-model", [] {
    auto l = all_on_s3("s3://out/missing");
    l["model_output_dir"] = "s3://ecco/no-model";
    return l;
  }());
  r = run(model);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("s3://ecco/no-model/diags_monthly/SSH_mon_mean/*.data"), std::string::npos) << r.err;

  // A grid file that the loader needs is named by its s3:// URI, not by a scratch copy.
  auto store = io::open_s3_store("s3://ecco", server_->options(kKeys));
  for (const auto& o : store->list("grid/"))
    if (o.key != "grid/XC.data") store->put("grid-no-xc/" + o.key.substr(5), store->get(o.key));
  auto no_xc = write_config("missing-xc", [] {
    auto l = all_on_s3("s3://out/missing");
    l["grid_dir"] = "s3://ecco/grid-no-xc";
    return l;
  }());
  r = run(no_xc);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("s3://ecco/grid-no-xc/XC.data"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/tmp/granary-"), std::string::npos) << r.err;
  for (const auto& o : io::open_s3_store("s3://out/missing", server_->options(kKeys))->list(""))
    EXPECT_EQ(o.key.rfind("reports/", 0), 0u) << o.key;
}

TEST_F(EccoS3, Injected503sAreRetriedAndTheRunSucceeds) {
  const std::string out = "s3://out/retried";
  auto config = write_config("retried", all_on_s3(out));
  const auto before = server_->stats();
  // Listing, reading model output, uploading products and the report all meet a 503.
  server_->control("/_control/fail?count=2&status=503&code=SlowDown&method=GET&match=model_output");
  server_->control("/_control/fail?count=2&status=503&code=SlowDown&method=PUT&match=.nc");
  server_->control("/_control/fail?count=1&status=503&code=SlowDown&method=GET&match=grid");
  auto r = run(config);
  const auto after = server_->stats();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(after["injected_failures"].get<int>() - before["injected_failures"].get<int>(), 5);
  expect_s3_products(out, "retried");
}

TEST_F(EccoS3, FactorsAndRegridReadAndWriteS3) {
  const std::string env = server_->env(kKeys);
  auto f = test::run_command(env + test::granary_binary() +
                             " ecco factors --grid s3://ecco/grid --out s3://out/tools/factors.bin");
  ASSERT_EQ(f.exit_code, 0) << f.err;
  auto store = io::open_s3_store("s3://out/tools", server_->options(kKeys));
  const fs::path factors = *dir_ / "tools-factors.bin";
  files::write_atomic(factors, store->get("factors.bin"));
  // The same factors as from the local grid, but for the grid directory they name.
  EXPECT_EQ(store->size("factors.bin"), fs::file_size(demo() / "factors.bin") - (demo() / "grid").string().size() +
                                            std::string("s3://ecco/grid").size());
  const auto field = demo() / "model_output/diags_monthly/THETA_mon_mean/THETA_mon_mean.0000000732.data";
  auto r = test::run_command(env + test::granary_binary() + " ecco regrid --factors " + factors.string() +
                             " --field " + field.string() + " --grid s3://ecco/grid --out s3://out/tools/THETA.nc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto local = test::run_granary("ecco regrid --factors " + factors.string() + " --field " + field.string() +
                                 " --grid " + (demo() / "grid").string() + " --out " + (*dir_ / "THETA.nc").string());
  ASSERT_EQ(local.exit_code, 0) << local.err;
  files::write_atomic(*dir_ / "tools-s3" / "THETA.nc", store->get("THETA.nc"));
  EXPECT_EQ(first_difference(dump_without_stamps(*dir_ / "tools-s3" / "THETA.nc"), dump_without_stamps(*dir_ / "THETA.nc")),
            "");
  for (const auto& args : {std::string(" ecco factors --grid gs://b/grid --out x.bin"),
                           std::string(" ecco factors --grid s3://ecco/grid --out s3:/out/x.bin")}) {
    auto e = test::run_command("cd '" + dir_->path().string() + "' && " + env + test::granary_binary() + args);
    EXPECT_NE(e.exit_code, 0) << args;
    EXPECT_NE(e.err.find("only local paths and s3://bucket/key URIs are supported"), std::string::npos) << e.err;
    EXPECT_FALSE(has_s3_colon_directory(dir_->path()));
  }
}

// Forked workers (-j 4) each read and write S3 after the parent listed the model output and
// loaded the grid, metadata and factors from S3. Needs the fork-safe S3 connections of
// 6ac4754 ("io: fork-safe S3 connections"): before it, workers read each other's responses
// (a HEAD answered with another object's size made a task SKIP without a product).
TEST_F(EccoS3, ParallelWorkersS3ToS3GiveTheLocalProducts) {
  for (int round = 0; round < 3; ++round) {
    const std::string out = "s3://out/parallel-" + std::to_string(round);
    auto config = write_config("parallel-" + std::to_string(round), all_on_s3(out));
    auto r = run(config, "-j 4");
    ASSERT_EQ(r.exit_code, 0) << "round " << round << r.out << r.err;
    expect_s3_products(out, "parallel-" + std::to_string(round));
  }
}

// The same -j 4 run against a third-party S3 (s3rver), which checks SigV4 in its own way.
TEST_F(EccoS3, ParallelWorkersOnAThirdPartyS3GiveTheLocalProducts) {
  auto* other = s3rver();
  if (!other) GTEST_SKIP() << test::S3TestServer::why_unavailable(test::S3ServerKind::S3rver);
  for (int round = 0; round < 2; ++round) {
    const std::string name = "s3rver-" + std::to_string(round);
    const std::string out = "s3://out/" + name;
    auto r = run(write_config(name, all_on_s3(out)), "-j 4", other);
    ASSERT_EQ(r.exit_code, 0) << name << r.out << r.err;
    expect_s3_products(out, name, other);
  }
}

// Faults while four workers read and write: each request fails at most once (once=1), so
// every fault is retried away; the products must still equal the local run.
TEST_F(EccoS3, ParallelWorkersRideOutDroppedGarbledAndThrottledRequests) {
  for (const char* fault : {"count=5&status=503&code=SlowDown&method=GET", "count=4&mode=drop&method=GET",
                            "count=3&mode=garbage&method=GET", "count=3&mode=truncate&method=GET",
                            "count=2&mode=wrong-range&method=GET", "count=3&status=500&code=InternalError&method=PUT",
                            "count=2&mode=drop&method=PUT", "count=2&mode=drop&method=HEAD"})
    server_->control(std::string("/_control/fail?once=1&") + fault);
  const std::string out = "s3://out/faults";
  auto r = run(write_config("faults", all_on_s3(out)), "-j 4");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_s3_products(out, "faults");
  EXPECT_GT(server_->stats()["injected_failures"].get<int>(), 10);
}

// The network's faults, not the server's: a proxy closes every third connection before the
// response, resets one mid-response or stalls one (the stall outlasts GRANARY_S3_STALL_SECONDS),
// while four workers read and write. Every fault is retried; the products equal the local run.
TEST_F(EccoS3, ParallelWorkersRideOutClosedResetAndStalledConnections) {
  const auto endpoint = server_->endpoint();
  test::TcpFaultProxy proxy({.target_port = endpoint.substr(endpoint.rfind(':') + 1), .every = 2, .max_faults = 24,
                             .stall_seconds = 4});
  const std::string out = "s3://out/proxy-faults";
  const auto config = write_config("proxy-faults", all_on_s3(out));
  const auto r = test::run_command("cd '" + config.parent_path().string() + "' && " + server_->env(kKeys) +
                                   "AWS_ENDPOINT_URL_S3=" + proxy.endpoint() + " GRANARY_S3_STALL_SECONDS=2 " +
                                   test::granary_binary() + " ecco run --config '" + config.string() + "' --jobs '" +
                                   (demo() / "jobs.txt").string() + "' -j 4");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_s3_products(out, "proxy-faults");
  const auto stats = proxy.stats();
  EXPECT_GE(stats.value("close", 0), 1) << stats.dump();
  EXPECT_GE(stats.value("reset", 0), 1) << stats.dump();
  EXPECT_GE(stats.value("stall", 0), 1) << stats.dump();
}

}  // namespace
}  // namespace granary
