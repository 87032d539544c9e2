#include "recipes/atl06/cell_index.hpp"

namespace granary::atl06 {

std::string_view morton_form_name(MortonForm f) { return f == MortonForm::Packed ? "packed" : "legacy"; }

std::optional<MortonForm> parse_morton_form(std::string_view token) {
  if (token == "legacy") return MortonForm::Legacy;
  if (token == "packed") return MortonForm::Packed;
  return std::nullopt;
}

}  // namespace granary::atl06
