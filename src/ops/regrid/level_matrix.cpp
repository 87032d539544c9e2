#include "ops/regrid/level_matrix.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "ops/regrid/parallel.hpp"

namespace granary::regrid {
namespace {

// Calls visit(t, in_radius, sources) for every ocean target t of level k in ascending t.
// sources: S(t) nearest first, or {n(t)} when S(t) is empty (then in_radius == 0).
template <class Visit>
void for_each_ocean_target(const FactorsData& data, int k, Visit&& visit) {
  const std::uint8_t* wet = data.wet_level(k);
  const Neighbours& nb = data.neighbours;
  const auto limit = static_cast<std::size_t>(data.params.max_neighbours);
  std::vector<std::uint32_t> sources;
  sources.reserve(limit);
  for (std::size_t t = 0; t < nb.targets(); ++t) {
    const std::int32_t nearest = nb.nearest[t];
    if (nearest < 0 || !FactorsData::bit(wet, static_cast<std::size_t>(nearest))) continue;
    sources.clear();
    for (std::uint32_t p : nb.candidates(t)) {
      if (!FactorsData::bit(wet, p)) continue;
      sources.push_back(p);
      if (sources.size() == limit) break;
    }
    const std::size_t in_radius = sources.size();
    if (in_radius == 0) sources.push_back(static_cast<std::uint32_t>(nearest));
    visit(t, in_radius, sources);
  }
}

long count_wet(const FactorsData& data, int k) {
  const std::uint8_t* wet = data.wet_level(k);
  const std::size_t points = data.params.points;
  long n = 0;
  for (std::size_t b = 0; b < points / 8; ++b) n += std::popcount(wet[b]);
  for (std::size_t p = points / 8 * 8; p < points; ++p) n += FactorsData::bit(wet, p);
  return n;
}

void tally_ocean_target(LevelStats& s, std::size_t in_radius) {
  ++s.ocean;
  s.nnz += static_cast<long>(std::max<std::size_t>(in_radius, 1));
  s.in_r_1 += in_radius == 1;
  s.in_r_2 += in_radius == 2;
  s.in_r_3plus += in_radius >= 3;
  s.fallback += in_radius == 0;
  s.max_in_r = std::max(s.max_in_r, static_cast<long>(in_radius));
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
  for_each_ocean_target(data, k, [&](std::size_t, std::size_t in_radius, const std::vector<std::uint32_t>&) {
    tally_ocean_target(s, in_radius);
  });
  return s;
}

std::vector<LevelStats> count_levels(const FactorsData& data, int threads) {
  // Target-major with all levels inside: each target's neighbours are read once and the
  // wet bitmasks of all levels stay in cache, instead of one pass per level.
  const int levels = data.params.levels;
  const Neighbours& nb = data.neighbours;
  const auto limit = static_cast<std::size_t>(data.params.max_neighbours);
  constexpr std::size_t kChunk = 8192;
  const std::size_t chunks = (nb.targets() + kChunk - 1) / kChunk;
  std::vector<std::vector<LevelStats>> partial(resolve_threads(threads), std::vector<LevelStats>(levels));
  parallel_for_items(chunks, threads, [&](std::size_t chunk, int worker) {
    std::vector<LevelStats>& stats = partial[worker];
    const std::size_t end = std::min(nb.targets(), (chunk + 1) * kChunk);
    for (std::size_t t = chunk * kChunk; t < end; ++t) {
      const std::int32_t nearest = nb.nearest[t];
      if (nearest < 0) continue;
      const auto candidates = nb.candidates(t);
      for (int k = 0; k < levels; ++k) {
        const std::uint8_t* wet = data.wet_level(k);
        if (!FactorsData::bit(wet, static_cast<std::size_t>(nearest))) continue;
        std::size_t in_radius = 0;
        for (std::uint32_t p : candidates)
          if (FactorsData::bit(wet, p) && ++in_radius == limit) break;
        tally_ocean_target(stats[k], in_radius);
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

LevelMatrix LevelMatrix::expand(const FactorsData& data, int k) {
  LevelMatrix m;
  m.target_cells_ = data.neighbours.targets();
  for_each_ocean_target(data, k, [&](std::size_t t, std::size_t, std::vector<std::uint32_t>& src) {
    std::sort(src.begin(), src.end());
    m.targets_.push_back(static_cast<std::uint32_t>(t));
    m.sources_.insert(m.sources_.end(), src.begin(), src.end());
    m.offsets_.push_back(static_cast<std::uint32_t>(m.sources_.size()));
  });
  m.targets_.shrink_to_fit();
  m.offsets_.shrink_to_fit();
  m.sources_.shrink_to_fit();
  return m;
}

void LevelMatrix::apply(const float* src, float* out) const {
  std::fill(out, out + target_cells_, std::numeric_limits<float>::quiet_NaN());
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const std::uint32_t begin = offsets_[i], end = offsets_[i + 1];
    // scipy stores the weight 1/n in float64 and adds w * v[s] per entry to a 0.0 start.
    const double weight = 1.0 / static_cast<double>(end - begin);
    double sum = 0.0;
    for (std::uint32_t e = begin; e < end; ++e) sum += weight * static_cast<double>(src[sources_[e]]);
    out[targets_[i]] = static_cast<float>(sum);
  }
}

}  // namespace granary::regrid
