#pragma once
// The recipes engines can run (run/recipe.hpp), listed here explicitly: cli/ is the one
// layer that sees both recipes/ and run/, and a self-registering object in the static
// library would be dropped by the linker.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "run/recipe.hpp"

namespace granary::cli {

std::vector<std::string> recipe_names();
// Throws granary::Error for an unknown name, listing the known ones.
std::unique_ptr<run::Recipe> make_recipe(std::string_view name);

// The recipes' own constructors (each in its file).
std::unique_ptr<run::Recipe> make_ecco_recipe();
std::unique_ptr<run::Recipe> make_atl06_recipe();

// The ECCO recipe's parameters: the run config's text travels in them (a remote worker needs
// only the plan), with its path for relative locations and messages.
nlohmann::json ecco_plan_parameters(const std::string& config_path, bool overwrite, bool grid_mapping, bool need_factors);
// The ATL06 recipe's parameters: how granules are read (never the keys themselves).
struct GranuleCredentialOptions;
nlohmann::json atl06_plan_parameters(const GranuleCredentialOptions& credentials);

}  // namespace granary::cli
