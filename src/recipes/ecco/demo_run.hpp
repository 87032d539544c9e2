#pragma once
// The run files of the demo set made by `granary ecco synth`: a config.yaml whose paths
// are relative to it (grid/, model_output/, metadata/, factors.bin, products/) and a
// jobs.txt that runs every grouping x frequency, so the demo is two commands away from
// products: `granary ecco factors` then `granary ecco run`.
#include <string>

namespace granary::ecco {

void write_demo_run_files(const std::string& out_dir, int nx);

}  // namespace granary::ecco
