#include "cli/cell_index_options.hpp"

#include "util/error.hpp"

namespace granary::cli {

void add_latitude_option(CLI::App& cmd, std::string& latitude) {
  cmd.add_option("--latitude", latitude,
                 "Latitude fed to HEALPix: geodetic-spherical (geodetic as spherical, magg's legacy cells) or "
                 "authalic-wgs84 (authalic on WGS84: cells equal-area on the ellipsoid, mortie 1.x's default). "
                 "The two are different cells and never mix in one store or catalog")
      ->check(CLI::IsMember({"geodetic-spherical", "authalic-wgs84"}))
      ->capture_default_str();
}

void add_morton_form_option(CLI::App& cmd, std::string& morton_form) {
  cmd.add_option("--morton-form", morton_form,
                 "The store's morton coordinate: legacy (int64 decimal index, magg) or packed (uint64 word, mortie 1.x, "
                 "declared with the morton-dggs convention)")
      ->check(CLI::IsMember({"legacy", "packed"}))
      ->capture_default_str();
}

atl06::CellIndex cell_index_of(const std::string& latitude, const std::string& morton_form) {
  const auto c = healpix::parse_latitude(latitude);
  const auto f = atl06::parse_morton_form(morton_form);
  if (!c) fail("--latitude {}: expected geodetic-spherical or authalic-wgs84", latitude);
  if (!f) fail("--morton-form {}: expected legacy or packed", morton_form);
  return {*c, *f};
}

}  // namespace granary::cli
