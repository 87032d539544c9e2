// ECCO behind run::Recipe: one payload = one product task (grouping x product x frequency x
// timestep). Parameters: {"config_yaml", "config_source" (for relative paths and messages),
// "overwrite", "grid_mapping", "need_factors"}; the config travels inside the plan, so a
// worker on another machine needs only the plan (its locations then must be s3:// or shared).
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/recipes.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/product_task.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;

class EccoRecipe final : public run::Recipe {
 public:
  std::string name() const override { return "ecco"; }

  void prepare(const json& p) override {
    if (!p.contains("config_yaml") || !p["config_yaml"].is_string()) fail("ecco plan: parameters have no config_yaml");
    auto config = ecco::parse_run_config(p["config_yaml"].get<std::string>(), p.value("config_source", "config.yaml"));
    config.grid_mapping |= p.value("grid_mapping", false);
    overwrite_ = p.value("overwrite", false);
    // Loaded once here, shared copy-on-write by every forked worker.
    context_ = ecco::make_task_context(config, p.value("need_factors", true));
  }

  json run(const json& payload, const run::JobContext&) const override {
    if (!context_) fail("ecco: run before prepare");
    return ecco::run_product_task(*context_, ecco::ProductTask::from_json(payload), overwrite_);
  }

  // jobs.txt lines, one per grouping/product/frequency with its failed timesteps.
  run::RetryHint retry_hint(const std::vector<json>& failed) const override {
    std::map<std::string, std::vector<std::int64_t>> by_job;
    for (const auto& t : failed) {
      if (!t.contains("timestep")) continue;
      by_job[fmt::format("{},{},{}", t.value("grouping", 0), t.value("product", ""), t.value("frequency", ""))].push_back(
          t["timestep"].get<std::int64_t>());
    }
    run::RetryHint hint;
    if (by_job.empty()) return hint;
    hint.heading = "or run just the failed timesteps, with a jobs file of these lines:";
    for (auto& [job, steps] : by_job) {
      std::sort(steps.begin(), steps.end());
      hint.lines.push_back(fmt::format("{},[{}]", job, fmt::join(steps, ", ")));
    }
    return hint;
  }

 private:
  bool overwrite_ = false;
  std::shared_ptr<const ecco::TaskContext> context_;
};

}  // namespace

std::unique_ptr<run::Recipe> make_ecco_recipe() { return std::make_unique<EccoRecipe>(); }

json ecco_plan_parameters(const std::string& config_path, bool overwrite, bool grid_mapping, bool need_factors) {
  return {{"config_yaml", files::read_text(config_path)},
          {"config_source", std::filesystem::absolute(config_path).string()},
          {"overwrite", overwrite},
          {"grid_mapping", grid_mapping},
          {"need_factors", need_factors}};
}

}  // namespace granary::cli
