#include "recipes/atl06/cell_index.hpp"

#include <cstring>

#include "grids/healpix/morton.hpp"
#include "grids/healpix/packed_morton.hpp"
#include "util/error.hpp"

namespace granary::atl06 {

std::string_view morton_form_name(MortonForm f) { return f == MortonForm::Packed ? "packed" : "legacy"; }

std::optional<MortonForm> parse_morton_form(std::string_view token) {
  if (token == "legacy") return MortonForm::Legacy;
  if (token == "packed") return MortonForm::Packed;
  return std::nullopt;
}

namespace {

using nlohmann::json;

healpix::LatitudeConvention latitude_token(const json& v, const char* where) {
  const auto c = v.is_string() ? healpix::parse_latitude(v.get<std::string>()) : std::nullopt;
  if (!c) fail("{} is {}, expected \"geodetic-spherical\" or \"authalic-wgs84\"", where, v.dump());
  return *c;
}

bool has_ellipsoid(const json& attrs) {
  return attrs.is_object() && attrs.contains("ellipsoid") && !attrs["ellipsoid"].is_null() &&
         !(attrs["ellipsoid"].is_string() && attrs["ellipsoid"] == "sphere");
}

}  // namespace

CellIndex declared_cell_index(const json& group, const json& cell_ids) {
  CellIndex out;
  const json empty = json::object();
  const json& granary = group.is_object() && group.contains("granary") && group["granary"].is_object() ? group["granary"] : empty;
  const json& dggs = group.is_object() && group.contains("dggs") && group["dggs"].is_object() ? group["dggs"] : empty;
  if (granary.contains("morton_form")) {
    const auto f = granary["morton_form"].is_string() ? parse_morton_form(granary["morton_form"].get<std::string>()) : std::nullopt;
    if (!f) fail("granary.morton_form is {}, expected \"legacy\" or \"packed\"", granary["morton_form"].dump());
    out.morton_form = *f;
  } else if (dggs.value("name", json()) == "morton") {
    out.morton_form = MortonForm::Packed;
  }
  if (granary.contains("latitude")) out.latitude = latitude_token(granary["latitude"], "granary.latitude");
  else if (dggs.contains("latitude")) out.latitude = latitude_token(dggs["latitude"], "dggs.latitude");
  else if (has_ellipsoid(dggs) || has_ellipsoid(cell_ids)) out.latitude = healpix::LatitudeConvention::AuthalicWgs84;
  return out;
}

std::vector<std::int64_t> nested_from_morton(std::span<const std::byte> raw, MortonForm form, int order) {
  std::vector<std::int64_t> out(raw.size() / 8, -1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (form == MortonForm::Packed) {
      std::uint64_t w;
      std::memcpy(&w, raw.data() + 8 * i, 8);
      if (w == 0 || !healpix::is_valid_packed(w)) continue;  // 0: the fill value, mortie's null word
      const auto cell = healpix::packed_to_nest(w);
      if (cell.order == order && !cell.point) out[i] = cell.nest;
    } else {
      std::int64_t m;
      std::memcpy(&m, raw.data() + 8 * i, 8);
      if (m == 0 || !healpix::is_valid_morton(m)) continue;
      const auto cell = healpix::morton_to_nest(m);
      if (cell.order == order) out[i] = cell.nest;
    }
  }
  return out;
}

}  // namespace granary::atl06
