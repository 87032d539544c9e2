// The MDS .meta parser (formats/mds/meta.cpp): text written by MITgcm, or by anyone.
#include "formats/mds/meta.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string text = fuzz::text_of(data, size);
  fuzz::input_errors_only([&] { mds::parse_meta(text, "fuzz/SSH.0000000732.meta"); });
  fuzz::input_errors_only([&] { mds::timestep_from_name(text); });
  return 0;
}
