// A plan directory (run/plan.cpp), as `granary work --index 0`, the Lambda handler and
// `granary report` read it: plan.json, then unit 0, then the results. Input: up to the first
// NUL is plan.json, up to the second is units/000000.json, the rest is one job's result.
#include <filesystem>

#include "fuzz_input.hpp"
#include "io/file_store.hpp"
#include "run/plan.hpp"
#include "scratch_dir.hpp"

namespace {
std::filesystem::path dir;

std::string_view next_part(std::string_view& rest) {
  const auto nul = rest.find('\0');
  const auto part = rest.substr(0, nul);
  rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  return part;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dir = granary::fuzz::scratch_dir("plan");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::filesystem::remove_all(dir / "p");
  fuzz::write_file(dir / "p" / "plan.json", next_part(rest));
  fuzz::write_file(dir / "p" / "units" / "000000.json", next_part(rest));
  fuzz::write_file(dir / "p" / "results" / "job-0.json", rest);
  const io::FileStore store(dir / "p");
  fuzz::input_errors_only([&] {
    const auto header = run::read_plan(store);
    const auto jobs = run::read_unit(store, 0);
    const auto results = run::read_results_of_jobs(store, jobs, run::recorded_results(store));
    for (const auto& [id, result] : results) (void)run::is_done(result);
    (void)run::read_all_jobs(store, header);
  });
  return 0;
}
