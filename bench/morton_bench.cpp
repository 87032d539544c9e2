// The morton step of the ATL06 recipe: healpix::geo_to_morton(lat, lon, 18) (HEALPix nested
// ang2pix + decimal morton digits) over a million points, one thread; items/s = points/s.
// bench/atl06.sh runs it on real ATL06 positions taken from the synthetic granules
// (GRANARY_BENCH_POINTS = raw little-endian float64 (lat, lon) pairs), against healpy's
// ang2pix on the same file in the same run (bench/healpy_rate.py). Without the variable it
// uses a fixed pseudo-random million points over Antarctica.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "grids/healpix/morton.hpp"

namespace {

struct Points {
  std::vector<double> lat, lon;
};

Points points_from_file(const char* path) {
  Points p;
  std::FILE* f = std::fopen(path, "rb");
  if (!f) {
    std::fprintf(stderr, "%s: cannot open\n", path);
    std::exit(2);
  }
  double pair[2];
  while (std::fread(pair, sizeof(double), 2, f) == 2) p.lat.push_back(pair[0]), p.lon.push_back(pair[1]);
  std::fclose(f);
  if (p.lat.empty()) {
    std::fprintf(stderr, "%s: no (lat, lon) float64 pairs\n", path);
    std::exit(2);
  }
  return p;
}

const Points& points() {
  static const Points p = [] {
    if (const char* path = std::getenv("GRANARY_BENCH_POINTS")) return points_from_file(path);
    Points r;
    std::mt19937_64 rng(20181013);
    std::uniform_real_distribution<double> lat(-90.0, -60.0), lon(-180.0, 180.0);
    for (int i = 0; i < 1'000'000; ++i) r.lat.push_back(lat(rng)), r.lon.push_back(lon(rng));
    return r;
  }();
  return p;
}

void BM_GeoToMorton18(benchmark::State& state) {
  const Points& p = points();
  const std::size_t n = p.lat.size();
  for (auto _ : state) {
    std::int64_t checksum = 0;
    for (std::size_t i = 0; i < n; ++i) checksum += granary::healpix::geo_to_morton(p.lat[i], p.lon[i], 18);
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["points"] = static_cast<double>(n);
}
BENCHMARK(BM_GeoToMorton18)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
