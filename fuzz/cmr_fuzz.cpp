// A CMR granules.umm_json page (recipes/atl06/cmr.cpp), and the granule names in it.
#include "fuzz_input.hpp"
#include "recipes/atl06/cmr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string body = fuzz::text_of(data, size);
  fuzz::input_errors_only([&] {
    for (const auto& g : atl06::parse_umm_page(body, "fuzz/granules.umm_json")) (void)g;
  });
  fuzz::input_errors_only([&] { atl06::parse_atl06_name(body); });
  return 0;
}
