// ATL06 behind run::Recipe: one payload = one parent cell's event (magg's, with granary's
// keys: recipes/atl06/cell_job.hpp). Parameters: {"granule_credentials": {"source", "url"}}.
// Keys are never written into a plan: with "earthdata", each process that hands out jobs
// fetches them once (prepare) and gives every job fresh ones (prepare_payload), or every
// engine event (handout: `submit lambda`).
#include <algorithm>
#include <memory>

#include <tbb/global_control.h>

#include "cli/granule_credentials.hpp"
#include "cli/recipes.hpp"
#include "recipes/atl06/cell_job.hpp"

namespace granary::cli {
namespace {

using nlohmann::json;

class Atl06Recipe final : public run::Recipe {
 public:
  std::string name() const override { return "atl06"; }

  void prepare(const json& p) override {
    // An engine that hands each event fresh keys (the Lambda orchestrator): never fetch our own.
    if (const auto h = p.value("handed_out", json::array()); std::find(h.begin(), h.end(), "s3_credentials") != h.end()) {
      keys_.reset();
      return;
    }
    const json c = p.value("granule_credentials", json::object());
    GranuleCredentialOptions options;
    options.source = c.value("source", "chain");
    options.url = c.value("url", "");
    keys_ = granule_credentials(options);
  }

  json prepare_payload(const json& payload) const override {
    return keys_ ? with_granule_credentials(payload, *keys_) : payload;
  }

  // magg's contract: the keys travel in each event's "s3_credentials" (Lambda's too).
  json handout() const override {
    if (!keys_) return json::object();
    return {{"s3_credentials", with_granule_credentials(json::object(), *keys_)["s3_credentials"]}};
  }

  json run(const json& payload, const run::JobContext& job) const override {
    std::unique_ptr<tbb::global_control> threads;
    if (job.threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, job.threads);
    return atl06::run_cell_job(atl06::parse_cell_event(payload));
  }

 private:
  std::shared_ptr<io::s3::CredentialProvider> keys_;
};

}  // namespace

std::unique_ptr<run::Recipe> make_atl06_recipe() { return std::make_unique<Atl06Recipe>(); }

json atl06_plan_parameters(const GranuleCredentialOptions& credentials) {
  return {{"granule_credentials", {{"source", credentials.source}, {"url", credentials.url}}}};
}

}  // namespace granary::cli
