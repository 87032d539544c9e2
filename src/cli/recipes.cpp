#include "cli/recipes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.hpp"

namespace granary::cli {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<run::Recipe> (*make)();
};

constexpr Entry kRecipes[] = {
    {"ecco", make_ecco_recipe},
    {"atl06", make_atl06_recipe},
};

}  // namespace

std::vector<std::string> recipe_names() {
  std::vector<std::string> out;
  for (const auto& e : kRecipes) out.emplace_back(e.name);
  return out;
}

std::unique_ptr<run::Recipe> make_recipe(std::string_view name) {
  for (const auto& e : kRecipes)
    if (name == e.name) return e.make();
  fail("unknown recipe '{}' (known: {})", name, fmt::join(recipe_names(), ", "));
}

}  // namespace granary::cli
