#include "ops/regrid/factors.hpp"

#include <bit>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include "ops/regrid/factors_file.hpp"
#include "ops/regrid/neighbours.hpp"
#include "util/error.hpp"
#include "util/timer.hpp"

namespace granary::regrid {
namespace {

// The grid's own wet definition (hFacC > 0), packed 8 points a byte.
std::vector<std::uint8_t> wet_bits_of(const llc::Grid& grid, int levels) {
  const std::size_t points = grid.points(), bytes = (points + 7) / 8;
  std::vector<std::uint8_t> bits(static_cast<std::size_t>(levels) * bytes, 0);
  for (int k = 0; k < levels; ++k) {
    const auto wet = grid.wet_mask(k);
    std::uint8_t* level = bits.data() + k * bytes;
    for (std::size_t p = 0; p < points; ++p)
      if (wet[p]) level[p >> 3] |= static_cast<std::uint8_t>(1u << (p & 7));
  }
  return bits;
}

void crc_doubles(uLong& crc, const std::vector<double>& values) {
  if constexpr (std::endian::native == std::endian::little) {
    crc = ::crc32_z(crc, reinterpret_cast<const Bytef*>(values.data()), values.size() * sizeof(double));
  } else {
    for (double v : values) {
      auto u = __builtin_bswap64(std::bit_cast<std::uint64_t>(v));
      crc = ::crc32_z(crc, reinterpret_cast<const Bytef*>(&u), sizeof u);
    }
  }
}

}  // namespace

std::string geometry_crc32(const llc::Grid& grid) {
  uLong crc = ::crc32_z(0L, nullptr, 0);
  crc_doubles(crc, grid.xc);
  crc_doubles(crc, grid.yc);
  return fmt::format("{:08x}", static_cast<std::uint32_t>(crc));
}

Factors::Factors(FactorsData data, std::string origin) : data_(std::move(data)), origin_(std::move(origin)) {}

Factors Factors::build(const llc::Grid& grid, int levels, double resolution, int threads) {
  if (levels < 1 || levels > grid.nz)
    fail("{}: cannot build factors for {} levels, the grid has {}", grid.dir, levels, grid.nz);
  if (grid.xc.size() != grid.points() || grid.yc.size() != grid.points())
    fail("{}: grid is incomplete (XC or YC has the wrong size)", grid.dir);
  for (std::size_t i = 0; i < grid.points(); ++i)
    if (!std::isfinite(grid.xc[i]) || !std::isfinite(grid.yc[i]))
      fail("{}: XC/YC of point {} is not finite ({}, {}); the lat-lon mapping needs every cell centre", grid.dir,
           i, grid.xc[i], grid.yc[i]);
  FactorsData d;
  FactorsParams& p = d.params;
  p.target = TargetGrid::with_resolution(resolution);
  p.max_cell_length = grid.max_cell_length();
  // The original passes integer radii to its kd-tree: Python's int() truncates.
  p.radius_bound = std::trunc(p.target.max_row_radius());
  p.nearest_bound = std::trunc(p.max_cell_length);
  p.levels = levels;
  p.nx = grid.layout.nx;
  p.points = grid.points();
  p.geometry_crc32 = geometry_crc32(grid);
  p.grid_dir = grid.dir;
  PhaseTimer timer;
  d.neighbours = find_neighbours(p.target, grid.xc, grid.yc, {p.radius_bound, p.nearest_bound}, threads);
  timer.mark("neighbours");
  d.wet_bits = wet_bits_of(grid, levels);
  timer.mark("wet");
  spdlog::debug("factors: neighbours {:.3f} s, wet masks {:.3f} s", timer.seconds().at("neighbours"),
                timer.seconds().at("wet"));
  return Factors(std::move(d), fmt::format("built from grid {}", grid.dir));
}

Factors Factors::load(const std::string& path) { return Factors(read_factors_file(path), path); }

void Factors::save(const std::string& path) const { write_factors_file(path, data_); }

void Factors::check_level_index(int k) const {
  if (k < 0 || k >= levels()) fail("factors {} have {} levels, level {} was asked for", origin_, levels(), k);
}

LevelStats Factors::stats(int k) const {
  check_level_index(k);
  return count_level(data_, k);
}

std::vector<LevelStats> Factors::all_stats(int threads) const { return count_levels(data_, threads); }

std::vector<std::uint8_t> Factors::ocean_mask(int k) const {
  check_level_index(k);
  return regrid::ocean_mask(data_, k);
}

std::vector<std::uint32_t> Factors::sources(int k, std::size_t target) const {
  check_level_index(k);
  if (target >= data_.params.target.size())
    fail("factors {}: target cell {} out of range ({} cells)", origin_, target, data_.params.target.size());
  return target_sources(data_, k, target);
}

void Factors::apply(int k, const float* src, float* out) const {
  check_level_index(k);
  apply_level(data_, k, src, out);
}

void Factors::check_levels(int field_levels) const {
  if (field_levels > levels()) fail("factors {} have {} levels, the field has {}", origin_, levels(), field_levels);
}

void Factors::check_grid(const llc::Grid& grid) const {
  const FactorsParams& p = data_.params;
  if (grid.layout.nx != p.nx || grid.points() != p.points)
    fail("factors {} were built for LLC{} ({} points), grid {} is LLC{} ({} points)", origin_, p.nx, p.points,
         grid.dir, grid.layout.nx, grid.points());
  if (grid.nz < p.levels)
    fail("factors {} have {} levels, grid {} only {}", origin_, p.levels, grid.dir, grid.nz);
  auto crc = geometry_crc32(grid);
  if (crc != p.geometry_crc32)
    fail("factors {} were built for another grid geometry (XC/YC checksum {}, grid {} has {})", origin_,
         p.geometry_crc32, grid.dir, crc);
  if (std::trunc(grid.max_cell_length()) != p.nearest_bound)
    fail("factors {} use a nearest bound of {} m, grid {} implies {} m", origin_, p.nearest_bound, grid.dir,
         std::trunc(grid.max_cell_length()));
  auto wet = wet_bits_of(grid, p.levels);
  if (wet != data_.wet_bits) {
    const std::size_t bytes = data_.wet_bytes_per_level();
    int k = 0;
    while (std::equal(wet.begin() + k * bytes, wet.begin() + (k + 1) * bytes, data_.wet_bits.begin() + k * bytes)) ++k;
    fail("factors {}: the wet mask of level {} differs from grid {}", origin_, k, grid.dir);
  }
}

}  // namespace granary::regrid
