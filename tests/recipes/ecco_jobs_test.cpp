// jobs.txt parsing, timestep discovery and the run config of the ECCO recipe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "recipes/ecco/config.hpp"
#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/jobs_file.hpp"
#include "recipes/ecco/timesteps.hpp"
#include "support/test_support.hpp"
#include "util/endian.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace {
namespace fs = std::filesystem;

Grouping make_grouping(int index, Product product, std::string name, std::string dimension,
                       std::vector<std::string> fields, std::vector<Frequency> frequencies) {
  Grouping g;
  g.index = index;
  g.product = product;
  g.name = std::move(name);
  g.filename = "GROUPING_" + std::to_string(index);
  g.dimension = std::move(dimension);
  g.fields = std::move(fields);
  g.frequencies = std::move(frequencies);
  return g;
}

std::vector<Grouping> sample_groupings() {
  using F = Frequency;
  return {
      make_grouping(0, Product::Latlon, "dynamic sea surface height", "2D", {"SSH", "SSHIBC"},
                    {F::AvgDay, F::AvgMon}),
      make_grouping(1, Product::Latlon, "ocean temperature and salinity", "3D", {"THETA", "SALT"},
                    {F::AvgDay, F::AvgMon}),
      make_grouping(0, Product::Native, "dynamic sea surface height", "2D", {"SSH"},
                    {F::AvgDay, F::AvgMon, F::Snap}),
      make_grouping(1, Product::Native, "ocean velocity", "3D", {"UVEL", "VVEL"}, {F::AvgMon}),
  };
}

using test::error_of;
using testing::HasSubstr;

// ---- jobs.txt ---------------------------------------------------------------------------

TEST(EccoJobsFile, ParsesJobsCommentsListsAndDone) {
  const std::string text =
      "# my jobs\n"
      "\n"
      "0,latlon,AVG_MON,all   # every month\n"
      "  1 , latlon , avg_day , 3\n"
      "0,native,SNAPSHOT,[1428, 732, 732]\n"
      "0,native,SNAP,2172 732;1428\n"
      "0,native,AVG_DAY,[5]\n"
      "done\n"
      "this line is never read\n";
  auto jobs = parse_jobs(text, "jobs.txt", sample_groupings());
  ASSERT_EQ(jobs.size(), 5u);
  EXPECT_EQ(jobs[0].grouping, 0);
  EXPECT_EQ(jobs[0].product, Product::Latlon);
  EXPECT_EQ(jobs[0].frequency, Frequency::AvgMon);
  EXPECT_EQ(jobs[0].timesteps.kind, TimestepSelection::Kind::All);
  EXPECT_EQ(jobs[0].line, 3);
  EXPECT_EQ(jobs[1].frequency, Frequency::AvgDay);
  EXPECT_EQ(jobs[1].timesteps.kind, TimestepSelection::Kind::First);
  EXPECT_EQ(jobs[1].timesteps.first, 3u);
  EXPECT_EQ(jobs[2].frequency, Frequency::Snap);
  EXPECT_EQ(jobs[2].timesteps.kind, TimestepSelection::Kind::List);
  EXPECT_EQ(jobs[2].timesteps.list, (std::vector<std::int64_t>{732, 1428}));
  EXPECT_EQ(jobs[3].timesteps.list, (std::vector<std::int64_t>{732, 1428, 2172}));
  EXPECT_EQ(jobs[4].timesteps.kind, TimestepSelection::Kind::List);  // bracketed: a list, not "first 5"
  EXPECT_EQ(jobs[4].timesteps.list, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(jobs[2].to_line(), "0,native,SNAP,[732, 1428]");
  EXPECT_EQ(jobs[1].to_line(), "1,latlon,AVG_DAY,3");
}

TEST(EccoJobsFile, AllExpandsEveryGroupingAndFrequencyThreeDFirst) {
  auto jobs = parse_jobs("all\n", "jobs.txt", sample_groupings());
  std::vector<std::string> lines;
  for (const auto& j : jobs) lines.push_back(j.to_line());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "1,native,AVG_MON,all", "1,latlon,AVG_DAY,all", "1,latlon,AVG_MON,all",
                       "0,native,AVG_DAY,all", "0,native,AVG_MON,all", "0,native,SNAP,all",
                       "0,latlon,AVG_DAY,all", "0,latlon,AVG_MON,all"}));
  for (const auto& j : jobs) EXPECT_EQ(j.line, 1);
}

TEST(EccoJobsFile, ErrorsNameTheFileAndLine) {
  auto groupings = sample_groupings();
  auto parse = [&](const std::string& text) {
    return error_of([&] { parse_jobs(text, "my/jobs.txt", groupings); });
  };
  EXPECT_NE(parse("# c\n0,latlon,AVG_MON\n").find("my/jobs.txt:2: expected 'grouping,product,frequency,timesteps'"),
            std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_YEAR,all\n").find("my/jobs.txt:1: unknown frequency 'AVG_YEAR'"), std::string::npos);
  EXPECT_NE(parse("0,healpix,AVG_MON,all\n").find("my/jobs.txt:1: unknown product 'healpix'"), std::string::npos);
  EXPECT_NE(parse("x,latlon,AVG_MON,all\n").find("my/jobs.txt:1: grouping 'x'"), std::string::npos);
  EXPECT_NE(parse("\n\n7,latlon,AVG_MON,all\n").find("my/jobs.txt:3: unknown latlon grouping 7 (valid: 0 to 1"),
            std::string::npos);
  EXPECT_NE(parse("1,native,AVG_DAY,all\n").find("my/jobs.txt:1: native grouping 1 ('ocean velocity') is not "
                                                 "produced at AVG_DAY (only AVG_MON)"),
            std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,0\n").find("my/jobs.txt:1: timestep count 0"), std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,[1, 2\n").find("my/jobs.txt:1: timestep list '[1, 2' has no closing"),
            std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,[1, x]\n").find("my/jobs.txt:1: 'x' is not a timestep"), std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,\n").find("my/jobs.txt:1: no timesteps given"), std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,[]\n").find("my/jobs.txt:1: empty timestep list"), std::string::npos);
  EXPECT_NE(parse("0,latlon,AVG_MON,-3\n").find("my/jobs.txt:1: '-3' is not a timestep"), std::string::npos);
}

// Nothing in a jobs file expands to more than it says: no ranges, a count is the first N
// available (no allocation), a number too big for 64 bits is no timestep, and 'all' lines
// stop at kMaxJobsInFile jobs.
TEST(EccoJobsFile, HostileTimestepsAndCountsAreBounded) {
  auto groupings = sample_groupings();
  auto parse = [&](const std::string& text) { return error_of([&] { parse_jobs(text, "j.txt", groupings); }); };
  EXPECT_THAT(parse("0,latlon,AVG_MON,0-999999999999\n"), HasSubstr("j.txt:1: '0-999999999999' is not a timestep"));
  EXPECT_THAT(parse("0,latlon,AVG_MON,[0, 99999999999999999999]\n"), HasSubstr("j.txt:1: '99999999999999999999' is not a timestep"));
  const auto jobs = parse_jobs("0,latlon,AVG_MON,999999999999999999\n", "j.txt", groupings);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].timesteps.first, 999999999999999999u);
  const std::size_t per_all = parse_jobs("all\n", "j.txt", groupings).size();
  std::string alls;
  for (std::size_t i = 0; i <= kMaxJobsInFile / per_all; ++i) alls += "all\n";
  EXPECT_THAT(parse(alls), HasSubstr(fmt::format("j.txt:{}: more than {} jobs", kMaxJobsInFile / per_all + 1, kMaxJobsInFile)));
}

TEST(EccoJobsFile, WritesWhatItReads) {
  test::TempDir dir;
  auto groupings = sample_groupings();
  auto jobs = parse_jobs("1,latlon,AVG_MON,[732, 1428]\n0,native,SNAP,4\n", "in", groupings);
  write_jobs_file(dir / "jobs.txt", jobs, groupings);
  auto text = files::read_text(dir / "jobs.txt");
  EXPECT_NE(text.find("1,latlon,AVG_MON,[732, 1428]  # ocean temperature and salinity (3D)"), std::string::npos);
  auto again = read_jobs_file(dir / "jobs.txt", groupings);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].to_line(), jobs[0].to_line());
  EXPECT_EQ(again[1].to_line(), jobs[1].to_line());
  EXPECT_NE(error_of([&] { read_jobs_file(dir / "missing.txt", groupings); }).find("missing.txt: jobs file not found"),
            std::string::npos);
}

// ---- timestep discovery -----------------------------------------------------------------

// Creates {root}/{dir}/{FIELD}_{suffix}/{FIELD}_{suffix}.{ts}.data (empty files: only names matter).
void touch_field(const fs::path& root, const std::string& field, Frequency f, const std::vector<int>& timesteps) {
  auto layout = layout_of(f);
  auto dir = root / layout.directory / (field + "_" + layout.suffix);
  fs::create_directories(dir);
  for (int t : timesteps) {
    std::ofstream(dir / fmt::format("{}_{}.{:010d}.data", field, layout.suffix, t));
    std::ofstream(dir / fmt::format("{}_{}.{:010d}.meta", field, layout.suffix, t));
  }
}

TEST(EccoTimesteps, ListsOneFieldsTimestepsSorted) {
  test::TempDir root;
  touch_field(root.path(), "SSH", Frequency::AvgMon, {1428, 732, 2172});
  // Not ours: another name, no timestep, wrong digit count.
  auto dir = root / "diags_monthly" / "SSH_mon_mean";
  std::ofstream(dir / "SSHIBC_mon_mean.0000000732.data");
  std::ofstream(dir / "SSH_mon_mean.data");
  std::ofstream(dir / "SSH_mon_mean.732.data");
  auto f = list_field_timesteps(root.path(), "SSH", Frequency::AvgMon);
  EXPECT_EQ(f.timesteps, (std::vector<std::int64_t>{732, 1428, 2172}));
  EXPECT_EQ(f.ignored_files, 3u);
  EXPECT_EQ(f.directory, dir);
  EXPECT_TRUE(list_field_timesteps(root.path(), "SSH", Frequency::AvgDay).timesteps.empty());
}

TEST(EccoTimesteps, PlansOneTaskPerTimestepOfEveryInputField) {
  test::TempDir root;
  touch_field(root.path(), "SSH", Frequency::AvgDay, {36, 12, 60, 84});
  touch_field(root.path(), "SSHIBC", Frequency::AvgDay, {12, 36, 60, 84});
  auto groupings = sample_groupings();
  Job job{0, Product::Latlon, Frequency::AvgDay, {}, 1};
  auto plan = plan_job(job, groupings, root.path());
  ASSERT_TRUE(plan.ok()) << plan.error;
  EXPECT_TRUE(plan.warnings.empty());
  EXPECT_EQ(plan.grouping_name, "dynamic sea surface height");
  ASSERT_EQ(plan.tasks.size(), 4u);
  EXPECT_EQ(plan.tasks[0].timestep, 12);
  EXPECT_EQ(plan.tasks[3].timestep, 84);
  EXPECT_EQ(plan.tasks[2].grouping, 0);
  EXPECT_EQ(plan.tasks[2].product, Product::Latlon);
  EXPECT_EQ(plan.tasks[2].frequency, Frequency::AvgDay);

  job.timesteps = TimestepSelection::parse("2");
  plan = plan_job(job, groupings, root.path());
  ASSERT_EQ(plan.tasks.size(), 2u);
  EXPECT_EQ(plan.tasks[1].timestep, 36);

  job.timesteps = TimestepSelection::parse("9");
  plan = plan_job(job, groupings, root.path());
  EXPECT_EQ(plan.tasks.size(), 4u);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("asked for the first 9 timesteps, only 4 available"), std::string::npos);

  job.timesteps = TimestepSelection::parse("[84, 36]");
  plan = plan_job(job, groupings, root.path());
  ASSERT_EQ(plan.tasks.size(), 2u);
  EXPECT_EQ(plan.tasks[0].timestep, 36);

  job.timesteps = TimestepSelection::parse("[36, 37, 38]");
  plan = plan_job(job, groupings, root.path());
  EXPECT_FALSE(plan.ok());
  EXPECT_TRUE(plan.tasks.empty());
  EXPECT_NE(plan.error.find("timestep(s) 37, 38 not available"), std::string::npos) << plan.error;
}

TEST(EccoTimesteps, MismatchedFieldsAreReportedAndTheirExtraTimestepsSkipped) {
  test::TempDir root;
  touch_field(root.path(), "THETA", Frequency::AvgMon, {732, 1428, 2172, 2904});
  touch_field(root.path(), "SALT", Frequency::AvgMon, {732, 2172, 2904, 3636});
  auto groupings = sample_groupings();
  auto d = discover_timesteps(root.path(), groupings[1], Frequency::AvgMon);
  EXPECT_EQ(d.common, (std::vector<std::int64_t>{732, 2172, 2904}));
  EXPECT_EQ(d.skipped, (std::vector<std::int64_t>{1428, 3636}));
  ASSERT_EQ(d.mismatches.size(), 2u);
  EXPECT_EQ(d.mismatches[0].field, "THETA");
  EXPECT_EQ(d.mismatches[0].missing, (std::vector<std::int64_t>{3636}));
  EXPECT_EQ(d.mismatches[1].field, "SALT");
  EXPECT_EQ(d.mismatches[1].missing, (std::vector<std::int64_t>{1428}));

  auto plan = plan_job(Job{1, Product::Latlon, Frequency::AvgMon, {}, 1}, groupings, root.path());
  ASSERT_TRUE(plan.ok()) << plan.error;
  ASSERT_EQ(plan.tasks.size(), 3u);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("THETA lacks 3636; SALT lacks 1428"), std::string::npos) << plan.warnings[0];
  EXPECT_NE(plan.warnings[0].find("skipping 2 timestep(s)"), std::string::npos) << plan.warnings[0];
}

TEST(EccoTimesteps, AFieldWithoutFilesFailsTheJob) {
  test::TempDir root;
  touch_field(root.path(), "THETA", Frequency::AvgMon, {732});
  auto plan = plan_job(Job{1, Product::Latlon, Frequency::AvgMon, {}, 1}, sample_groupings(), root.path());
  EXPECT_FALSE(plan.ok());
  EXPECT_TRUE(plan.tasks.empty());
  EXPECT_NE(plan.error.find("no model output for field(s) SALT"), std::string::npos) << plan.error;
  EXPECT_NE(plan.error.find("diags_monthly/SALT_mon_mean/*.data"), std::string::npos) << plan.error;
}

TEST(EccoTimesteps, SnapshotsLiveInDiagsInst) {
  test::TempDir root;
  touch_field(root.path(), "SSH", Frequency::Snap, {24, 48});
  auto plan = plan_job(Job{0, Product::Native, Frequency::Snap, {}, 1}, sample_groupings(), root.path());
  ASSERT_TRUE(plan.ok()) << plan.error;
  EXPECT_EQ(plan.tasks.size(), 2u);
  EXPECT_EQ(describe_timesteps({1, 2, 3, 4, 5, 6, 7, 8}, 3), "1, 2, 3, ... (8 in all)");
}

// ---- run config -------------------------------------------------------------------------

const char* kConfig = R"(# ECCO production
ecco_version: V4r4
model_output_dir: model
processed_output_dir: /abs/out
mapping_factors: factors/ll05.bin
metadata_dir: ../meta
grid_dir: grid
model_start_time: 1992-01-01T12:00:00
model_end_time: "2017-12-31T12:00:00"
history: Inaugural release of an ECCO Central Estimate solution to PO.DAAC
creator_name: ECCO Consortium
product_version: 4.4
)";

TEST(EccoRunConfig, ReadsKeysResolvesPathsAndKeepsProductStrings) {
  auto c = parse_run_config(kConfig, "/work/cfg/ecco.yaml");
  EXPECT_EQ(c.ecco_version, "V4r4");
  EXPECT_EQ(c.model_output_dir, fs::path("/work/cfg/model"));
  EXPECT_EQ(c.processed_output_dir, fs::path("/abs/out"));
  EXPECT_EQ(c.mapping_factors, fs::path("/work/cfg/factors/ll05.bin"));
  EXPECT_EQ(c.metadata_dir, fs::path("/work/meta"));
  EXPECT_EQ(c.grid_dir, fs::path("/work/cfg/grid"));
  EXPECT_FALSE(c.podaac_csv);
  EXPECT_EQ(c.model_start_time, "1992-01-01T12:00:00");
  EXPECT_EQ(c.model_end_time, "2017-12-31T12:00:00");
  EXPECT_EQ(c.product_strings.size(), 3u);
  EXPECT_EQ(c.product_strings.at("creator_name"), "ECCO Consortium");
  EXPECT_EQ(c.product_strings.at("product_version"), "4.4");
  EXPECT_EQ(c.product_strings.count("ecco_version"), 0u);
}

TEST(EccoRunConfig, LoadsFromAFileRelativeToItsDirectory) {
  test::TempDir dir;
  fs::create_directories(dir / "cfg");
  files::write_atomic(dir / "cfg" / "run.yaml", std::string(kConfig) + "podaac_csv: tables/podaac.csv\n");
  auto c = load_run_config(dir / "cfg" / "run.yaml");
  EXPECT_EQ(c.model_output_dir, dir / "cfg" / "model");
  ASSERT_TRUE(c.podaac_csv);
  EXPECT_EQ(*c.podaac_csv, dir / "cfg" / "tables" / "podaac.csv");
  EXPECT_EQ(c.source, dir / "cfg" / "run.yaml");
  EXPECT_NE(error_of([&] { load_run_config(dir / "nope.yaml"); }).find("nope.yaml: config file not found"),
            std::string::npos);
}

TEST(EccoRunConfig, ErrorsNameTheFileTheKeyAndTheLine) {
  auto error = [](const std::string& text) { return error_of([&] { parse_run_config(text, "run.yaml"); }); };
  std::string without_grid = kConfig;
  without_grid.erase(without_grid.find("grid_dir: grid\n"), 15);
  EXPECT_EQ(error(without_grid), "run.yaml: missing required key 'grid_dir'");
  EXPECT_NE(error("ecco_version: V4r4\nmodel_output_dir: [a\n").find("run.yaml:"), std::string::npos);
  EXPECT_NE(error("ecco_version: V4r4\nmodel_output_dir: [a\n").find("invalid YAML"), std::string::npos);
  EXPECT_EQ(error("- a\n- b\n"), "run.yaml: expected a mapping of keys to values at the top level");
  EXPECT_EQ(error(std::string(kConfig) + "summary:\n  - one\n  - two\n"),
            "run.yaml:14: 'summary' must be a string, not a list");
  EXPECT_EQ(error(std::string(kConfig) + "grid_dir: other\n"), "run.yaml:13: 'grid_dir' is given twice");
  std::string empty_version = kConfig;
  empty_version.replace(empty_version.find("V4r4"), 4, "");
  EXPECT_EQ(error(empty_version), "run.yaml:2: 'ecco_version' is empty");
  std::string bad_time = kConfig;
  bad_time.replace(bad_time.find("1992-01-01T12:00:00"), 19, "Jan 1992");
  EXPECT_NE(error(bad_time).find("run.yaml: model_start_time 'Jan 1992' is not an ISO 8601 time"), std::string::npos);
  std::string reversed = kConfig;
  reversed.replace(reversed.find("2017-12-31T12:00:00"), 19, "1991-12-31");
  EXPECT_NE(error(reversed).find("model_end_time 1991-12-31 is not after model_start_time"), std::string::npos);
}

TEST(EccoRunConfig, GridMappingIsABooleanOffByDefaultAndNoProductString) {
  EXPECT_FALSE(parse_run_config(kConfig, "run.yaml").grid_mapping);
  for (const char* on : {"true", "True", "yes", "on"}) {
    auto c = parse_run_config(std::string(kConfig) + "grid_mapping: " + on + "\n", "run.yaml");
    EXPECT_TRUE(c.grid_mapping) << on;
    EXPECT_EQ(c.product_strings.count("grid_mapping"), 0u) << "not a global attribute to copy";
  }
  EXPECT_FALSE(parse_run_config(std::string(kConfig) + "grid_mapping: false\n", "run.yaml").grid_mapping);
  EXPECT_EQ(error_of([] { parse_run_config(std::string(kConfig) + "grid_mapping: wgs84\n", "run.yaml"); }),
            "run.yaml:13: 'grid_mapping' must be true or false, not 'wgs84'");
}


// ---- the CLI: granary ecco jobs / run --------------------------------------------------------

// A run directory: demo metadata, a config, an empty model output tree.
struct RunFixture {
  test::TempDir dir;
  fs::path config = dir / "run.yaml";
  explicit RunFixture(const fs::path& grid_dir = "grid") {
    write_demo_metadata(dir / "metadata");
    files::write_atomic(config, fmt::format("ecco_version: V4r4\n"
                                            "model_output_dir: model\n"
                                            "processed_output_dir: out\n"
                                            "mapping_factors: factors.bin\n"
                                            "metadata_dir: metadata\n"
                                            "grid_dir: {}\n"
                                            "model_start_time: 1992-01-01T12:00:00\n"
                                            "model_end_time: 2017-12-31T12:00:00\n"
                                            "history: granary CLI test\n",
                                            grid_dir.string()));
  }
  std::string q(const fs::path& p) const { return "'" + p.string() + "'"; }
  // A shell command line run in the fixture directory.
  test::CommandResult shell(const std::string& command_line) const {
    return test::run_command("cd " + q(dir.path()) + " && " + command_line);
  }
  test::CommandResult granary(const std::string& args) const { return shell(test::granary_binary() + " " + args); }
};

// Every non-comment line's job part (before a trailing comment), as written.
std::vector<std::string> written_jobs(const fs::path& jobs_file) {
  std::vector<std::string> lines;
  std::string text = files::read_text(jobs_file);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    line = line.substr(0, line.find("  #"));
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

TEST(EccoRunCli, JobsFromFlagsAndAll) {
  RunFixture f;
  auto r = f.granary("ecco jobs --config run.yaml --out jobs.txt --product latlon --frequency AVG_MON "
                     "--grouping 1 --timesteps '[732, 1428]' --grouping 0 --timesteps 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(written_jobs(f.dir / "jobs.txt"),
            (std::vector<std::string>{"1,latlon,AVG_MON,[732, 1428]", "0,latlon,AVG_MON,3"}));

  r = f.granary("ecco jobs --config run.yaml --out all.txt --all");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto all = written_jobs(f.dir / "all.txt");
  ASSERT_EQ(all.size(), 10u);  // demo: SSH at 2 frequencies + 3 monthly groupings, both products
  EXPECT_EQ(all.front(), "1,native,AVG_MON,all");  // 3D first
  EXPECT_EQ(all.back(), "3,latlon,AVG_MON,all");

  r = f.granary("ecco jobs --config run.yaml --out bad.txt --grouping 1 --product latlon --frequency AVG_DAY");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not produced at AVG_DAY"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(f.dir / "bad.txt"));
  r = f.granary("ecco jobs --config run.yaml --out bad.txt --grouping 0 --grouping 1 --product latlon "
                "--frequency AVG_MON --timesteps 1 --timesteps 2 --timesteps 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--timesteps given 3 times for 2 --grouping"), std::string::npos) << r.err;
  r = f.granary("ecco jobs --config run.yaml --out bad.txt");  // stdin is /dev/null: no prompts
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no jobs given"), std::string::npos) << r.err;
}

TEST(EccoRunCli, JobsFromPrompts) {
  RunFixture f;
  // Invalid answers are asked again; an empty answer takes the default.
  auto r = f.shell("printf 'native\\n9\\n1\\nAVG_DAY\\nAVG_MON\\n2\\ny\\n\\n0\\nSNAP\\nAVG_DAY\\n[24, 48]\\nn\\n' | " +
                     test::granary_binary() + " ecco jobs --config run.yaml --out jobs.txt --interactive");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ocean potential temperature and salinity"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'9' is not a native grouping number"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'AVG_DAY': choose one of AVG_MON"), std::string::npos) << r.out;
  EXPECT_EQ(written_jobs(f.dir / "jobs.txt"),
            (std::vector<std::string>{"1,native,AVG_MON,2", "0,latlon,AVG_DAY,[24, 48]"}));
  // Input that ends mid-job writes nothing.
  r = f.shell("printf 'native\\n' | " + test::granary_binary() +
                " ecco jobs --config run.yaml --out cut.txt --interactive");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("input ended"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(f.dir / "cut.txt"));
}

TEST(EccoRunCli, DryRunPrintsThePlanAndJobsThatCannotRun) {
  RunFixture f;
  touch_field(f.dir.path() / "model", "SSH", Frequency::AvgMon, {732, 1428, 2172});
  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,all\n0,latlon,AVG_MON,[1428]\n");
  auto r = f.granary("ecco run --config run.yaml --jobs jobs.txt --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("job 0,native,AVG_MON,all (jobs.txt:1) 'dynamic sea surface height': 3 task(s)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("native/mon_mean/SEA_SURFACE_HEIGHT/SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_native_"
                       "llc0090.nc"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("plan: 2 job(s), 4 task(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WARNING: mapping_factors " + (f.dir / "factors.bin").string() +
                       " does not exist: 1 lat-lon task(s) need it"),
            std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(f.dir / "out"));  // nothing written, not even a report

  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,2\n1,native,AVG_MON,all\n");
  r = f.granary("ecco run --config run.yaml --jobs jobs.txt --dry-run");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("CANNOT RUN (jobs.txt:2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no model output for field(s) THETA, SALT"), std::string::npos) << r.out;

  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,all\n7,native,AVG_MON,all\n");
  r = f.granary("ecco run --config run.yaml --jobs jobs.txt --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("jobs.txt:2: unknown native grouping 7 (valid: 0 to 3"), std::string::npos) << r.err;
}

TEST(EccoRunCli, RequireInputNeedsATerminalOrAnswers) {
  RunFixture f;
  touch_field(f.dir.path() / "model", "SSH", Frequency::AvgMon, {732});
  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,all\n");
  auto r = f.granary("ecco run --config run.yaml --jobs jobs.txt --require-input");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--require-input asks before each job and needs a terminal"), std::string::npos) << r.err;
  // Declined: nothing runs (so the grid, which does not exist here, is never loaded).
  r = f.shell("echo n | " + test::granary_binary() +
                " ecco run --config run.yaml --jobs jobs.txt --require-input --report r.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(files::read_text(f.dir / "r.json"));
  EXPECT_EQ(report.at("totals").at("tasks"), 0);
  EXPECT_EQ(report.at("jobs")[0].at("warnings")[0], "not run: declined at the --require-input prompt");
}

void write_compact_field(const fs::path& path, float base, std::size_t values = 105300) {
  std::vector<std::byte> raw(values * 4);
  for (std::size_t k = 0; k < values; ++k) store_be(&raw[4 * k], base + 1e-4f * static_cast<float>(k % 1000));
  files::write_atomic(path, raw);
}

TEST(EccoRunCli, RunsInWorkerProcessesReportsFailuresAndResumes) {
  GRANARY_REQUIRE_REAL_DATA(data);
  RunFixture f(data / "ecco" / "grid_llc90");
  const fs::path dir = f.dir / "model" / "diags_monthly" / "SSH_mon_mean";
  fs::create_directories(dir);
  for (int t : {732, 1428, 2172}) write_compact_field(dir / fmt::format("SSH_mon_mean.{:010d}.data", t), 0.1f * t);
  write_compact_field(dir / "SSH_mon_mean.0000002904.data", 1.0f, 1000);  // truncated
  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,all\n");

  auto r = f.granary("ecco run --config run.yaml --jobs jobs.txt -j 2 --report r1.json");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // one task FAILED
  EXPECT_NE(r.out.find("1 FAILED, 3 SUCCESS"), std::string::npos) << r.out;
  auto report = nlohmann::json::parse(files::read_text(f.dir / "r1.json"));
  EXPECT_EQ(report.at("workers"), 2);
  const auto& job = report.at("jobs")[0];
  EXPECT_EQ(job.at("key"), "0,native,AVG_MON,all");
  ASSERT_EQ(job.at("results").size(), 4u);
  for (int k = 0; k < 3; ++k) {
    const auto& result = job.at("results")[k];
    ASSERT_EQ(result.at("status"), "SUCCESS") << result.dump();
    fs::path output = result.at("output").get<std::string>();
    EXPECT_EQ(result.at("sha256"), files::sha256_file(output));
    EXPECT_EQ(result.at("bytes").get<std::uintmax_t>(), fs::file_size(output));
  }
  EXPECT_EQ(job.at("results")[3].at("status"), "FAILED");
  EXPECT_NE(job.at("results")[3].at("error").get<std::string>().find("SSH_mon_mean.0000002904.data"),
            std::string::npos);
  EXPECT_EQ(report.at("totals").at("outputs_written"), 3);

  // A rerun skips what exists and still reports the broken input; the default report path.
  r = f.granary("ecco run --config run.yaml --jobs jobs.txt -j 2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("1 FAILED, 3 SKIP"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::is_directory(f.dir / "out" / "reports"));
  EXPECT_EQ(std::distance(fs::directory_iterator(f.dir / "out" / "reports"), fs::directory_iterator{}), 1);

  // Without the broken timestep everything succeeds: exit code 0.
  files::write_atomic(f.dir / "jobs.txt", "0,native,AVG_MON,[732, 2172]\n");
  r = f.granary("ecco run --config run.yaml --jobs jobs.txt -j 1 --overwrite --report r3.json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 SUCCESS"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace granary::ecco
