#include "ops/regrid/level_weights.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "ops/regrid/parallel.hpp"

namespace granary::regrid {
namespace {

struct TargetSources {
  bool ocean = false;
  std::size_t in_radius = 0;  // |S(t)|; 0 means the nearest fallback
  std::size_t count = 0;      // sources written: max(in_radius, 1) for ocean targets
};

// Writes the sources of target t (S(t) nearest first, or {n(t)}) to out[0 .. count).
// out must hold max_neighbours values.
TargetSources gather(const FactorsData& data, const std::uint8_t* wet, std::size_t t, std::uint32_t* out) {
  const std::int32_t nearest = data.neighbours.nearest[t];
  if (nearest < 0 || !FactorsData::bit(wet, static_cast<std::size_t>(nearest))) return {};
  const auto limit = static_cast<std::size_t>(data.params.max_neighbours);
  std::size_t n = 0;
  for (std::uint32_t p : data.neighbours.candidates(t)) {
    if (!FactorsData::bit(wet, p)) continue;
    out[n++] = p;
    if (n == limit) break;
  }
  if (n > 0) return {true, n, n};
  out[0] = static_cast<std::uint32_t>(nearest);
  return {true, 0, 1};
}

long count_wet(const FactorsData& data, int k) {
  const std::uint8_t* wet = data.wet_level(k);
  const std::size_t points = data.params.points;
  long n = 0;
  for (std::size_t b = 0; b < points / 8; ++b) n += std::popcount(wet[b]);
  for (std::size_t p = points / 8 * 8; p < points; ++p) n += FactorsData::bit(wet, p);
  return n;
}

void tally(LevelStats& s, const TargetSources& g) {
  if (!g.ocean) return;
  ++s.ocean;
  s.nnz += static_cast<long>(g.count);
  s.in_r_1 += g.in_radius == 1;
  s.in_r_2 += g.in_radius == 2;
  s.in_r_3plus += g.in_radius >= 3;
  s.fallback += g.in_radius == 0;
  s.max_in_r = std::max(s.max_in_r, static_cast<long>(g.in_radius));
}

void add_counts(LevelStats& into, const LevelStats& s) {
  into.ocean += s.ocean;
  into.nnz += s.nnz;
  into.in_r_1 += s.in_r_1;
  into.in_r_2 += s.in_r_2;
  into.in_r_3plus += s.in_r_3plus;
  into.fallback += s.fallback;
  into.max_in_r = std::max(into.max_in_r, s.max_in_r);
}

}  // namespace

LevelStats count_level(const FactorsData& data, int k) {
  LevelStats s;
  s.wet = count_wet(data, k);
  const std::uint8_t* wet = data.wet_level(k);
  std::vector<std::uint32_t> buf(data.params.max_neighbours);
  for (std::size_t t = 0; t < data.neighbours.targets(); ++t) tally(s, gather(data, wet, t, buf.data()));
  return s;
}

std::vector<LevelStats> count_levels(const FactorsData& data, int threads) {
  // Target-major with all levels inside: each target's neighbours are read once and the
  // wet bitmasks of all levels stay in cache, instead of one pass per level.
  const int levels = data.params.levels;
  const std::size_t targets = data.neighbours.targets();
  constexpr std::size_t kChunk = 8192;
  std::vector<std::vector<LevelStats>> partial(resolve_threads(threads), std::vector<LevelStats>(levels));
  const auto limit = static_cast<std::size_t>(data.params.max_neighbours);
  parallel_for_items((targets + kChunk - 1) / kChunk, threads, [&](std::size_t chunk, int worker) {
    std::vector<LevelStats>& stats = partial[worker];
    for (std::size_t t = chunk * kChunk; t < std::min(targets, (chunk + 1) * kChunk); ++t) {
      const std::int32_t nearest = data.neighbours.nearest[t];
      if (nearest < 0) continue;
      const auto candidates = data.neighbours.candidates(t);
      for (int k = 0; k < levels; ++k) {
        // gather() without writing the sources: only their number matters here.
        const std::uint8_t* wet = data.wet_level(k);
        if (!FactorsData::bit(wet, static_cast<std::size_t>(nearest))) continue;
        std::size_t in_radius = 0;
        for (std::uint32_t p : candidates) in_radius += FactorsData::bit(wet, p);
        in_radius = std::min(in_radius, limit);
        tally(stats[k], {true, in_radius, std::max<std::size_t>(in_radius, 1)});
      }
    }
  });
  std::vector<LevelStats> total(levels);
  for (int k = 0; k < levels; ++k) {
    total[k].wet = count_wet(data, k);
    for (const auto& stats : partial) add_counts(total[k], stats[k]);
  }
  return total;
}

std::vector<std::uint8_t> ocean_mask(const FactorsData& data, int k) {
  const std::uint8_t* wet = data.wet_level(k);
  const auto& nearest = data.neighbours.nearest;
  std::vector<std::uint8_t> mask(nearest.size());
  for (std::size_t t = 0; t < nearest.size(); ++t)
    mask[t] = nearest[t] >= 0 && FactorsData::bit(wet, static_cast<std::size_t>(nearest[t]));
  return mask;
}

std::vector<std::uint32_t> target_sources(const FactorsData& data, int k, std::size_t t) {
  std::vector<std::uint32_t> buf(data.params.max_neighbours);
  auto g = gather(data, data.wet_level(k), t, buf.data());
  buf.resize(g.count);
  std::sort(buf.begin(), buf.end());
  return buf;
}

void apply_level(const FactorsData& data, int k, const float* src, float* out) {
  const std::uint8_t* wet = data.wet_level(k);
  std::vector<std::uint32_t> buf(data.params.max_neighbours);
  for (std::size_t t = 0; t < data.neighbours.targets(); ++t) {
    const auto g = gather(data, wet, t, buf.data());
    if (!g.ocean) {
      out[t] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    if (g.count > 1) std::sort(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(g.count));
    // scipy stores the weight 1/n in float64 and adds w * v[s] per entry to a 0.0 start.
    const double weight = 1.0 / static_cast<double>(g.count);
    double sum = 0.0;
    for (std::size_t i = 0; i < g.count; ++i) sum += weight * static_cast<double>(src[buf[i]]);
    out[t] = static_cast<float>(sum);
  }
}

}  // namespace granary::regrid
