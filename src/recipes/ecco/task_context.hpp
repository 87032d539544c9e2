#pragma once
// What every ECCO product task of a run shares, loaded once per process (before workers
// are forked, so they share it copy-on-write): the config, product strings, metadata,
// the model grid with its masks, cell corners for native products, and mapping factors.
#include <optional>

#include "grids/llc/cell_corners.hpp"
#include "grids/llc/grid.hpp"
#include "ops/regrid/factors.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/metadata.hpp"
#include "recipes/ecco/product_strings.hpp"

namespace granary::ecco {

class TaskContext {
 public:
  RunConfig config;
  ProductStrings strings;
  ModelClock clock;
  Metadata metadata;
  llc::Grid grid;
  llc::CellCorners corners;
  std::optional<regrid::Factors> factors;  // present when lat-lon tasks may run
};

}  // namespace granary::ecco
