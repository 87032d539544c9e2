#pragma once
// --latitude and --morton-form, shared by atl06 cell, run and catalog: the cell index of
// recipes/atl06/cell_index.hpp, as the tokens events and plans carry.
#include <string>

#include <CLI/CLI.hpp>

#include "recipes/atl06/cell_index.hpp"

namespace granary::cli {

void add_latitude_option(CLI::App& cmd, std::string& latitude);
void add_morton_form_option(CLI::App& cmd, std::string& morton_form);

// The tokens, checked by the options already.
atl06::CellIndex cell_index_of(const std::string& latitude, const std::string& morton_form);

}  // namespace granary::cli
