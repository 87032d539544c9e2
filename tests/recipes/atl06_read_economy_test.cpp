// The read economy an ATL06 cell job reports is what the S3 server saw: its requests (the
// HEAD and ranged GETs of every granule) and the object bytes it sent, per job and summed
// over the granules; the amplification is fetched / needed.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "io/s3_store.hpp"
#include "recipes/atl06/cell_store.hpp"
#include "recipes/atl06/synth.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::atl06 {
namespace {

using nlohmann::json;

const io::s3::Credentials kKeys{"AKIDREADECONOMY1", "read/Economy+secret", ""};
constexpr std::int64_t kParent = -4113213;

TEST(Atl06ReadEconomy, ACellFromS3ReportsWhatTheServerCounted) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << "/usr/bin/python3 is needed for the S3 test server";
  test::S3TestServer server({.buckets = {"granules"}, .credentials = {kKeys}});
  test::TempDir tmp;
  synth::SynthOptions o;
  o.out_dir = tmp / "granules";
  o.granules = 2;
  o.segments_per_beam = 20'000;
  o.cells = {kParent};
  auto store = io::open_s3_store("s3://granules/atl06", server.options(kKeys));
  json uris = json::array();
  std::uint64_t sizes = 0;
  for (const auto& g : synth::write_synthetic_granules(o)) {
    store->put(g.path.filename().string(), files::read_all(g.path));
    uris.push_back("s3://granules/atl06/" + g.path.filename().string());
    sizes += g.bytes;
  }

  const json event = {{"parent_morton", kParent}, {"granule_urls", uris}, {"store", (tmp / "cell.zarr").string()},
                      {"create_store", true}, {"s3_credentials", {{"accessKeyId", kKeys.access_key_id},
                                                                  {"secretAccessKey", kKeys.secret_access_key}}}};
  std::ofstream(tmp / "event.json") << event.dump();
  const json before = server.stats();
  const auto r = test::run_command(server.env(kKeys) + test::granary_binary() + " atl06 cell --event - < " +
                                   (tmp / "event.json").string());
  const json after = server.stats();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto delta = [&](const char* key) { return after.at(key).get<std::uint64_t>() - before.at(key).get<std::uint64_t>(); };

  const json result = json::parse(files::read_text(tmp / "cell.zarr" / status_key(kParent, 12)));
  ASSERT_EQ(result.at("status"), "SUCCESS") << result.dump(1);
  ASSERT_GT(result.at("total_obs").get<int>(), 0);
  const auto fetched = result.at("bytes_fetched").get<std::uint64_t>();
  const auto needed = result.at("bytes_needed").get<std::uint64_t>();
  const auto requests = result.at("read_requests").get<std::uint64_t>();
  EXPECT_EQ(requests, delta("requests")) << "every request the server saw, and no other";
  EXPECT_EQ(delta("object_heads"), 2u) << "one HEAD per granule";
  EXPECT_EQ(requests, delta("object_gets") + delta("object_heads"));
  EXPECT_EQ(fetched, delta("object_bytes_sent"));
  EXPECT_EQ(result.at("granule_bytes").get<std::uint64_t>(), sizes);
  // Every needed byte was fetched.
  EXPECT_GT(needed, 0u);
  EXPECT_GE(fetched, needed);
  EXPECT_DOUBLE_EQ(result.at("read_amplification").get<double>(),
                   std::round(1e4 * static_cast<double>(fetched) / static_cast<double>(needed)) / 1e4);

  // The job's numbers are the sums of its granules'.
  std::uint64_t g_fetched = 0, g_needed = 0, g_requests = 0;
  for (const auto& g : result.at("granule_outcomes")) {
    g_fetched += g.at("bytes_fetched").get<std::uint64_t>();
    g_needed += g.at("bytes_needed").get<std::uint64_t>();
    g_requests += g.at("read_requests").get<std::uint64_t>();
    EXPECT_GE(g.at("read_amplification").get<double>(), 1.0) << g.dump();
  }
  EXPECT_EQ(g_fetched, fetched);
  EXPECT_EQ(g_needed, needed);
  EXPECT_EQ(g_requests, requests);
}

}  // namespace
}  // namespace granary::atl06
