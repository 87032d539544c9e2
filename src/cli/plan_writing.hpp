#pragma once
// What every `granary plan <recipe>` does once it has its jobs: split them into units, write
// the plan (stamped with its creation time) and tell the user how to run it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "run/plan.hpp"

namespace granary::cli {

// `what` names the jobs in the message ("cell(s)"), `output` where they write.
void write_and_announce_plan(const std::string& plan_uri, run::PlanHeader header, const std::vector<run::PlannedJob>& jobs,
                             std::optional<std::size_t> units, std::optional<std::size_t> jobs_per_unit,
                             const std::string& what, const std::string& output);

}  // namespace granary::cli
