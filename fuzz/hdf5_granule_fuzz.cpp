// An ATL06 granule (recipes/atl06/granule.cpp, formats/hdf5/column.cpp): libhdf5 describes
// the file, granary decodes its chunks. libhdf5 itself is known to crash on crafted files;
// scripts/fuzz.sh runs this harness with -fork so such crashes are recorded, and granary
// confines them to the job's worker process (docs/reliability.md).
#include <filesystem>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "recipes/atl06/granule.hpp"
#include "scratch_dir.hpp"

namespace {
std::filesystem::path file;

void read_column(const granary::hdf5::Column& c) {
  std::vector<std::byte> out;
  // The first chunks and the last: enough to decode every filter pipeline the file declares.
  const std::uint64_t n = c.chunk_count();
  for (std::uint64_t k = 0; k < n && k < 4; ++k) c.read_chunk(k, out);
  if (n > 4) c.read_chunk(n - 1, out);
  if (n > 0) {
    std::vector<std::byte> first(c.type().size);
    c.read_first(0, first);
  }
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  file = granary::fuzz::scratch_dir("hdf5") / "ATL06_20190101000000_00010201_006_01.h5";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  fuzz::write_file(file, std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::input_errors_only([&] {
    const auto granule = atl06::open_granule(file.string(), {.values = true, .delta_time = true});
    for (const auto& beam : granule.beams) {
      read_column(beam.latitude);
      read_column(beam.longitude);
      for (const auto* c : {&beam.h_li, &beam.h_li_sigma, &beam.quality, &beam.delta_time})
        if (*c) read_column(**c);
    }
  });
  return 0;
}
