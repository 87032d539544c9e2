#include "ops/regrid/factors_file.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/json_input.hpp"

namespace granary::regrid {
namespace {

template <typename T>
T byteswap_if_big(T v) {
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    auto u = std::bit_cast<std::array<std::byte, sizeof(T)>>(v);
    std::reverse(u.begin(), u.end());
    return std::bit_cast<T>(u);
  }
  return v;
}

class Writer {
 public:
  template <typename T>
  void scalar(T v) {
    v = byteswap_if_big(v);
    auto* p = reinterpret_cast<const std::byte*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void raw(const void* p, std::size_t n) {
    auto* b = static_cast<const std::byte*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  template <typename T>
  void array(const std::vector<T>& v) {
    scalar<std::uint64_t>(v.size());
    if constexpr (std::endian::native == std::endian::little || sizeof(T) == 1) {
      raw(v.data(), v.size() * sizeof(T));
    } else {
      for (T x : v) scalar(x);
    }
  }
  std::vector<std::byte> bytes;
};

class Reader {
 public:
  Reader(const std::string& path, std::span<const std::byte> bytes) : path_(path), bytes_(bytes) {}
  void need(std::size_t n, const char* what) const {
    if (n > bytes_.size() - pos_)
      fail("{}: truncated factors file: {} needs {} bytes at offset {}, only {} left", path_, what, n, pos_,
           bytes_.size() - pos_);
  }
  template <typename T>
  T scalar(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return byteswap_if_big(v);
  }
  std::span<const std::byte> raw(std::size_t n, const char* what) {
    need(n, what);
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  template <typename T>
  std::vector<T> array(const char* what, std::uint64_t expected) {
    auto n = scalar<std::uint64_t>(what);
    if (n != expected)
      fail("{}: factors array '{}' has {} elements, the header implies {}", path_, what, n, expected);
    if (n > (bytes_.size() - pos_) / sizeof(T))
      fail("{}: truncated factors file: array '{}' of {} elements runs past the end ({} bytes)", path_, what, n,
           bytes_.size());
    std::vector<T> v(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    for (T& x : v) x = byteswap_if_big(x);
    return v;
  }
  std::size_t pos() const { return pos_; }

 private:
  const std::string& path_;
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

std::uint32_t crc32_of(std::span<const std::byte> bytes) {
  return static_cast<std::uint32_t>(
      ::crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

nlohmann::json header_json(const FactorsData& d) {
  const FactorsParams& p = d.params;
  return {{"format", "granary lat-lon mapping factors"},
          {"version", kFactorsVersion},
          {"resolution", p.target.resolution},
          {"nlat", p.target.nlat},
          {"nlon", p.target.nlon},
          {"targets", p.target.size()},
          {"R_A_m", p.area_radius},
          {"R_E_m", p.ecef_radius},
          {"max_L_m", p.max_cell_length},
          {"RB_m", static_cast<std::int64_t>(p.radius_bound)},
          {"LB_m", static_cast<std::int64_t>(p.nearest_bound)},
          {"max_neighbours", p.max_neighbours},
          {"levels", p.levels},
          {"nx", p.nx},
          {"points", p.points},
          {"in_radius_pairs", d.neighbours.in_radius.size()},
          {"grid", {{"dir", p.grid_dir}, {"geometry_crc32", p.geometry_crc32}}},
          {"created_by", std::string("granary ") + GRANARY_VERSION}};
}

FactorsParams params_from_json(const std::string& path, const nlohmann::json& j) {
  try {
    FactorsParams p;
    // A crafted header may hold a float beyond int where an integer belongs (undefined for get<int>()).
    const auto integer = [&]<typename T>(const char* key, T) { return require_json_integer<T>(j.at(key), key); };
    p.target = TargetGrid::with_resolution(j.at("resolution").get<double>());
    const int nlat = integer("nlat", int{}), nlon = integer("nlon", int{});
    if (p.target.nlat != nlat || p.target.nlon != nlon)
      fail("nlat x nlon {} x {} do not match resolution {}", nlat, nlon, p.target.resolution);
    p.area_radius = j.at("R_A_m").get<double>();
    p.ecef_radius = j.at("R_E_m").get<double>();
    p.max_cell_length = j.at("max_L_m").get<double>();
    p.radius_bound = j.at("RB_m").get<double>();
    p.nearest_bound = j.at("LB_m").get<double>();
    p.max_neighbours = integer("max_neighbours", int{});
    p.levels = integer("levels", int{});
    p.nx = integer("nx", int{});
    p.points = integer("points", std::size_t{});
    p.grid_dir = j.at("grid").at("dir").get<std::string>();
    p.geometry_crc32 = j.at("grid").at("geometry_crc32").get<std::string>();
    if (p.levels < 1 || p.nx < 1 || p.max_neighbours < 1 ||
        p.points != static_cast<std::size_t>(13) * p.nx * p.nx ||
        p.points >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      fail("inconsistent sizes (levels {}, nx {}, points {}, max_neighbours {})", p.levels, p.nx, p.points,
           p.max_neighbours);
    return p;
  } catch (const nlohmann::json::exception& e) {
    fail("{}: bad factors JSON header: {}", path, e.what());
  } catch (const Error& e) {
    fail("{}: bad factors JSON header: {}", path, e.what());
  }
}

// Index ranges are checked once here so that applying a level never reads out of bounds.
void validate(const std::string& path, const FactorsData& d) {
  const Neighbours& nb = d.neighbours;
  const auto points = static_cast<std::int64_t>(d.params.points);
  for (std::int32_t n : nb.nearest)
    if (n < -1 || n >= points) fail("{}: corrupt factors: nearest point {} out of range [-1, {})", path, n, points);
  if (nb.offsets.front() != 0 || nb.offsets.back() != nb.in_radius.size())
    fail("{}: corrupt factors: offsets run from {} to {}, in_radius has {}", path, nb.offsets.front(),
         nb.offsets.back(), nb.in_radius.size());
  for (std::size_t t = 0; t + 1 < nb.offsets.size(); ++t)
    if (nb.offsets[t] > nb.offsets[t + 1]) fail("{}: corrupt factors: offsets decrease at target {}", path, t);
  for (std::uint32_t p : nb.in_radius)
    if (p >= points) fail("{}: corrupt factors: in-radius point {} out of range [0, {})", path, p, points);
}

}  // namespace

void write_factors_file(const std::string& path, const FactorsData& d) {
  Writer w;
  w.raw(kFactorsMagic, sizeof kFactorsMagic);
  w.scalar<std::uint32_t>(kFactorsVersion);
  std::string json = header_json(d).dump(1);
  w.scalar<std::uint32_t>(static_cast<std::uint32_t>(json.size()));
  w.raw(json.data(), json.size());
  w.array(d.neighbours.nearest);
  w.array(d.neighbours.offsets);
  w.array(d.neighbours.in_radius);
  w.array(d.wet_bits);
  w.scalar<std::uint32_t>(crc32_of(w.bytes));
  files::write_atomic(path, w.bytes);
}

FactorsData read_factors_file(const std::string& path) {
  const auto bytes = files::read_all(path);
  Reader r(path, bytes);
  auto magic = r.raw(sizeof kFactorsMagic, "magic");
  if (std::memcmp(magic.data(), kFactorsMagic, sizeof kFactorsMagic) != 0)
    fail("{}: not a granary factors file (bad magic; expected \"GRNYFACT\")", path);
  auto version = r.scalar<std::uint32_t>("version");
  if (version != kFactorsVersion)
    fail("{}: factors format version {}, this granary reads version {} (rebuild with `granary ecco factors`)",
         path, version, kFactorsVersion);
  auto json_size = r.scalar<std::uint32_t>("JSON header size");
  auto json_bytes = r.raw(json_size, "JSON header");
  require_json_depth(std::string_view(reinterpret_cast<const char*>(json_bytes.data()), json_size), path + " (JSON header)");
  nlohmann::json j = nlohmann::json::parse(reinterpret_cast<const char*>(json_bytes.data()),
                                           reinterpret_cast<const char*>(json_bytes.data()) + json_size, nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) fail("{}: bad factors JSON header (not a JSON object)", path);

  FactorsData d;
  d.params = params_from_json(path, j);
  const std::uint64_t targets = d.params.target.size();
  std::uint64_t pairs = 0;
  try {
    pairs = require_json_integer<std::uint64_t>(j.at("in_radius_pairs"), "in_radius_pairs");
  } catch (const nlohmann::json::exception& e) {
    fail("{}: bad factors JSON header: {}", path, e.what());
  }
  const std::uint64_t wet_bytes = static_cast<std::uint64_t>(d.params.levels) * d.wet_bytes_per_level();
  if (pairs > (std::uint64_t{1} << 40)) fail("{}: bad factors JSON header: {} in-radius pairs", path, pairs);
  // The sizes first (a clear "truncated" beats a checksum mismatch), then the checksum,
  // then the arrays.
  const std::uint64_t expected_size =
      r.pos() + 4 * 8 + 4 * targets + 4 * (targets + 1) + 4 * pairs + wet_bytes + 4;
  if (bytes.size() < expected_size)
    fail("{}: truncated factors file: {} bytes, the header describes {}", path, bytes.size(), expected_size);
  if (bytes.size() > expected_size)
    fail("{}: {} unexpected bytes after the factors data", path, bytes.size() - expected_size);
  const auto body = std::span(bytes).first(bytes.size() - 4);
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + body.size(), 4);
  if (crc32_of(body) != byteswap_if_big(stored_crc))
    fail("{}: factors checksum mismatch: the file is corrupted", path);
  d.neighbours.nearest = r.array<std::int32_t>("nearest", targets);
  d.neighbours.offsets = r.array<std::uint32_t>("offsets", targets + 1);
  d.neighbours.in_radius = r.array<std::uint32_t>("in_radius", pairs);
  d.wet_bits = r.array<std::uint8_t>("wet", wet_bytes);
  validate(path, d);
  return d;
}

}  // namespace granary::regrid
