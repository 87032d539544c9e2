#include "recipes/atl06/synth.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include "grids/healpix/morton.hpp"
#include "recipes/atl06/synth_random.hpp"
#include "recipes/atl06/synth_track.hpp"
#include "recipes/atl06/synth_writer.hpp"
#include "util/error.hpp"

namespace granary::atl06::synth {
namespace {

namespace chr = std::chrono;
using chr::sys_days, chr::sys_seconds;

constexpr int kReferenceGroundTracks = 1387;
constexpr int kCycleDays = 91;
constexpr int kAttempts = 20;
// 2018-10-13 (cycle 1 begins) and 2018-01-01 (the ATLAS SDP epoch of delta_time).
const sys_days kCycle1Start = sys_days(chr::year(2018) / chr::October / 13);
const sys_days kAtlasEpoch = sys_days(chr::year(2018) / chr::January / 1);

struct BeamLayout {
  int pair;  // 0..2, cross-track pair
  int side;  // -1 left, +1 right
};
const std::map<std::string, BeamLayout> kBeamLayout = {{"gt1l", {0, -1}}, {"gt1r", {0, +1}}, {"gt2l", {1, -1}},
                                                       {"gt2r", {1, +1}}, {"gt3l", {2, -1}}, {"gt3r", {2, +1}}};

struct Cell {
  std::int64_t morton;
  int order;
  double centre_lat, centre_lon;
};

Cell describe_cell(std::int64_t morton) {
  const healpix::NestedCell nested = healpix::morton_to_nest(morton);
  Cell c{morton, nested.order, 0, 0};
  healpix::nest2ang(nested.nest, nested.order, c.centre_lat, c.centre_lon);
  c.centre_lon = std::fmod(c.centre_lon + 180.0, 360.0) - 180.0;
  return c;
}

bool in_cell(double lat, double lon, const Cell& cell) {
  return healpix::morton_parent(healpix::geo_to_morton(lat, lon, healpix::kMaxOrder), cell.order) == cell.morton;
}

// A random point inside the cell, away from its edges, for the track to pass through.
void pick_crossing(Random& random, const Cell& cell, double& lat, double& lon) {
  constexpr double kFraction = 0.35;
  const double size = 58.6323 * std::pow(0.5, cell.order);  // degrees, the cell's nominal size
  for (int i = 0; i < 10000; ++i) {
    lat = cell.centre_lat + random.uniform(-kFraction, kFraction) * size;
    lon = cell.centre_lon + random.uniform(-kFraction, kFraction) * size /
                                std::max(std::cos(lat * std::numbers::pi / 180.0), 0.05);
    if (in_cell(lat, lon, cell)) return;
  }
  fail("cell {}: could not place a track crossing inside it", cell.morton);
}

// Everything a granule's beams share: where and when its track runs.
struct GranulePlan {
  double crossing_lat = 0, crossing_lon = 0;
  bool ascending = false;
  Track track;
  std::int64_t k0 = 0;       // index of the segment at the crossing
  std::int64_t n_total = 0;  // segments before the gaps are cut out
  sys_seconds start;
  double t0 = 0;  // delta_time of segment 0
  std::int64_t seg0 = 0;
  std::array<double, 3> pair_shift{};  // along-track stagger of each pair, m
};

GranulePlan plan_granule(Random& random, const Cell& cell, const SynthOptions& o) {
  GranulePlan p;
  pick_crossing(random, cell, p.crossing_lat, p.crossing_lon);
  p.ascending = random.integers(0, 2) == 1;
  p.track = make_track(p.crossing_lat, p.crossing_lon, p.ascending);
  p.k0 = static_cast<std::int64_t>(random.uniform(0.3, 0.7) * o.segments_per_beam);
  p.n_total = static_cast<std::int64_t>(o.segments_per_beam * 1.03) + 10;
  const double days = (o.cycle - 1) * kCycleDays + random.uniform(1, 85);
  p.start = kCycle1Start + chr::floor<chr::seconds>(chr::duration<double, std::ratio<86400>>(days));
  p.t0 = static_cast<double>((p.start - kAtlasEpoch).count());
  p.seg0 = random.integers(100000, 1500000);
  for (double& shift : p.pair_shift) shift = random.uniform(-2500.0, 2500.0);
  return p;
}

// 0/1 flags in alternating runs like cloud cover (about 12 % flagged), plus isolated
// single-segment problems.
std::vector<std::int8_t> quality_runs(Random& random, std::size_t n) {
  constexpr double kGoodMean = 2500.0, kBadMean = 350.0;
  std::vector<std::int8_t> q(n, 0);
  auto i = static_cast<std::size_t>(random.exponential(kGoodMean));
  while (i < n) {
    const std::size_t j = i + 1 + static_cast<std::size_t>(random.exponential(kBadMean));
    std::fill(q.begin() + static_cast<std::ptrdiff_t>(i), q.begin() + static_cast<std::ptrdiff_t>(std::min(j, n)), 1);
    i = j + 1 + static_cast<std::size_t>(random.exponential(kGoodMean));
  }
  for (auto& flag : q)
    if (random.uniform(0, 1) < 0.01) flag = 1;
  return q;
}

// Indices (ascending) of the n_keep segments left after dropping along-track runs of
// segments without a fit.
std::vector<std::int64_t> kept_segments(Random& random, std::int64_t n_total, std::int64_t n_keep) {
  std::vector<char> keep(static_cast<std::size_t>(n_total), 1);
  std::int64_t drop = n_total - n_keep;
  while (drop > 0) {
    const std::int64_t length = std::min<std::int64_t>(drop, 1 + static_cast<std::int64_t>(random.exponential(60)));
    const std::int64_t start = random.integers(0, n_total - length);
    auto first = keep.begin() + start, last = first + length;
    drop -= std::count(first, last, 1);
    std::fill(first, last, 0);
  }
  std::vector<std::int64_t> idx;
  idx.reserve(static_cast<std::size_t>(n_keep));
  for (std::int64_t k = 0; k < n_total; ++k)
    if (keep[static_cast<std::size_t>(k)]) idx.push_back(k);
  return idx;
}

BeamArrays make_beam(const std::string& name, const GranulePlan& plan, const Surface& surface, int segments,
                     Random& random) {
  const BeamLayout layout = kBeamLayout.at(name);
  const double cross = (layout.pair - 1) * kPairSpacing + layout.side * kBeamSpacing / 2.0;
  const auto kept = kept_segments(random, plan.n_total, segments);
  const auto n = static_cast<std::size_t>(segments);
  BeamArrays b;
  b.name = name;
  b.latitude.resize(n), b.longitude.resize(n), b.delta_time.resize(n);
  b.h_li.resize(n), b.h_li_sigma.resize(n), b.segment_id.resize(n);
  b.quality = quality_runs(random, n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t k = kept[i];
    const double along = static_cast<double>(k - plan.k0) * kSegmentSpacing + plan.pair_shift[layout.pair];
    const Vec3 p = track_point(plan.track, along, cross);
    const llc::sphere::LonLat ll = llc::sphere::to_lonlat(p);
    b.latitude[i] = ll.lat;
    b.longitude[i] = ll.lon;
    const Surface::Sample ground = surface.at(p);
    const double h = ground.height + random.normal(0.0, 0.08) + 0.5 * random.standard_t(3) * 0.1;
    const double sigma = std::clamp(std::exp(random.normal(std::log(0.04), 0.7)), 0.003, 3.0);
    if (!ground.on_ice) b.quality[i] = 1;  // over the ocean: no valid land-ice fit
    const bool flagged = b.quality[i] != 0;
    b.h_li[i] = flagged ? kFillFloat32 : static_cast<float>(h);
    b.h_li_sigma[i] = flagged ? kFillFloat32 : static_cast<float>(sigma);
    // Segment k of every beam shares one along-track reference (segment_id and time), so
    // the two beams of a pair carry the same segment_id side by side.
    b.segment_id[i] = static_cast<std::int32_t>(plan.seg0 + k);
    b.delta_time[i] = plan.t0 + static_cast<double>(k) * kSegmentSpacing / kGroundSpeed + layout.pair * 0.35 +
                      random.normal(0.0, 2e-6);  // timing jitter
  }
  return b;
}

std::int64_t count_in_cell(const BeamArrays& b, const Cell& cell) {
  std::int64_t count = 0;
  for (std::size_t i = 0; i < b.latitude.size(); ++i) count += in_cell(b.latitude[i], b.longitude[i], cell) ? 1 : 0;
  return count;
}

std::string format_time(sys_seconds t, bool iso) {
  const sys_days day = chr::floor<chr::days>(t);
  const chr::year_month_day ymd(day);
  const chr::hh_mm_ss<chr::seconds> hms(t - day);
  const int y = static_cast<int>(ymd.year());
  const unsigned mo = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  const auto h = hms.hours().count(), mi = hms.minutes().count(), s = hms.seconds().count();
  return iso ? fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", y, mo, d, h, mi, s)
             : fmt::format("{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}", y, mo, d, h, mi, s);
}

void validate(const SynthOptions& o) {
  if (o.out_dir.empty()) fail("atl06 synth: --out is required");
  if (o.granules < 1 || o.granules > kReferenceGroundTracks)
    fail("atl06 synth: --granules {} is outside 1..{} (one reference ground track each)", o.granules, kReferenceGroundTracks);
  if (o.segments_per_beam < 100) fail("atl06 synth: --segments-per-beam {} must be at least 100", o.segments_per_beam);
  if (o.cells.empty()) fail("atl06 synth: --cell is empty");
  for (const auto cell : o.cells)
    if (!healpix::is_valid_morton(cell)) fail("atl06 synth: --cell {} is not a valid morton index", cell);
  if (o.cycle < 1 || o.cycle > 99) fail("atl06 synth: --cycle {} is outside 1..99", o.cycle);
  if (o.region < 1 || o.region > 14) fail("atl06 synth: --region {} is outside 1..14 (ATL06 regions)", o.region);
  if (o.version.size() != 3 || o.version.find_first_not_of("0123456789") != std::string::npos) fail("atl06 synth: --product-version '{}' is not three digits", o.version);
  if (o.beams.empty()) fail("atl06 synth: --beams is empty");
  for (std::size_t i = 0; i < o.beams.size(); ++i) {
    if (!kBeamLayout.contains(o.beams[i])) fail("atl06 synth: beam '{}' is not one of gt1l..gt3r", o.beams[i]);
    if (std::find(o.beams.begin(), o.beams.begin() + static_cast<std::ptrdiff_t>(i), o.beams[i]) !=
        o.beams.begin() + static_cast<std::ptrdiff_t>(i))
      fail("atl06 synth: beam '{}' is given twice", o.beams[i]);
  }
}

// Distinct reference ground tracks 1..1387, one per granule.
std::vector<int> pick_rgts(Random& random, int count) {
  std::vector<int> all(kReferenceGroundTracks);
  std::iota(all.begin(), all.end(), 1);
  for (int i = 0; i < count; ++i) std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(random.integers(i, kReferenceGroundTracks))]);
  all.resize(static_cast<std::size_t>(count));
  return all;
}

}  // namespace

const std::vector<std::string>& all_beams() {
  static const std::vector<std::string> beams = {"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"};
  return beams;
}

namespace {

// One granule's beams, on a track whose every beam has points in the cell (when checked).
struct MadeGranule {
  GranulePlan plan;
  std::vector<BeamArrays> beams;
  std::vector<std::int64_t> points_in_cell;  // per beam
};

MadeGranule make_granule(int g, Random& random, const Surface& surface, const Cell& cell, const SynthOptions& o) {
  MadeGranule made;
  made.points_in_cell.assign(o.beams.size(), 0);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    made.plan = plan_granule(random, cell, o);
    made.beams.assign(o.beams.size(), {});
    // Each beam draws from its own stream, so the granules do not depend on threading.
    tbb::parallel_for(std::size_t{0}, o.beams.size(), [&](std::size_t b) {
      std::seed_seq seeds{std::uint32_t(o.seed), std::uint32_t(o.seed >> 32), std::uint32_t(g), std::uint32_t(attempt),
                          std::uint32_t(b)};
      Random beam_random(seeds);
      made.beams[b] = make_beam(o.beams[b], made.plan, surface, o.segments_per_beam, beam_random);
      if (o.check) made.points_in_cell[b] = count_in_cell(made.beams[b], cell);
    });
    if (!o.check || *std::min_element(made.points_in_cell.begin(), made.points_in_cell.end()) > 0) return made;
  }
  fail("granule {}: could not make all beams cross cell {} in {} tries", g, cell.morton, kAttempts);
}

}  // namespace

std::vector<GranuleSummary> write_synthetic_granules(const SynthOptions& o) {
  validate(o);
  std::vector<Cell> cells;
  for (const auto morton : o.cells) cells.push_back(describe_cell(morton));
  Random random(o.seed);
  Random surface_random(o.seed + 1000003);
  const Surface surface(surface_random, o.surface);
  const std::vector<int> rgts = pick_rgts(random, o.granules);
  std::vector<GranuleSummary> out;
  for (int g = 0; g < o.granules; ++g) {
    const auto t_begin = chr::steady_clock::now();
    const Cell& cell = cells[static_cast<std::size_t>(g) % cells.size()];
    MadeGranule made = make_granule(g, random, surface, cell, o);
    const int rgt = rgts[static_cast<std::size_t>(g)];
    GranuleContents contents{std::move(made.beams), rgt, o.cycle, o.version, format_time(made.plan.start, true)};
    const auto name = fmt::format("ATL06_{}_{:04d}{:02d}{:02d}_{}_01.h5", format_time(made.plan.start, false), rgt,
                                  o.cycle, o.region, o.version);
    GranuleSummary s;
    s.path = o.out_dir / name;
    s.cell = cell.morton;
    write_granule(s.path, contents);
    s.bytes = std::filesystem::file_size(s.path);
    s.crossing_lat = made.plan.crossing_lat;
    s.crossing_lon = made.plan.crossing_lon;
    s.ascending = made.plan.ascending;
    s.segments_per_beam = o.segments_per_beam;
    if (o.check) {
      s.points_in_cell.emplace();
      for (std::size_t b = 0; b < o.beams.size(); ++b) (*s.points_in_cell)[o.beams[b]] = made.points_in_cell[b];
    }
    s.seconds = chr::duration<double>(chr::steady_clock::now() - t_begin).count();
    spdlog::info("atl06 synth: {}", to_json(s).dump());
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::json to_json(const GranuleSummary& s) {
  auto round_to = [](double v, double scale) { return std::round(v * scale) / scale; };
  nlohmann::json j = {{"file", s.path.string()},
                      {"cell", s.cell},
                      {"bytes", s.bytes},
                      {"crossing_lat", round_to(s.crossing_lat, 1e4)},
                      {"crossing_lon", round_to(s.crossing_lon, 1e4)},
                      {"ascending", s.ascending},
                      {"segments_per_beam", s.segments_per_beam},
                      {"points_in_cell", nullptr},
                      {"seconds", round_to(s.seconds, 1e2)}};
  if (s.points_in_cell) j["points_in_cell"] = *s.points_in_cell;
  return j;
}

}  // namespace granary::atl06::synth
