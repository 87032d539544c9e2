#pragma once
// One unit of ECCO work: a grouping x product x frequency x ONE timestep -> one netCDF file.
// A job (`grouping,product,frequency,timesteps` in jobs.txt) expands into such tasks.
// Tasks are independent and idempotent: the output appears atomically, and a task whose
// output already exists is skipped, so any run can be killed and resumed.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "recipes/ecco/grouping.hpp"

namespace granary::ecco {

struct ProductTask {
  int grouping = 0;
  Product product = Product::Latlon;
  Frequency frequency = Frequency::AvgMon;
  std::int64_t timestep = 0;
  nlohmann::json to_json() const;
  static ProductTask from_json(const nlohmann::json& j);
};

struct RunConfig;      // recipes/ecco/config.hpp
class TaskContext;     // everything loaded once per process: grid, factors, metadata

// Loads the grid, metadata and (when a lat-lon task may run) the mapping factors once.
std::shared_ptr<const TaskContext> make_task_context(const RunConfig& config, bool need_factors);

// Runs one task. Never throws for bad input: returns
// {"status": "SUCCESS"|"FAILED"|"SKIP", "task": {...}, "output": path, "sha256", "bytes",
//  "durations": {"read": s, "transform": s, "write": s}, "error": message, "peak_rss_bytes"}.
nlohmann::json run_product_task(const TaskContext& ctx, const ProductTask& task, bool overwrite = false);

}  // namespace granary::ecco
