// ATL06's JSON inputs: the Lambda event (magg's cell event, a plan unit's event) and the
// granule catalog (recipes/atl06/cell_job.cpp, run/lambda_event.cpp, recipes/atl06/catalog.cpp).
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "recipes/atl06/catalog.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "run/lambda_event.hpp"
#include "util/json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string text = fuzz::text_of(data, size);
  fuzz::input_errors_only([&] { atl06::parse_catalog(text, "fuzz/catalog.json"); });
  // As `granary lambda` reads an event: the depth bound, then the parser.
  if (json_too_deep_at(text) != std::string::npos) return 0;
  const auto event = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return 0;
  fuzz::input_errors_only([&] { atl06::parse_cell_event(event); });
  fuzz::input_errors_only([&] { run::lambda::parse_unit_event(event); });
  return 0;
}
