#include "recipes/ecco/timesteps.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "formats/mds/meta.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

std::string describe_timesteps(const std::vector<std::int64_t>& timesteps, std::size_t show) {
  if (timesteps.size() <= show) return fmt::format("{}", fmt::join(timesteps, ", "));
  std::vector<std::int64_t> head(timesteps.begin(), timesteps.begin() + static_cast<std::ptrdiff_t>(show));
  return fmt::format("{}, ... ({} in all)", fmt::join(head, ", "), timesteps.size());
}

FieldTimesteps list_field_timesteps(const fs::path& model_output_dir, const std::string& field,
                                    Frequency frequency) {
  auto layout = layout_of(frequency);
  const std::string stem = field + "_" + layout.suffix;
  FieldTimesteps result;
  result.field = field;
  result.directory = model_output_dir / layout.directory / stem;
  std::error_code ec;
  if (!fs::is_directory(result.directory, ec)) return result;
  for (const auto& entry : fs::directory_iterator(result.directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".data") continue;
    auto timestep = mds::timestep_from_name(name);
    // Exactly "{stem}.NNNNNNNNNN.data": another field's file dropped here is not ours.
    if (!timestep || name.size() != stem.size() + 16 || name.compare(0, stem.size() + 1, stem + ".") != 0) {
      ++result.ignored_files;
      continue;
    }
    result.timesteps.push_back(*timestep);
  }
  if (ec) fail("{}: cannot list directory ({})", result.directory.string(), ec.message());
  std::sort(result.timesteps.begin(), result.timesteps.end());
  result.timesteps.erase(std::unique(result.timesteps.begin(), result.timesteps.end()), result.timesteps.end());
  return result;
}

TimestepDiscovery discover_timesteps(const fs::path& model_output_dir, const Grouping& grouping,
                                     Frequency frequency) {
  TimestepDiscovery d;
  std::set<std::int64_t> all;
  for (const auto& field : grouping.input_fields()) {
    d.fields.push_back(list_field_timesteps(model_output_dir, field, frequency));
    const auto& ts = d.fields.back().timesteps;
    if (ts.empty()) d.empty_fields.push_back(field);
    all.insert(ts.begin(), ts.end());
  }
  std::vector<std::int64_t> union_list(all.begin(), all.end());
  // Empty fields are an error of their own; they would only hide the other differences.
  d.common = union_list;
  for (const auto& f : d.fields) {
    if (f.timesteps.empty()) continue;
    std::vector<std::int64_t> missing, kept;
    std::set_difference(union_list.begin(), union_list.end(), f.timesteps.begin(), f.timesteps.end(),
                        std::back_inserter(missing));
    if (!missing.empty()) d.mismatches.push_back({f.field, std::move(missing)});
    std::set_intersection(d.common.begin(), d.common.end(), f.timesteps.begin(), f.timesteps.end(),
                          std::back_inserter(kept));
    d.common = std::move(kept);
  }
  if (!d.empty_fields.empty()) d.common.clear();
  std::set_difference(union_list.begin(), union_list.end(), d.common.begin(), d.common.end(),
                      std::back_inserter(d.skipped));
  return d;
}

JobPlan plan_job(const Job& job, const std::vector<Grouping>& groupings, const fs::path& model_output_dir) {
  JobPlan plan;
  plan.job = job;
  const Grouping* grouping = find_grouping(groupings, job.product, job.grouping);
  const std::string label = job.to_line();
  if (!grouping) {
    plan.error = fmt::format("job {}: unknown {} grouping {}", label, to_string(job.product), job.grouping);
    return plan;
  }
  plan.grouping_name = grouping->name;
  auto d = discover_timesteps(model_output_dir, *grouping, job.frequency);

  if (!d.empty_fields.empty()) {
    std::vector<std::string> where;
    for (const auto& f : d.fields)
      if (f.timesteps.empty()) where.push_back(f.directory.string() + "/*.data");
    plan.error = fmt::format("job {} ('{}'): no model output for field(s) {} (looked for {})", label,
                             grouping->name, fmt::join(d.empty_fields, ", "), fmt::join(where, ", "));
    return plan;
  }
  for (const auto& f : d.fields)
    if (f.ignored_files)
      plan.warnings.push_back(fmt::format("job {}: ignored {} file(s) in {} not named {}_{}.NNNNNNNNNN.data", label,
                                          f.ignored_files, f.directory.string(), f.field,
                                          layout_of(job.frequency).suffix));
  if (!d.mismatches.empty()) {
    std::vector<std::string> parts;
    for (const auto& m : d.mismatches)
      parts.push_back(fmt::format("{} lacks {}", m.field, describe_timesteps(m.missing)));
    plan.warnings.push_back(fmt::format(
        "job {} ('{}'): input fields have different timesteps: {}; skipping {} timestep(s) not present for every "
        "field ({})",
        label, grouping->name, fmt::join(parts, "; "), d.skipped.size(), describe_timesteps(d.skipped)));
  }

  std::vector<std::int64_t> chosen;
  const auto& sel = job.timesteps;
  switch (sel.kind) {
    case TimestepSelection::Kind::All:
      chosen = d.common;
      break;
    case TimestepSelection::Kind::First:
      chosen.assign(d.common.begin(), d.common.begin() + static_cast<std::ptrdiff_t>(
                                                             std::min(sel.first, d.common.size())));
      if (sel.first > d.common.size())
        plan.warnings.push_back(fmt::format("job {}: asked for the first {} timesteps, only {} available", label,
                                            sel.first, d.common.size()));
      break;
    case TimestepSelection::Kind::List: {
      std::vector<std::int64_t> unavailable;
      std::set_difference(sel.list.begin(), sel.list.end(), d.common.begin(), d.common.end(),
                          std::back_inserter(unavailable));
      if (!unavailable.empty()) {
        plan.error = fmt::format("job {} ('{}'): timestep(s) {} not available for every input field in {}", label,
                                 grouping->name, describe_timesteps(unavailable),
                                 (model_output_dir / layout_of(job.frequency).directory).string());
        return plan;
      }
      chosen = sel.list;
      break;
    }
  }
  if (chosen.empty()) {
    plan.error = fmt::format("job {} ('{}'): no timestep has files for every input field", label, grouping->name);
    return plan;
  }
  for (auto t : chosen) plan.tasks.push_back(ProductTask{job.grouping, job.product, job.frequency, t});
  return plan;
}

}  // namespace granary::ecco
