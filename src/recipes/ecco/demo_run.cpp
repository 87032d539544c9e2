#include "recipes/ecco/demo_run.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "util/files.hpp"

namespace granary::ecco {

void write_demo_run_files(const std::string& out_dir, int nx) {
  const std::filesystem::path dir(out_dir);
  files::write_atomic(dir / "config.yaml", fmt::format(R"(# granary ECCO run configuration for the synthetic demo set.
# Relative paths are relative to this file.
ecco_version: V4r4
model_output_dir: model_output
processed_output_dir: products
mapping_factors: factors.bin
metadata_dir: metadata
grid_dir: grid
model_start_time: "1992-01-01T12:00:00"
model_end_time: "2017-12-31T12:00:00"
# Product strings copied into every granule.
grid_label_native: llc{:04d}
history: "Synthetic demo data written by granary ecco synth; not a real ECCO product."
source: "granary synthetic LLC{} demo grid and model output"
)",
                                                       nx, nx));
  files::write_atomic(dir / "jobs.txt", std::string(R"(# grouping,product,frequency,timesteps (N = the first N, all, or [t1, t2, ...])
# 'all' expands every grouping x frequency of both products, 3D groupings first.
all
done
Lines after 'done' are not read.
)"));
}

}  // namespace granary::ecco
