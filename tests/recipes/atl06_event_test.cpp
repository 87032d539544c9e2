// magg's Lambda event as a drop-in, against the loopback S3 server: an event without
// granary's `store` writes where magg's Lambda wrote. Without chunk_idx (magg's first
// Lambda): a complete single-parent store s3://{s3_bucket}/{s3_prefix}/{parent}.zarr,
// created if absent, named as the answer's zarr_path, the same bytes as a local
// `granary atl06 cell`, readable by independent readers, and a rerun changes nothing. With
// chunk_idx (magg's template era): that chunk of the shared store at the prefix. An event
// that names `store` writes into that shared store.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "io/file_store.hpp"
#include "io/s3_store.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const io::s3::Credentials kNsidcKeys{"ASIANSIDCEVENTKEY", "nsidc/Event+Secret3", "FwoGZXIvYXdz//event+token=="};
const io::s3::Credentials kOutputKeys{"AKIDGRANARYEVT01", "output/Event+key9", ""};
constexpr const char* kGranuleBucket = "nsidc-cumulus-prod-protected";
constexpr const char* kOutputBucket = "magg-out";
constexpr std::int64_t kParent = -4113213;

json credentials_json(const io::s3::Credentials& c) {
  return {{"accessKeyId", c.access_key_id}, {"secretAccessKey", c.secret_access_key}, {"sessionToken", c.session_token}};
}

// Every object under a store, by key (granary's job records aside).
std::map<std::string, std::vector<std::byte>> zarr_objects(const io::Store& store) {
  std::map<std::string, std::vector<std::byte>> objects;
  for (const auto& o : store.list(""))
    if (o.key.rfind(".granary/", 0) != 0) objects[o.key] = store.get(o.key);
  return objects;
}

// A copy of a store in a local directory, for readers that read files.
void download(const io::Store& store, const fs::path& dir) {
  for (const auto& [key, bytes] : zarr_objects(store)) files::write_atomic(dir / key, bytes);
}

class Atl06Event : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::S3TestServer::available()) return;
    server_ = new test::S3TestServer({.buckets = {kGranuleBucket, kOutputBucket}, .credentials = {kNsidcKeys, kOutputKeys}});
    dir_ = new test::TempDir();
    synth::SynthOptions o;
    o.out_dir = *dir_ / "granules";
    o.granules = 2;
    o.segments_per_beam = 3000;
    o.cells = {kParent};
    auto granules = io::open_s3_store(std::string("s3://") + kGranuleBucket + "/ATLAS/ATL06/006", server_->options(kNsidcKeys));
    for (const auto& g : synth::write_synthetic_granules(o)) {
      granules->put(g.path.filename().string(), files::read_all(g.path));
      paths_.push_back(g.path.string());
      uris_.push_back(granules->uri() + "/" + g.path.filename().string());
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete server_;
    dir_ = nullptr;
    server_ = nullptr;
    paths_.clear();
    uris_.clear();
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "/usr/bin/python3 is needed for the S3 test server";
  }

  // A prefix of this test's own in the output bucket.
  static std::string prefix() {
    return std::string("runs/") + testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  static std::unique_ptr<io::Store> output(const std::string& uri) {
    return io::open_s3_store(uri, server_->options(kOutputKeys));
  }

  // magg's event, with magg's keys only (chunk_idx too, when given).
  static json magg_event(std::optional<int> chunk_idx = std::nullopt) {
    json e = {{"parent_morton", kParent}, {"parent_order", 6},         {"child_order", 12},
              {"granule_urls", uris_},    {"s3_bucket", kOutputBucket}, {"s3_prefix", prefix()},
              {"s3_credentials", credentials_json(kNsidcKeys)}};
    if (chunk_idx) e["chunk_idx"] = *chunk_idx;
    return e;
  }

  // `granary atl06 cell --event -` in a Lambda's environment (endpoint, output keys).
  static test::CommandResult run_event(const json& e) {
    test::TempDir tmp;
    std::ofstream(tmp / "event.json") << e.dump();
    return test::run_command(server_->env(kOutputKeys) + test::granary_binary() + " atl06 cell --event - < " +
                             (tmp / "event.json").string());
  }

  // `granary atl06 cell` on the local granules into a local store.
  static fs::path local_cell(const fs::path& store, const std::string& flags = "") {
    std::string granules;
    for (const auto& p : paths_) granules += " " + p;
    auto r = test::run_granary("atl06 cell --parent " + std::to_string(kParent) + " --granules" + granules + " --out " +
                               store.string() + flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return store;
  }

  static inline test::S3TestServer* server_ = nullptr;
  static inline test::TempDir* dir_ = nullptr;
  static inline std::vector<std::string> paths_, uris_;
};

TEST_F(Atl06Event, MaggKeysOnlyWriteACompleteStoreOfTheParentsOwn) {
  const std::string zarr_path = std::string("s3://") + kOutputBucket + "/" + prefix() + "/" + std::to_string(kParent) + ".zarr";
  auto r = run_event(magg_event());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto response = json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 200);
  const auto& body = response["body"];
  // magg's return body: these keys, no others.
  std::vector<std::string> keys;
  for (const auto& [k, v] : body.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"cells_with_data", "duration_s", "error", "files_processed", "granule_count",
                                             "parent_morton", "total_obs", "zarr_path"}));
  EXPECT_EQ(body["zarr_path"], zarr_path);
  EXPECT_EQ(body["parent_morton"], kParent);
  EXPECT_EQ(body["error"], nullptr);
  EXPECT_EQ(body["granule_count"], 2);
  EXPECT_GT(body["total_obs"].get<int>(), 0);

  // Everything under the prefix is that store; nothing at the prefix itself.
  auto bucket = output(std::string("s3://") + kOutputBucket + "/" + prefix());
  for (const auto& o : bucket->list("")) EXPECT_EQ(o.key.rfind(std::to_string(kParent) + ".zarr/", 0), 0u) << o.key;
  EXPECT_FALSE(bucket->size("zarr.json"));

  // The same store, byte for byte, as `granary atl06 cell` makes locally.
  test::TempDir tmp;
  io::FileStore local(local_cell(tmp / "local.zarr"));
  auto s3 = output(zarr_path);
  const auto objects = zarr_objects(*s3);
  EXPECT_EQ(objects, zarr_objects(local));
  EXPECT_TRUE(objects.count("zarr.json") && objects.count("12/zarr.json") && objects.count("12/h_mean/zarr.json"));
  const auto root = json::parse(files::read_text(tmp / "local.zarr" / "zarr.json"));
  EXPECT_TRUE(root.contains("consolidated_metadata")) << root.dump();

  // Run again: the same answer and not one byte changed.
  r = run_event(magg_event());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto again = json::parse(r.out)["body"];
  for (const char* k : {"zarr_path", "total_obs", "cells_with_data", "files_processed", "error"}) EXPECT_EQ(again[k], body[k]) << k;
  EXPECT_EQ(zarr_objects(*s3), objects);

  // zarrita (an independent v3 reader) opens the store from its consolidated metadata.
  if (auto tools = test::zarrita_dir(); tools && test::run_command("node --version").exit_code == 0) {
    download(*s3, tmp / "copy.zarr");
    const auto script = fs::path(GRANARY_SOURCE_DIR) / "tests" / "formats" / "zarrita_read.mjs";
    r = test::run_command("GRANARY_ZARRITA_DIR=" + tools->string() + " node " + script.string() + " " +
                          (tmp / "copy.zarr").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto nodes = json::parse(r.out)["nodes"];
    std::int64_t total = 0;
    for (const auto& v : nodes["/12/count"]["data"]) total += v.get<std::int64_t>();
    EXPECT_EQ(total, body["total_obs"].get<std::int64_t>());
    EXPECT_TRUE(nodes["/12/h_mean"]["same_via_consolidated"].get<bool>());
  }
}

// The same event asking for Zarr v2 (granary's zarr_format key): xarray opens the store
// (consolidated) and sees the values of a local `atl06 cell --zarr-format 2`.
TEST_F(Atl06Event, AV2StoreOfItsOwnOpensInXarrayWithTheLocalValues) {
  GRANARY_REQUIRE_ORACLE(py);
  json e = magg_event();
  e["zarr_format"] = 2;
  auto r = run_event(e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string zarr_path = json::parse(r.out)["body"]["zarr_path"];
  test::TempDir tmp;
  download(*output(zarr_path), tmp / "s3.zarr");
  local_cell(tmp / "local.zarr", " --zarr-format 2");
  std::ofstream(tmp / "read.py") << R"(
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np, xarray as xr
a = xr.open_zarr(sys.argv[1], group="12", consolidated=True)
b = xr.open_zarr(sys.argv[2], group="12", consolidated=True)
same = {v: bool(np.array_equal(a[v].values, b[v].values, equal_nan=a[v].dtype.kind == "f")) for v in b.variables}
print(json.dumps({"same": same, "names": sorted(a.variables), "total": int(a["count"].values.sum()),
                  "cells": int(a.sizes["cells"])}))
)";
  r = test::run_command(py + " " + (tmp / "read.py").string() + " " + (tmp / "s3.zarr").string() + " " +
                        (tmp / "local.zarr").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = json::parse(r.out);
  EXPECT_EQ(out["cells"], 4096);
  EXPECT_GT(out["total"].get<int>(), 0);
  for (const char* name : {"cell_ids", "morton", "count", "h_mean", "h_q75"})
    EXPECT_NE(std::find(out["names"].begin(), out["names"].end(), name), out["names"].end()) << name << " in " << out.dump();
  for (const auto& [name, same] : out["same"].items()) EXPECT_TRUE(same.get<bool>()) << name;
}

// magg's template era: an event with chunk_idx writes that chunk of the store at the prefix,
// which must exist (magg's Lambda answered "Zarr template not found" too).
TEST_F(Atl06Event, WithChunkIdxTheSharedStoreAtThePrefixIsWritten) {
  const std::string shared = std::string("s3://") + kOutputBucket + "/" + prefix();
  const std::string own = shared + "/" + std::to_string(kParent) + ".zarr";
  // No template at the prefix: the parent's own store, created, as the issue asks of magg's event.
  auto r = run_event(magg_event(0));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["body"]["zarr_path"], own);
  EXPECT_TRUE(output(own)->size("zarr.json"));
  EXPECT_TRUE(output(own)->size(status_key(kParent, 12)));
  for (const auto& o : output(shared)->list(""))
    EXPECT_EQ(o.key.rfind(std::to_string(kParent) + ".zarr/", 0), 0u) << o.key;
  auto own_store = output(own);
  for (const auto& o : own_store->list("")) own_store->remove(o.key);

  StoreLayout layout;  // the template magg's orchestrator (or `atl06 run`) makes first
  layout.parents = {-4113212, kParent};
  create_store(*output(shared), layout);
  r = run_event(magg_event(1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto body = json::parse(r.out)["body"];
  EXPECT_EQ(body["zarr_path"], shared);
  EXPECT_GT(body["total_obs"].get<int>(), 0);
  EXPECT_TRUE(output(shared)->size(status_key(kParent, 12)));
  EXPECT_FALSE(output(shared)->size(std::to_string(kParent) + ".zarr/zarr.json"));  // with a template, none of its own
}

// An event naming `store` (granary's key) writes into that shared store, chunk_idx or not.
TEST_F(Atl06Event, NamingAStoreWritesIntoThatSharedStore) {
  const std::string shared = std::string("s3://") + kOutputBucket + "/" + prefix() + "/all.zarr";
  StoreLayout layout;
  layout.parents = {kParent, -4113214};
  create_store(*output(shared), layout);
  json e = magg_event();
  e["store"] = shared;
  auto r = run_event(e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["body"]["zarr_path"], shared);
  auto bucket = output(std::string("s3://") + kOutputBucket + "/" + prefix());
  for (const auto& o : bucket->list("")) EXPECT_EQ(o.key.rfind("all.zarr/", 0), 0u) << o.key;
  EXPECT_TRUE(output(shared)->size(status_key(kParent, 12)));
}

TEST(Atl06EventParse, TheStoreFollowsMaggsLayoutUnlessTheEventNamesOne) {
  const json magg = {{"parent_morton", kParent}, {"granule_urls", json::array()}, {"s3_bucket", "b"}, {"s3_prefix", "atl06/c22"}};
  auto job = parse_cell_event(magg);
  EXPECT_EQ(job.store, "s3://b/atl06/c22/-4113213.zarr");
  EXPECT_TRUE(job.create_store);
  EXPECT_FALSE(job.chunk_idx);

  json e = magg;
  e.erase("s3_prefix");
  EXPECT_EQ(parse_cell_event(e).store, "s3://b/-4113213.zarr");

  e = magg;
  e["chunk_idx"] = 5;
  job = parse_cell_event(e);
  EXPECT_EQ(job.store, "s3://b/atl06/c22");
  EXPECT_EQ(job.own_store_fallback, "s3://b/atl06/c22/-4113213.zarr");
  EXPECT_FALSE(job.create_store);
  e["create_store"] = true;
  EXPECT_TRUE(parse_cell_event(e).create_store);

  e = magg;
  e["store"] = "/data/atl06.zarr";
  job = parse_cell_event(e);
  EXPECT_EQ(job.store, "/data/atl06.zarr");
  EXPECT_FALSE(job.create_store);
}

}  // namespace
}  // namespace granary::atl06
