#pragma once
// Which timesteps a job can run: the model writes one file per field and timestep,
//   {model_output_dir}/{diags_monthly|diags_daily|diags_inst}/{FIELD}_{suffix}/
//       {FIELD}_{suffix}.{10-digit timestep}.data
// and a product needs every input field of its grouping at that timestep. Timesteps that
// only some fields have are reported (naming the fields and what they lack) and skipped;
// a field with no files at all makes the whole job fail to plan. model_output_dir is a local
// directory (listed in place) or an s3:// prefix (listed with ListObjectsV2).
#include <cstdint>
#include <string>
#include <vector>

#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/jobs_file.hpp"
#include "recipes/ecco/product_task.hpp"

namespace granary::ecco {

struct FieldTimesteps {
  std::string field;
  std::string directory;                 // where its files were looked for (path or s3:// URI)
  std::vector<std::int64_t> timesteps;   // sorted, unique
  std::size_t ignored_files = 0;         // *.data files not named {FIELD}_{suffix}.NNNNNNNNNN.data
};

// Lists one field's timesteps (empty when the directory is missing or holds no files).
FieldTimesteps list_field_timesteps(const std::string& model_output_dir, const std::string& field,
                                    Frequency frequency);

struct FieldMismatch {
  std::string field;
  std::vector<std::int64_t> missing;     // timesteps other input fields have but this one lacks
};

struct TimestepDiscovery {
  std::vector<FieldTimesteps> fields;    // one per input field, in Grouping::input_fields() order
  std::vector<std::int64_t> common;      // present for every input field (runnable)
  std::vector<std::int64_t> skipped;     // present for some fields only
  std::vector<FieldMismatch> mismatches; // the fields that lack some of the skipped timesteps
  std::vector<std::string> empty_fields; // fields with no files at all
};

// Lists every input field of the grouping and compares their timestep lists.
TimestepDiscovery discover_timesteps(const std::string& model_output_dir, const Grouping& grouping,
                                     Frequency frequency);

// A job resolved against the files on disk: its tasks (one per timestep, ascending), the
// warnings to show (mismatched fields, fewer timesteps than asked) and, when the job cannot
// run at all, the reason (tasks is then empty).
struct JobPlan {
  Job job;
  std::string grouping_name;
  std::vector<ProductTask> tasks;
  std::vector<std::string> warnings;
  std::string error;
  bool ok() const { return error.empty(); }
};

JobPlan plan_job(const Job& job, const std::vector<Grouping>& groupings,
                 const std::string& model_output_dir);

// "732, 1428, 2172, ... (40 in all)": a short, readable list of timesteps.
std::string describe_timesteps(const std::vector<std::int64_t>& timesteps, std::size_t show = 6);

}  // namespace granary::ecco
