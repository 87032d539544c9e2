#pragma once
// A plan's state and its run report, from what the engines left in it: every job of the plan
// with its latest result (the plan's own, then each retry-<n>'s in order), jobs without one
// as MISSING (the unit did not run, or its worker died before the job finished).
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/store.hpp"
#include "run/plan.hpp"
#include "run/recipe.hpp"

namespace granary::run {

struct PlanState {
  PlanHeader header;
  std::vector<PlannedJob> jobs;
  std::vector<std::size_t> unit_of;        // per job
  std::vector<nlohmann::json> results;     // per job: the latest result, or null
  std::vector<int> attempts;               // per job: how many plans ran it (0: none reported)
  std::vector<std::string> retries;        // retry-<n> plan names found
  nlohmann::json job_errors = nlohmann::json::array();    // [[key, reason]] from planning
  nlohmann::json job_warnings = nlohmann::json::array();  // [[key, text]]
  // Why a unit's engine task ended without results, from what the engine captured in logs/
  // (Slurm: slurm-<job>_<unit>.err of the unit's latest job): by unit.
  std::map<std::size_t, std::string> unit_log_reasons;
};

// The reason a Slurm task's stderr gives for its end (cancelled, time limit, out of memory,
// node failure), or "" when it names none: the last such line.
std::string slurm_end_reason(const std::string& stderr_text);

PlanState read_plan_state(const io::Store& dir);

// The plan a retry plan came from: "<plan>/retry-<n>" (trailing slashes allowed) -> "<plan>";
// any other text as it is.
std::string top_plan(const std::string& plan_uri);

// The run report (run/report.hpp) of a plan: one task per job; the rerun command is
// `granary retry <plan>`; the recipe (may be null) adds its retry lines and context.
nlohmann::json plan_report(const io::Store& dir, const PlanState& state, const Recipe* recipe);

}  // namespace granary::run
