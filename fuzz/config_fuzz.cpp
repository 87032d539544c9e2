// The ECCO run config (recipes/ecco/config.cpp): YAML through yaml-cpp, then granary's keys.
#include "fuzz_input.hpp"
#include "recipes/ecco/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string text = fuzz::text_of(data, size);
  fuzz::input_errors_only([&] { ecco::parse_run_config(text, "/fuzz/config.yaml"); });
  return 0;
}
