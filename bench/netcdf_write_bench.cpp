// Writing the ECCO 3D product shape, (time, Z, lat, lon) = (1, 50, 360, 720) float32 with
// ~35% land (NaN -> _FillValue), deflate level 5 + shuffle, one chunk per level:
//   * WriteNetcdf/threads:N    granary's writer (netCDF-C define + parallel raw chunks)
//   * WriteNetcdfViaNetcdfC    the same file through netCDF-C's nc_put_vara (HDF5 zlib, 1 thread)
//   * DeflateFloor*/threads:N  level-5 deflate alone on the already shuffled chunks: the
//                              floor for any writer using that compressor on N threads
#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <numbers>
#include <thread>
#include <vector>

#include "formats/netcdf/chunk_codec.hpp"
#include "formats/netcdf/writer.hpp"

namespace {

namespace fs = std::filesystem;
using granary::nc::Dataset;

constexpr std::size_t kLevels = 50, kLat = 360, kLon = 720, kLevelValues = kLat * kLon;
constexpr double kFill = 9.969209968386869e36;

// A smooth "bathymetry" decides land per level (more land with depth, ~35% NaN overall);
// the values are a temperature-like profile with basin-scale structure and eddies.
// GRANARY_BENCH_FLOAT32=FILE replaces them with real product values (raw host-order
// float32, 50 x 360 x 720, NaN on land), so the floor is measured on the same bytes.
std::vector<float> values_from_file(const char* path) {
  std::vector<float> v(kLevels * kLevelValues);
  std::FILE* f = std::fopen(path, "rb");
  if (!f || std::fread(v.data(), 4, v.size(), f) != v.size()) {
    std::fprintf(stderr, "%s: need %zu raw float32 values\n", path, v.size());
    std::exit(2);
  }
  std::fclose(f);
  return v;
}

const std::vector<float>& ocean_theta() {
  static const std::vector<float> values = [] {
    if (const char* path = std::getenv("GRANARY_BENCH_FLOAT32")) return values_from_file(path);
    std::vector<float> v(kLevels * kLevelValues);
    for (std::size_t k = 0; k < kLevels; ++k) {
      const double depth = 5.0 + 5000.0 * std::pow(k / 49.0, 1.6),
                   seabed_cut = 0.15 + 0.55 * std::pow(k / 49.0, 2.0);
      for (std::size_t j = 0; j < kLat; ++j) {
        const double lat = -89.75 + 0.5 * j, phi = lat * std::numbers::pi / 180.0;
        for (std::size_t i = 0; i < kLon; ++i) {
          const double lon = -179.75 + 0.5 * i, lam = lon * std::numbers::pi / 180.0;
          const double seabed = 0.5 + 0.3 * std::sin(2 * lam + 0.5) * std::cos(3 * phi) +
                                0.15 * std::sin(5 * lam) * std::sin(4 * phi + 1) +
                                0.05 * std::cos(11 * lam + 7 * phi);
          const double theta =
              2.0 + 26.0 * std::pow(std::cos(phi), 2) * std::exp(-depth / 700.0) +
              0.8 * std::sin(9 * lam + 2 * phi) * std::cos(7 * phi) * std::exp(-depth / 1500.0) +
              0.05 * std::sin(37 * lam) * std::sin(41 * phi);
          v[(k * kLat + j) * kLon + i] = (seabed < seabed_cut || std::abs(lat) > 78.0)
                                             ? std::numeric_limits<float>::quiet_NaN()
                                             : static_cast<float>(theta);
        }
      }
    }
    return v;
  }();
  return values;
}

double nan_fraction() {
  const auto& v = ocean_theta();
  std::size_t n = 0;
  for (float x : v) n += std::isnan(x);
  return double(n) / v.size();
}

Dataset product(const std::vector<float>& lat, const std::vector<float>& lon, const std::vector<float>& z) {
  granary::nc::Encoding enc;
  enc.deflate = true;
  enc.level = 5;
  enc.shuffle = true;
  enc.fill_value = kFill;
  Dataset ds;
  ds.dimensions = {{"time", 1}, {"Z", kLevels}, {"latitude", kLat}, {"longitude", kLon}};
  ds.attributes = {granary::nc::attr("Conventions", "CF-1.8"), granary::nc::attr("title", "THETA benchmark")};
  ds.variables = {
      {"Z", granary::nc::Type::Float32, {"Z"}, {granary::nc::attr("units", "m")}, Dataset::bytes(z), {}, {}},
      {"latitude", granary::nc::Type::Float32, {"latitude"}, {}, Dataset::bytes(lat), {}, {}},
      {"longitude", granary::nc::Type::Float32, {"longitude"}, {}, Dataset::bytes(lon), {}, {}},
      {"THETA",
       granary::nc::Type::Float32,
       {"time", "Z", "latitude", "longitude"},
       {granary::nc::attr("units", "degree_C"), granary::nc::attr("valid_min", -1.8f)},
       Dataset::bytes(ocean_theta()),
       enc,
       {}}};
  return ds;
}

void write_product(benchmark::State& state, const granary::nc::WriteOptions& options) {
  std::vector<float> lat(kLat), lon(kLon), z(kLevels);
  for (std::size_t j = 0; j < kLat; ++j) lat[j] = -89.75f + 0.5f * j;
  for (std::size_t i = 0; i < kLon; ++i) lon[i] = -179.75f + 0.5f * i;
  for (std::size_t k = 0; k < kLevels; ++k) z[k] = -5.0f - 100.0f * k;
  const auto ds = product(lat, lon, z);
  const auto path = (fs::temp_directory_path() / "granary_netcdf_write_bench.nc").string();
  granary::nc::WriteStats stats;
  double define = 0, compress = 0, write = 0;
  for (auto _ : state) {
    stats = granary::nc::write_netcdf(ds, path, options);
    define += stats.define_seconds;
    compress += stats.compress_seconds;
    write += stats.write_seconds;
  }
  const double n = double(state.iterations());
  state.counters["file_MB"] = stats.bytes / 1e6;
  state.counters["define_ms"] = 1e3 * define / n;
  state.counters["compress_ms"] = 1e3 * compress / n;
  state.counters["write_ms"] = 1e3 * write / n;
  state.counters["nan_fraction"] = nan_fraction();
  state.SetBytesProcessed(state.iterations() * ocean_theta().size() * 4);
  fs::remove(path);
}

void BM_WriteNetcdf(benchmark::State& state) {
  granary::nc::WriteOptions options;
  options.threads = static_cast<int>(state.range(0));
  write_product(state, options);
}
BENCHMARK(BM_WriteNetcdf)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_WriteNetcdfViaNetcdfC(benchmark::State& state) {
  granary::nc::WriteOptions options;
  options.direct_chunk_min_bytes = std::numeric_limits<std::size_t>::max();
  write_product(state, options);
}
BENCHMARK(BM_WriteNetcdfViaNetcdfC)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// The 50 level chunks exactly as the writer hands them to deflate: NaN -> fill, shuffled.
const std::vector<std::vector<std::byte>>& shuffled_levels() {
  static const auto levels = [] {
    std::vector<std::vector<std::byte>> out(kLevels);
    const float fill = static_cast<float>(kFill);
    for (std::size_t k = 0; k < kLevels; ++k) {
      std::vector<float> level(ocean_theta().begin() + k * kLevelValues,
                               ocean_theta().begin() + (k + 1) * kLevelValues);
      for (auto& x : level)
        if (std::isnan(x)) x = fill;
      out[k].resize(kLevelValues * 4);
      granary::nc::shuffle_bytes(std::as_bytes(std::span(level)), 4, out[k]);
    }
    return out;
  }();
  return levels;
}

// Compresses every level on `threads` threads (chunks claimed one at a time, as the writer
// does); returns the total compressed size.
template <typename Compress>
std::size_t compress_levels(unsigned threads, Compress compress) {
  const auto& levels = shuffled_levels();
  std::atomic<std::size_t> next{0}, total{0};
  std::vector<std::jthread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      std::vector<std::byte> out(compressBound(kLevelValues * 4) + 64);
      for (std::size_t k; (k = next++) < levels.size();) total += compress(levels[k], out);
    });
  pool.clear();
  return total;
}

void report_floor(benchmark::State& state, std::size_t bytes) {
  state.counters["compressed_MB"] = bytes / 1e6;
  state.SetBytesProcessed(state.iterations() * kLevels * kLevelValues * 4);
}

void BM_DeflateFloorLibdeflate(benchmark::State& state) {
  shuffled_levels();
  std::size_t bytes = 0;
  for (auto _ : state)
    bytes = compress_levels(static_cast<unsigned>(state.range(0)), [](const auto& in, auto& out) {
      // One compressor per thread, freed when the thread ends (as the writer's workers do).
      thread_local std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
          libdeflate_alloc_compressor(5), libdeflate_free_compressor);
      return libdeflate_zlib_compress(c.get(), in.data(), in.size(), out.data(), out.size());
    });
  report_floor(state, bytes);
}
BENCHMARK(BM_DeflateFloorLibdeflate)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_DeflateFloorZlib(benchmark::State& state) {
  shuffled_levels();
  std::size_t bytes = 0;
  for (auto _ : state)
    bytes = compress_levels(static_cast<unsigned>(state.range(0)), [](const auto& in, auto& out) {
      uLongf n = out.size();
      compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                in.size(), 5);
      return std::size_t{n};
    });
  report_floor(state, bytes);
}
BENCHMARK(BM_DeflateFloorZlib)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
