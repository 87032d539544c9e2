// The CMR catalog against a loopback HTTP server that plays CMR: recorded granules.umm_json
// pages (tests/data/cmr), paging by the CMR-Search-After header, one 503 to retry, the
// cycle filter on file names, URL choice, and footprint cells.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "grids/healpix/morton.hpp"
#include "io/s3_http.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cmr.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/unavailable_error.hpp"
#include "util/files.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;

struct HttpRequest {
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // names lower-cased
};
struct HttpReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A one-thread HTTP/1.1 server on 127.0.0.1 (ephemeral port), one request per connection.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<HttpReply(const HttpRequest&)> handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("loopback server: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (true) {
      const int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string raw;
      char buf[4096];
      while (raw.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
      }
      HttpRequest request = parse(raw);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const HttpReply reply = handler_(request);
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: application/json\r\n" +
                        "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n";
      for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
      out += "\r\n" + reply.body;
      for (std::size_t sent = 0; sent < out.size();) {
        const ssize_t n = ::send(conn, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(conn);
    }
  }
  static HttpRequest parse(const std::string& raw) {
    HttpRequest r;
    std::size_t line_end = raw.find("\r\n");
    const std::string first = raw.substr(0, line_end);
    const auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    if (sp1 != std::string::npos && sp2 > sp1) r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    while (line_end != std::string::npos) {
      const std::size_t next = raw.find("\r\n", line_end + 2);
      const std::string line = raw.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      if (auto colon = line.find(':'); colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      line_end = next;
    }
    return r;
  }

  std::function<HttpReply(const HttpRequest&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

std::string recorded_page(int n) {
  return files::read_text(fs::path(GRANARY_SOURCE_DIR) / "tests/data/cmr" / ("atl06_c20_page" + std::to_string(n) + ".json"));
}

const std::string kToken1 = R"(["nsidc_cprd",1692202508338,2752843261])";
const std::string kToken2 = R"(["nsidc_cprd",1693397432775,2757210366])";
const std::string kToken3 = R"(["nsidc_cprd",1695338130233,2786400821])";

// Plays CMR over the three recorded pages; the third page fails once with a 503.
struct FakeCmr {
  std::atomic<int> unavailable_sent{0};
  HttpReply operator()(const HttpRequest& r) {
    if (r.target.rfind("/search/granules.umm_json?", 0) != 0) return {404, R"({"errors":["no such route"]})", {}};
    auto after = r.headers.count("cmr-search-after") ? r.headers.at("cmr-search-after") : std::string();
    if (after.empty()) return {200, recorded_page(1), {{"CMR-Hits", "5"}, {"CMR-Search-After", kToken1}}};
    if (after == kToken1) return {200, recorded_page(2), {{"CMR-Hits", "5"}, {"CMR-Search-After", kToken2}}};
    if (after == kToken2) {
      if (unavailable_sent++ == 0)
        return {503, R"({"errors":["Service Temporarily Unavailable"]})", {{"Retry-After", "0"}}};
      return {200, recorded_page(3), {{"CMR-Hits", "5"}, {"CMR-Search-After", kToken3}}};
    }
    return {400, R"({"errors":["Invalid CMR-Search-After header value [)" + after + R"(]"]})", {}};
  }
};

io::HttpOptions fast_retries() {
  io::HttpOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(10);
  o.retry.max_backoff = std::chrono::milliseconds(50);
  o.retry.max_attempts = 3;
  o.timeout_seconds = 20;
  return o;
}

bool contains(const std::vector<std::int64_t>& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::vector<std::int64_t> cells_listing(const atl06::Catalog& c, const std::string& url) {
  std::vector<std::int64_t> out;
  for (const auto& [cell, list] : c.cells)
    if (std::find(list.begin(), list.end(), url) != list.end()) out.push_back(cell);
  return out;
}

const std::string kKamchatka = "ATL06_20230816161508_08782002_006_02.h5";
const std::string kCrozet = "ATL06_20230816234629_08822013_006_01.h5";
const std::string kRoss = "ATL06_20230830121032_10992011_006_01.h5";
const std::string kS3 = "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/006/";
const std::string kHttps = "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected/ATLAS/ATL06/006/";

TEST(Atl06Cmr, ParsesAtl06FileNames) {
  auto n = atl06::parse_atl06_name(kKamchatka);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->start, "20230816161508");
  EXPECT_EQ(n->rgt, 878);
  EXPECT_EQ(n->cycle, 20);
  EXPECT_EQ(n->region, 2);
  EXPECT_EQ(n->release, "006");
  EXPECT_EQ(n->version, "02");
  EXPECT_EQ(atl06::parse_atl06_name("ATL06_20181013235645_02340114_209_01.h5")->cycle, 1);
  EXPECT_FALSE(atl06::parse_atl06_name("processed_ATL06_20190613065109_11610303_002_01.h5"));
  EXPECT_FALSE(atl06::parse_atl06_name("ATL06_20230816161508_08782002_006_02.nc"));
  EXPECT_FALSE(atl06::parse_atl06_name("SC:ATL06.006:2752843261"));
}

// Names come from CMR over the network: a megabyte-long one, or one a character off, is no
// ATL06 name (and no crash: the check is a scan, not std::regex).
TEST(Atl06Cmr, HostileFileNamesAreNoAtl06Names) {
  EXPECT_FALSE(atl06::parse_atl06_name("ATL06_" + std::string(1 << 20, '1') + ".h5"));
  EXPECT_FALSE(atl06::parse_atl06_name(std::string(1 << 20, '/')));
  EXPECT_FALSE(atl06::parse_atl06_name("ATL06_2023081616150x_08782002_006_02.h5"));
  EXPECT_FALSE(atl06::parse_atl06_name("ATL06_20230816161508_08782002_006_02.h5 "));
  EXPECT_FALSE(atl06::parse_atl06_name("ATL06_20230816161508-08782002_006_02.h5"));
  EXPECT_TRUE(atl06::parse_atl06_name("ATL06_99999999999999_99999999_999_99.h5"));
}

TEST(Atl06Cmr, ParsesUmmGeometriesAndUrls) {
  const std::string page = R"({"hits": 1, "took": 5, "items": [{"meta": {"concept-id": "G1-NSIDC_CPRD"}, "umm": {
    "GranuleUR": "SC:ATL06.006:2752843261",
    "DataGranule": {"DayNightFlag": "Unspecified", "ProductionDateTime": "2023-09-05T21:58:04.000Z",
      "Identifiers": [{"Identifier": "L1", "IdentifierType": "LocalVersionId"},
                      {"Identifier": "ATL06_20230816161508_08782002_006_02.h5", "IdentifierType": "ProducerGranuleId"}]},
    "RelatedUrls": [{"URL": "https://example.org/a.iso.xml", "Type": "GET DATA"},
                    {"URL": "https://example.org/ATL06_20230816161508_08782002_006_02.h5", "Type": "GET DATA"},
                    {"URL": "s3://bucket/ATL06_20230816161508_08782002_006_02.h5", "Type": "GET DATA"},
                    {"URL": "https://example.org/s3credentials", "Type": "VIEW RELATED INFORMATION"}],
    "SpatialExtent": {"HorizontalSpatialDomain": {"Geometry": {
      "Lines": [{"Points": [{"Longitude": 10, "Latitude": 60}, {"Longitude": 10.5, "Latitude": 61}]}],
      "Points": [{"Longitude": -45, "Latitude": 72}],
      "BoundingRectangles": [{"WestBoundingCoordinate": 170, "SouthBoundingCoordinate": -70,
                              "EastBoundingCoordinate": -170, "NorthBoundingCoordinate": -69}]}}}}}]})";
  const auto granules = atl06::parse_umm_page(page, "test page");
  ASSERT_EQ(granules.size(), 1u);
  const auto& g = granules[0];
  EXPECT_EQ(g.granule_ur, "SC:ATL06.006:2752843261");
  EXPECT_EQ(g.name, kKamchatka);
  EXPECT_EQ(g.https_url, "https://example.org/ATL06_20230816161508_08782002_006_02.h5");
  EXPECT_EQ(g.s3_url, "s3://bucket/ATL06_20230816161508_08782002_006_02.h5");
  ASSERT_EQ(g.footprint.lines.size(), 2u);  // the line and the point
  ASSERT_EQ(g.footprint.rectangles.size(), 1u);
  EXPECT_EQ(g.footprint.rectangles[0][0], 170.0);
  const auto cells = atl06::footprint_cells(g.footprint, 6);
  EXPECT_TRUE(contains(cells, healpix::geo_to_morton(60.5, 10.25, 6)));
  EXPECT_TRUE(contains(cells, healpix::geo_to_morton(72, -45, 6)));
  EXPECT_TRUE(contains(cells, healpix::geo_to_morton(-69.5, 180, 6)));
  EXPECT_TRUE(std::is_sorted(cells.begin(), cells.end()));

  EXPECT_THROW(atl06::parse_umm_page(R"({"items": [{"umm": {"GranuleUR": "x", "SpatialExtent":
      {"HorizontalSpatialDomain": {"Geometry": {"GPolygons": [{"Boundary": {"Points": [{"Longitude": 1}]}}]}}}}}]})",
                                     "p"),
               Error);
  EXPECT_THROW(atl06::parse_umm_page(R"({"feed": {"entry": []}})", "p"), Error);
  EXPECT_THROW(atl06::parse_umm_page(R"({"items": [{"umm": {"GranuleUR": "x", "RelatedUrls": [7]}}]})", "p"), Error);
}

TEST(Atl06Cmr, PagesRetriesAndKeepsOnlyTheCycle) {
  FakeCmr cmr;
  LoopbackServer server(std::ref(cmr));
  atl06::CmrQuery query;
  query.base_url = server.url();
  query.cycle = 20;
  query.page_size = 2;
  io::HttpClient http(fast_retries());
  const auto search = atl06::search_granules(query, http);
  EXPECT_EQ(search.pages, 3);
  EXPECT_EQ(search.hits, 5);
  ASSERT_EQ(search.granules.size(), 5u);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);  // three pages and one retry of the third
  for (const auto& r : requests) {
    EXPECT_NE(r.target.find("short_name=ATL06"), std::string::npos) << r.target;
    EXPECT_NE(r.target.find("version=006"), std::string::npos) << r.target;
    EXPECT_NE(r.target.find("page_size=2&"), std::string::npos) << r.target;
    // The cycle's file-name pattern ATL06_??????????????_????20??_* (percent-encoded).
    EXPECT_NE(r.target.find("%3F%3F%3F%3F20%3F%3F_%2A"), std::string::npos) << r.target;
    EXPECT_EQ(r.headers.count("client-id"), 1u);
  }
  EXPECT_EQ(requests[0].headers.count("cmr-search-after"), 0u);
  EXPECT_EQ(requests[1].headers.at("cmr-search-after"), kToken1);
  EXPECT_EQ(requests[2].headers.at("cmr-search-after"), kToken2);
  EXPECT_EQ(requests[3].headers.at("cmr-search-after"), kToken2);

  const auto catalog = atl06::catalog_from_cmr(query, search, atl06::UrlKind::S3, 6);
  const auto& m = catalog.metadata;
  EXPECT_EQ(m["method"], "cmr-footprint");
  EXPECT_EQ(m["cycle"], 20);
  EXPECT_EQ(m["version"], "006");
  EXPECT_EQ(m["urls"], "s3");
  EXPECT_EQ(m["cmr_granules"], 5);
  EXPECT_EQ(m["dropped_other_cycles"], 2);  // cycle 19's and cycle 21's granule
  EXPECT_EQ(m["total_granules"], 3);
  EXPECT_EQ(m["total_cells"], catalog.cells.size());
  EXPECT_FALSE(m.contains("failed_granules"));
  EXPECT_EQ(m["query_url"], search.url);

  std::set<std::string> listed;
  for (const auto& [cell, list] : catalog.cells) {
    EXPECT_EQ(healpix::morton_order(cell), 6);
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    listed.insert(list.begin(), list.end());
  }
  const std::string kamchatka = kS3 + "2023/08/16/" + kKamchatka;
  const std::string crozet = kHttps + "2023/08/16/" + kCrozet;  // no s3 link: https instead
  const std::string ross = kS3 + "2023/08/30/" + kRoss;
  EXPECT_EQ(listed, (std::set<std::string>{kamchatka, crozet, ross}));

  // The footprints hold every cell the granules' points fall in (golden/catalog.json).
  const auto k = cells_listing(catalog, kamchatka);
  EXPECT_TRUE(contains(k, 2243432) && contains(k, 2243434)) << k.size();
  EXPECT_LE(k.size(), 6u) << k.size();
  const auto c = cells_listing(catalog, crozet);
  EXPECT_TRUE(contains(c, -3233121));
  EXPECT_LE(c.size(), 4u) << c.size();
  // Across the antimeridian: cells on both sides, and a strip-sized answer.
  const auto r = cells_listing(catalog, ross);
  bool east = false, west = false;
  for (std::int64_t cell : r) {
    double lat, lon;
    const auto nc = healpix::morton_to_nest(cell);
    healpix::nest2ang(nc.nest, nc.order, lat, lon);
    east |= lon > 170 && lon < 180;
    west |= lon > 180 && lon < 190;
  }
  EXPECT_TRUE(east && west);
  EXPECT_LE(r.size(), 12u) << r.size();
  EXPECT_TRUE(contains(r, healpix::geo_to_morton(-70.4, 180.0, 6)));

  // --urls https lists the https links.
  const auto by_https = atl06::catalog_from_cmr(query, search, atl06::UrlKind::Https, 6);
  EXPECT_EQ(cells_listing(by_https, kHttps + "2023/08/16/" + kKamchatka), k);
}

TEST(Atl06Cmr, MergesProvidersAndRecordsUnusableGranules) {
  atl06::CmrSearch search;
  search.url = "test";
  auto page1 = atl06::parse_umm_page(recorded_page(1), "page1");
  auto twin = page1[0];  // the same file from a second provider, without an s3 link
  twin.s3_url.clear();
  search.granules = {twin, page1[0], page1[1]};
  atl06::CmrGranule no_footprint = page1[0];
  no_footprint.name = "ATL06_20230817000000_08792002_006_01.h5";
  no_footprint.footprint = {};
  atl06::CmrGranule odd_name = page1[0];
  odd_name.name = "granule.bin";
  search.granules.push_back(no_footprint);
  search.granules.push_back(odd_name);
  atl06::CmrQuery query;
  query.cycle = 20;
  const auto catalog = atl06::catalog_from_cmr(query, search, atl06::UrlKind::S3, 6);
  EXPECT_EQ(catalog.metadata["duplicates_merged"], 1);
  EXPECT_EQ(catalog.metadata["dropped_other_cycles"], 1);
  const auto& failed = catalog.metadata["failed_granules"];
  ASSERT_EQ(failed.size(), 2u) << failed.dump();
  EXPECT_NE(failed.dump().find("no footprint"), std::string::npos);
  EXPECT_NE(failed["granule.bin"].get<std::string>().find("not ATL06_"), std::string::npos);
  // The merged twin kept the s3 link of the other provider's record.
  EXPECT_FALSE(cells_listing(catalog, kS3 + "2023/08/16/" + kKamchatka).empty());
}

TEST(Atl06Cmr, BadPagesAreClearErrors) {
  LoopbackServer html([](const HttpRequest&) { return HttpReply{200, "<html>Service maintenance</html>", {}}; });
  atl06::CmrQuery query;
  query.base_url = html.url();
  query.cycle = 20;
  io::HttpClient http(fast_retries());
  try {
    atl06::search_granules(query, http);
    FAIL() << "a page that is not JSON must fail";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(html.url() + "/search/granules.umm_json?"), std::string::npos) << what;
    EXPECT_NE(what.find("(page 1)"), std::string::npos) << what;
    EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
  }

  LoopbackServer refusing([](const HttpRequest&) {
    return HttpReply{400, R"({"errors":["Parameter [bounding_box] was invalid"]})", {}};
  });
  query.base_url = refusing.url();
  try {
    atl06::search_granules(query, http);
    FAIL() << "HTTP 400 must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 400: Parameter [bounding_box] was invalid"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(refusing.requests().size(), 1u) << "a 400 is not retried";

  LoopbackServer down([](const HttpRequest&) { return HttpReply{503, "busy", {}}; });
  query.base_url = down.url();
  try {
    atl06::search_granules(query, http);
    FAIL() << "CMR still down after the retries must fail";
  } catch (const UnavailableError& e) {  // not bad input: the CLI exits 3, "run it again"
    EXPECT_NE(std::string(e.what()).find("HTTP 503 after 3 attempt(s)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(down.requests().size(), 3u) << "503 is retried up to max_attempts";
}

// CMR's client and S3's share one retry policy: the same fault gets the same number of
// requests and the same final answer from both, Retry-After included.
TEST(Atl06Cmr, HttpClientRetriesExactlyAsTheS3ClientDoes) {
  const io::RetryPolicy policy{.max_attempts = 3, .initial_backoff = std::chrono::milliseconds(1),
                               .max_backoff = std::chrono::milliseconds(1000)};
  io::HttpOptions options;
  options.retry = policy;
  options.timeout_seconds = 20;
  struct Seen {
    std::size_t requests;
    long status;
    double seconds;
  };
  const auto through_cmr_client = [&](LoopbackServer& server) {
    io::HttpClient http(options);
    const auto start = std::chrono::steady_clock::now();
    const auto response = http.get(server.url() + "/search");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return Seen{server.requests().size(), response.status, took.count()};
  };
  const auto through_s3_client = [&](LoopbackServer& server) {
    io::s3::HttpRequest request;
    request.url = server.url() + "/search";
    const auto start = std::chrono::steady_clock::now();
    const auto response = io::s3::send_with_retries(request, nullptr, policy, "s3://bucket/key");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return Seen{server.requests().size(), response.status, took.count()};
  };
  // The fault once, then success.
  for (int status : {429, 500, 502, 503, 504, 501, 404, 400}) {
    const auto once = [status](std::atomic<int>& n) {
      return [status, &n](const HttpRequest&) {
        return n++ == 0 ? HttpReply{status, R"({"errors":["fault"]})", {}} : HttpReply{200, "{}", {}};
      };
    };
    std::atomic<int> cmr_n{0}, s3_n{0};
    LoopbackServer for_cmr(once(cmr_n)), for_s3(once(s3_n));
    const Seen cmr = through_cmr_client(for_cmr), s3 = through_s3_client(for_s3);
    const bool retried = status == 429 || (status >= 500 && status != 501);
    EXPECT_EQ(cmr.requests, retried ? 2u : 1u) << status;
    EXPECT_EQ(cmr.status, retried ? 200 : status) << status;
    EXPECT_EQ(s3.requests, cmr.requests) << status;
    EXPECT_EQ(s3.status, cmr.status) << status;
  }
  // Still down after the budget: both make max_attempts requests and hand back the 503.
  {
    LoopbackServer for_cmr([](const HttpRequest&) { return HttpReply{503, "busy", {}}; });
    LoopbackServer for_s3([](const HttpRequest&) { return HttpReply{503, "busy", {}}; });
    const Seen cmr = through_cmr_client(for_cmr), s3 = through_s3_client(for_s3);
    EXPECT_EQ(cmr.requests, 3u);
    EXPECT_EQ(s3.requests, 3u);
    EXPECT_EQ(cmr.status, 503);
    EXPECT_EQ(s3.status, 503);
  }
  // A Retry-After of 0.4 s is waited out by both (the backoff alone would be about 1 ms).
  {
    const auto throttled_once = [](std::atomic<int>& n) {
      return [&n](const HttpRequest&) {
        return n++ == 0 ? HttpReply{429, "slow down", {{"Retry-After", "0.4"}}} : HttpReply{200, "{}", {}};
      };
    };
    std::atomic<int> cmr_n{0}, s3_n{0};
    LoopbackServer for_cmr(throttled_once(cmr_n)), for_s3(throttled_once(s3_n));
    const Seen cmr = through_cmr_client(for_cmr), s3 = through_s3_client(for_s3);
    EXPECT_EQ(cmr.status, 200);
    EXPECT_EQ(s3.status, 200);
    EXPECT_GE(cmr.seconds, 0.39);
    EXPECT_GE(s3.seconds, 0.39);
  }
}

TEST(Atl06Cmr, CommandWritesTheCycleCatalog) {
  FakeCmr cmr;
  LoopbackServer server(std::ref(cmr));
  test::TempDir tmp;
  const auto out = tmp / "catalog.json";
  // page_size 2000: the recorded first page is short, so it is the only one.
  auto r = test::run_granary("atl06 catalog --cmr --cycle 20 --cmr-url " + server.url() +
                             " --bbox=-180,-90,180,90 --urls https --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto catalog = atl06::read_catalog(out.string());
  EXPECT_EQ(catalog.metadata["dropped_other_cycles"], 1);
  EXPECT_EQ(catalog.metadata["bbox"], nlohmann::ordered_json({-180.0, -90.0, 180.0, 90.0}));
  const auto k = cells_listing(catalog, kHttps + "2023/08/16/" + kKamchatka);
  EXPECT_TRUE(contains(k, 2243432) && contains(k, 2243434));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].target.find("bounding_box=-180%2C-90%2C180%2C90"), std::string::npos)
      << server.requests()[0].target;
  EXPECT_NE(r.err.find("1 granule(s)"), std::string::npos) << r.err;

  EXPECT_EQ(test::run_granary("atl06 catalog --cmr --out " + out.string()).exit_code, 2);
  EXPECT_EQ(test::run_granary("atl06 catalog --cmr --cycle 20 --bbox 1,2,3 --out " + out.string()).exit_code, 2);
}

// CMR down for good is a service failure, not bad input: exit 3 ("run it again"), nothing
// written. Retry-After: 0 keeps the CLI's default backoff from slowing the test.
TEST(Atl06Cmr, CommandExitsUnavailableWhenCmrStaysDown) {
  LoopbackServer down([](const HttpRequest&) { return HttpReply{503, "busy", {{"Retry-After", "0"}}}; });
  test::TempDir tmp;
  const auto out = tmp / "catalog.json";
  auto r = test::run_granary("atl06 catalog --cmr --cycle 20 --cmr-url " + down.url() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 503 after 6 attempt(s)"), std::string::npos) << r.err;
  EXPECT_EQ(down.requests().size(), 6u);
  EXPECT_FALSE(fs::exists(out));
}

// Under authalic-wgs84 a footprint covers the authalic cells of every point in it (near 45N,
// where the two conventions are furthest apart), and those are not the geodetic cells.
TEST(Atl06Cmr, AuthalicFootprintCoversTheAuthalicCellsOfItsPoints) {
  atl06::Footprint f;
  // A swath 0.3 x 3 degrees, slanted like an ICESat-2 track.
  f.polygons.push_back({{43.0, 10.0}, {43.0, 10.3}, {46.0, 10.9}, {46.0, 10.6}});
  const auto authalic = atl06::footprint_cells(f, 8, healpix::LatitudeConvention::AuthalicWgs84);
  const auto geodetic = atl06::footprint_cells(f, 8);
  EXPECT_NE(authalic, geodetic);
  int points = 0;
  for (double t = 0; t <= 1.0; t += 0.01)
    for (double u = 0; u <= 1.0; u += 0.05, ++points) {
      const double lat = 43.0 + 3.0 * t, lon = 10.0 + 0.6 * t + 0.3 * u;
      const auto cell = healpix::nest_to_morton(healpix::ang2nest(lat, lon, 8, healpix::LatitudeConvention::AuthalicWgs84), 8);
      ASSERT_TRUE(std::binary_search(authalic.begin(), authalic.end(), cell)) << lat << " " << lon;
    }
  EXPECT_GT(points, 1900);
}

}  // namespace
}  // namespace granary
