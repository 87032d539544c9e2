// ECCO jobs.txt (recipes/ecco/jobs_file.cpp), checked against the demo metadata's groupings.
#include <cstdlib>
#include <filesystem>

#include "fuzz_input.hpp"
#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/jobs_file.hpp"
#include "recipes/ecco/metadata.hpp"

namespace {
std::vector<granary::ecco::Grouping> groupings;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace granary;
  const auto dir = std::filesystem::temp_directory_path() / ("granary-jobs-fuzz-" + std::to_string(::getpid()));
  ecco::write_demo_metadata(dir);
  const auto metadata = ecco::Metadata::load(dir.string());
  for (auto p : {ecco::Product::Native, ecco::Product::Latlon})
    for (const auto& g : metadata.groupings(p)) groupings.push_back(g);
  std::filesystem::remove_all(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string text = fuzz::text_of(data, size);
  fuzz::input_errors_only([&] {
    const auto jobs = ecco::parse_jobs(text, "fuzz/jobs.txt", groupings);
    // What a plan does next with them: written back as text, which must parse to the same jobs.
    const auto again = ecco::parse_jobs(ecco::format_jobs(jobs, groupings), "formatted", groupings);
    if (again.size() != jobs.size()) std::abort();
  });
  return 0;
}
