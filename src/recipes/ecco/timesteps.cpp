#include "recipes/ecco/timesteps.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "formats/mds/meta.hpp"
#include "io/store.hpp"
#include "recipes/ecco/locations.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

std::string describe_timesteps(const std::vector<std::int64_t>& timesteps, std::size_t show) {
  if (timesteps.size() <= show) return fmt::format("{}", fmt::join(timesteps, ", "));
  std::vector<std::int64_t> head(timesteps.begin(), timesteps.begin() + static_cast<std::ptrdiff_t>(show));
  return fmt::format("{}, ... ({} in all)", fmt::join(head, ", "), timesteps.size());
}

namespace {

// Whether `name` (a file name in the field's directory) is one of its records: exactly
// "{stem}.NNNNNNNNNN.data" (another field's file dropped there is not ours).
std::optional<std::int64_t> record_timestep(const std::string& name, const std::string& stem) {
  auto timestep = mds::timestep_from_name(name);
  if (!timestep || name.size() != stem.size() + 16 || name.compare(0, stem.size() + 1, stem + ".") != 0)
    return std::nullopt;
  return timestep;
}

bool is_data_file(const std::string& name) {
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".data") == 0;
}

void list_local(FieldTimesteps& result, const std::string& stem) {
  std::error_code ec;
  if (!fs::is_directory(result.directory, ec)) return;
  for (const auto& entry : fs::directory_iterator(result.directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".data") continue;
    if (auto timestep = record_timestep(name, stem)) result.timesteps.push_back(*timestep);
    else ++result.ignored_files;
  }
  if (ec) fail("{}: cannot list directory ({})", result.directory, ec.message());
}

// One paginated listing of the field's "folder"; objects in deeper "folders" are not its records.
void list_remote(FieldTimesteps& result, const std::string& stem) {
  auto store = io::open_store(result.directory);
  for (const auto& object : store->list("")) {
    if (object.key.find('/') != std::string::npos || !is_data_file(object.key)) continue;
    if (auto timestep = record_timestep(object.key, stem)) result.timesteps.push_back(*timestep);
    else ++result.ignored_files;
  }
}

}  // namespace

FieldTimesteps list_field_timesteps(const std::string& model_output_dir, const std::string& field,
                                    Frequency frequency) {
  auto layout = layout_of(frequency);
  const std::string stem = field + "_" + layout.suffix;
  FieldTimesteps result;
  result.field = field;
  result.directory = join_uri(join_uri(model_output_dir, layout.directory), stem);
  if (is_remote(result.directory)) list_remote(result, stem);
  else list_local(result, stem);
  std::sort(result.timesteps.begin(), result.timesteps.end());
  result.timesteps.erase(std::unique(result.timesteps.begin(), result.timesteps.end()), result.timesteps.end());
  return result;
}

TimestepDiscovery discover_timesteps(const std::string& model_output_dir, const Grouping& grouping,
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

JobPlan plan_job(const Job& job, const std::vector<Grouping>& groupings, const std::string& model_output_dir) {
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
      if (f.timesteps.empty()) where.push_back(f.directory + "/*.data");
    plan.error = fmt::format("job {} ('{}'): no model output for field(s) {} (looked for {})", label,
                             grouping->name, fmt::join(d.empty_fields, ", "), fmt::join(where, ", "));
    return plan;
  }
  for (const auto& f : d.fields)
    if (f.ignored_files)
      plan.warnings.push_back(fmt::format("job {}: ignored {} file(s) in {} not named {}_{}.NNNNNNNNNN.data", label,
                                          f.ignored_files, f.directory, f.field,
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
                                 join_uri(model_output_dir, layout_of(job.frequency).directory));
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
