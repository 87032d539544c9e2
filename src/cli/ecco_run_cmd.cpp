// granary ecco jobs: writes a jobs.txt (from flags, --all, or interactive prompts).
// granary ecco run:  runs a jobs.txt -- plans every job against the model output on disk,
// loads the shared state once, runs the product tasks in a local process pool with a
// progress bar, and writes a JSON run report.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/parallelism_option.hpp"
#include "cli/plan_writing.hpp"
#include "cli/recipes.hpp"
#include "io/store.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/jobs_file.hpp"
#include "recipes/ecco/locations.hpp"
#include "recipes/ecco/metadata.hpp"
#include "recipes/ecco/naming.hpp"
#include "recipes/ecco/product_output.hpp"
#include "recipes/ecco/product_strings.hpp"
#include "recipes/ecco/product_task.hpp"
#include "recipes/ecco/time_axis.hpp"
#include "recipes/ecco/timesteps.hpp"
#include "run/job_runner.hpp"
#include "run/plan.hpp"
#include "run/report.hpp"
#include "run/report_summary.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/user_paths.hpp"

namespace granary::cli {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// ---- shared helpers ------------------------------------------------------------------------

ecco::Metadata load_metadata(const ecco::RunConfig& config) {
  ecco::require_local_directory(config, "metadata_dir", config.metadata_dir);
  return ecco::Metadata::load(config.metadata_dir, config.podaac_csv.value_or(std::string{}));
}

// Every grouping of both products (the jobs file API tells them apart by Grouping::product).
std::vector<ecco::Grouping> all_groupings(const ecco::Metadata& metadata) {
  std::vector<ecco::Grouping> all;
  for (auto p : {ecco::Product::Native, ecco::Product::Latlon}) {
    const auto& g = metadata.groupings(p);
    all.insert(all.end(), g.begin(), g.end());
  }
  return all;
}

// One line from stdin, trimmed; nullopt at EOF.
std::optional<std::string> read_answer() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  auto begin = line.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return std::string();
  return line.substr(begin, line.find_last_not_of(" \t\r") - begin + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string frequency_list(const ecco::Grouping& g) {
  std::vector<std::string> names;
  for (auto f : g.frequencies) names.push_back(ecco::to_string(f));
  return fmt::format("{}", fmt::join(names, ", "));
}

// ---- granary ecco jobs -----------------------------------------------------------------------

struct JobsOptions {
  std::string config, out;
  std::vector<int> groupings;
  std::vector<std::string> products, frequencies, timesteps;
  bool all = false;
  bool interactive = false;
};

// Option k of a repeated flag: given once applies to every job, else one per --grouping.
const std::string& pick(const std::vector<std::string>& values, std::size_t k, const char* flag, std::size_t jobs) {
  if (values.size() == 1) return values[0];
  if (values.size() != jobs)
    fail("{} given {} times for {} --grouping: give it once (for every job) or once per --grouping", flag,
         values.size(), jobs);
  return values[k];
}

std::vector<ecco::Job> jobs_from_flags(const JobsOptions& opt, const std::vector<ecco::Grouping>& groupings) {
  const std::size_t n = opt.groupings.size();
  if (opt.products.empty()) fail("--product is required with --grouping (native or latlon)");
  if (opt.frequencies.empty()) fail("--frequency is required with --grouping (AVG_MON, AVG_DAY or SNAP)");
  std::vector<ecco::Job> jobs;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string where = fmt::format("job {} (--grouping {})", k + 1, opt.groupings[k]);
    ecco::Job job;
    job.grouping = opt.groupings[k];
    const auto& product = pick(opt.products, k, "--product", n);
    const auto& frequency = pick(opt.frequencies, k, "--frequency", n);
    auto p = ecco::parse_product(product);
    if (!p) fail("{}: unknown product '{}' (expected native or latlon)", where, product);
    auto f = ecco::parse_frequency(frequency);
    if (!f) fail("{}: unknown frequency '{}' (expected AVG_MON, AVG_DAY or SNAP)", where, frequency);
    job.product = *p;
    job.frequency = *f;
    if (!opt.timesteps.empty()) {
      try {
        job.timesteps = ecco::TimestepSelection::parse(pick(opt.timesteps, k, "--timesteps", n));
      } catch (const Error& e) {
        fail("{}: {}", where, e.what());
      }
    }
    ecco::validate_job(job, groupings, where);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// Asks until the answer is valid; fails at EOF.
template <class Parse>
auto ask(const std::string& question, const std::string& default_answer, Parse&& parse) {
  for (;;) {
    fmt::print("{}{}: ", question, default_answer.empty() ? "" : fmt::format(" [{}]", default_answer));
    std::fflush(stdout);
    auto answer = read_answer();
    if (!answer) fail("ecco jobs: input ended before the job was complete (nothing written)");
    std::string text = answer->empty() ? default_answer : *answer;
    std::string problem;
    auto value = parse(text, problem);
    if (value) return *value;
    fmt::print("  {}\n", problem);
  }
}

std::vector<ecco::Job> jobs_from_prompts(const std::vector<ecco::Grouping>& groupings) {
  for (auto p : {ecco::Product::Native, ecco::Product::Latlon}) {
    fmt::print("{} groupings:\n", ecco::to_string(p));
    for (const auto& g : groupings)
      if (g.product == p) fmt::print("  {:>2}  {} ({}; {})\n", g.index, g.name, g.dimension, frequency_list(g));
  }
  std::vector<ecco::Job> jobs;
  for (;;) {
    ecco::Job job;
    job.product = ask("product (native, latlon)", "latlon", [](const std::string& s, std::string& problem) {
      auto p = ecco::parse_product(s);
      if (!p) problem = fmt::format("'{}' is not a product: native or latlon", s);
      return p;
    });
    const ecco::Grouping* grouping = nullptr;
    job.grouping = ask("grouping number", "", [&](const std::string& s, std::string& problem) -> std::optional<int> {
      try {
        std::size_t used = 0;
        int index = std::stoi(s, &used);
        grouping = used == s.size() ? ecco::find_grouping(groupings, job.product, index) : nullptr;
        if (grouping && !grouping->frequencies.empty()) return index;
        if (grouping) {
          problem = fmt::format("grouping {} defines no frequency: choose another", index);
          return std::nullopt;
        }
      } catch (const std::exception&) {
      }
      problem = fmt::format("'{}' is not a {} grouping number (see the list above)", s, ecco::to_string(job.product));
      return std::nullopt;
    });
    job.frequency = ask(fmt::format("frequency ({})", frequency_list(*grouping)),
                        ecco::to_string(grouping->frequencies.front()),
                        [&](const std::string& s, std::string& problem) -> std::optional<ecco::Frequency> {
                          auto f = ecco::parse_frequency(s);
                          for (auto allowed : grouping->frequencies)
                            if (f && *f == allowed) return f;
                          problem = fmt::format("'{}': choose one of {}", s, frequency_list(*grouping));
                          return std::nullopt;
                        });
    job.timesteps = ask("timesteps (all, N = the first N, or a list like [732, 1428])", "all",
                        [](const std::string& s, std::string& problem) -> std::optional<ecco::TimestepSelection> {
                          try {
                            return ecco::TimestepSelection::parse(s);
                          } catch (const Error& e) {
                            problem = e.what();
                            return std::nullopt;
                          }
                        });
    jobs.push_back(job);
    fmt::print("  added {}  ({})\n", job.to_line(), grouping->name);
    auto yes_no = [](const std::string& s, std::string& problem) -> std::optional<bool> {
      auto a = lower(s);
      if (a == "y" || a == "yes") return true;
      if (a == "n" || a == "no") return false;
      problem = "answer y or n";
      return std::nullopt;
    };
    if (!ask("another job? (y/n)", "n", yes_no)) return jobs;
  }
}

void run_jobs_command(const JobsOptions& opt) {
  auto config = ecco::load_run_config(opt.config);
  auto metadata = load_metadata(config);
  auto groupings = all_groupings(metadata);
  const bool flags = !opt.groupings.empty();
  if (opt.all && flags) fail("ecco jobs: give either --all or --grouping/--product/--frequency, not both");
  if (!flags && (!opt.products.empty() || !opt.frequencies.empty() || !opt.timesteps.empty()))
    fail("ecco jobs: --product, --frequency and --timesteps describe a --grouping: add --grouping N");

  std::vector<ecco::Job> jobs;
  if (opt.all) {
    jobs = ecco::all_jobs(groupings);
  } else if (flags) {
    jobs = jobs_from_flags(opt, groupings);
  } else if (opt.interactive || isatty(STDIN_FILENO)) {
    jobs = jobs_from_prompts(groupings);
  } else {
    fail("ecco jobs: no jobs given: use --grouping N --product P --frequency F [--timesteps T] (repeatable) or "
         "--all; prompts need a terminal on stdin (or --interactive)");
  }
  ecco::write_jobs_file(opt.out, jobs, groupings);
  spdlog::info("wrote {} job(s) to {}", jobs.size(), opt.out);
}

// ---- granary ecco run ------------------------------------------------------------------------

struct RunOptions {
  std::string config, jobs, report, log_name;
  int workers = 0;
  bool dry_run = false, require_input = false, overwrite = false, grid_mapping = false;

  std::string command_line() const {
    std::string text = fmt::format("granary ecco run --config {} --jobs {}", config, jobs);
    if (workers > 0) text += fmt::format(" -j {}", workers);
    if (dry_run) text += " --dry-run";
    if (require_input) text += " --require-input";
    if (overwrite) text += " --overwrite";
    if (grid_mapping) text += " --grid-mapping";
    if (!report.empty()) text += " --report " + report;
    if (!log_name.empty()) text += " --log-name " + log_name;
    return text;
  }
};

// The plan of every job, with the warnings (and errors) logged and tasks that an earlier job already
// holds dropped (two workers must never write the same output).
std::vector<ecco::JobPlan> plan_jobs(const std::vector<ecco::Job>& jobs, const std::vector<ecco::Grouping>& groupings,
                                     const ecco::RunConfig& config, bool log_errors) {
  std::vector<ecco::JobPlan> plans;
  std::set<std::tuple<int, int, int, std::int64_t>> seen;
  for (const auto& job : jobs) {
    auto plan = ecco::plan_job(job, groupings, config.model_output_dir);
    for (const auto& w : plan.warnings) spdlog::warn("{}", w);
    if (!plan.ok() && log_errors) spdlog::error("{}", plan.error);
    std::vector<ecco::ProductTask> unique;
    for (const auto& t : plan.tasks)
      if (seen.emplace(t.grouping, static_cast<int>(t.product), static_cast<int>(t.frequency), t.timestep).second)
        unique.push_back(t);
    if (unique.size() != plan.tasks.size())
      spdlog::warn("job {}: {} task(s) already planned by an earlier job, not repeated", job.to_line(),
                   plan.tasks.size() - unique.size());
    plan.tasks = std::move(unique);
    plans.push_back(std::move(plan));
  }
  return plans;
}

// The product tasks of the jobs' plans as the jobs an engine runs (ids in plan order, labelled
// by their job line), with what could not be planned or deserves a warning.
struct EccoTasks {
  std::vector<run::PlannedJob> jobs;
  std::vector<std::pair<std::string, std::string>> errors, warnings;  // (job line, text)
  bool need_factors = false;                                        // some task is lat-lon
  std::size_t native = 0;
};

EccoTasks collect_tasks(const std::vector<ecco::JobPlan>& plans) {
  EccoTasks out;
  for (const auto& plan : plans) {
    if (!plan.ok()) out.errors.emplace_back(plan.job.to_line(), plan.error);
    for (const auto& w : plan.warnings) out.warnings.emplace_back(plan.job.to_line(), w);
    for (const auto& task : plan.tasks) {
      out.jobs.push_back({fmt::format("{:06d}", out.jobs.size()), plan.job.to_line(), task.to_json()});
      out.need_factors |= task.product == ecco::Product::Latlon;
      out.native += task.product == ecco::Product::Native;
    }
  }
  return out;
}

std::string job_label(const ecco::JobPlan& plan, const std::string& jobs_file) {
  return fmt::format("{} ({}:{})", plan.job.to_line(), jobs_file, plan.job.line);
}

// Whether an input of the config exists: a local file or directory, an s3:// object, or an
// s3:// prefix with objects under it.
bool file_exists(const std::string& uri) {
  if (!ecco::is_remote(uri)) return fs::is_regular_file(uri);
  return io::open_store(io::parent_uri(uri))->exists(io::basename_of(uri));
}
bool directory_exists(const std::string& uri) {
  if (!ecco::is_remote(uri)) return fs::is_directory(uri);
  return !io::open_store(uri)->list("").empty();
}

// Where the run report goes: --report, else {processed_output_dir}/reports/run-YYYYmmddTHHMMSS.json
// (UTC; "-2", "-3"... when taken), on S3 when the products are.
std::string report_location(const ecco::RunConfig& config, const RunOptions& opt,
                            std::chrono::system_clock::time_point start) {
  if (!opt.report.empty()) return opt.report;
  const std::string& out = config.processed_output_dir;
  if (!ecco::is_remote(out)) return run::default_report_path(out, start).string();
  std::time_t t = std::chrono::system_clock::to_time_t(start);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stem[32];
  std::strftime(stem, sizeof stem, "run-%Y%m%dT%H%M%S", &tm);
  auto store = io::open_store(out);
  std::string key = fmt::format("reports/{}.json", stem);
  for (int n = 2; store->exists(key); ++n) key = fmt::format("reports/{}-{}.json", stem, n);
  return ecco::join_uri(out, key);
}

void publish_report(const std::string& uri, const json& report) {
  if (!ecco::is_remote(uri)) return run::write_report(uri, report);
  const auto text = report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  io::open_store(io::parent_uri(uri))
      ->put(io::basename_of(uri), std::as_bytes(std::span<const char>(text.data(), text.size())));
}

// Prints what would run: per job its timesteps and output files (first and last few),
// how many exist already (skipped unless --overwrite), and jobs that cannot run.
void print_plan(const std::vector<ecco::JobPlan>& plans, const std::vector<ecco::Grouping>& groupings,
                const ecco::RunConfig& config, const RunOptions& opt) {
  auto strings = ecco::product_strings_of(config);  // the names the run will write
  auto clock = strings.clock();
  std::size_t tasks = 0, existing = 0, failed = 0;
  for (const auto& plan : plans) {
    if (!plan.ok()) {
      ++failed;
      fmt::print("CANNOT RUN ({}:{}): {}\n", opt.jobs, plan.job.line, plan.error);
      continue;
    }
    const auto* grouping = ecco::find_grouping(groupings, plan.job.product, plan.job.grouping);
    std::vector<std::int64_t> timesteps;
    for (const auto& t : plan.tasks) timesteps.push_back(t.timestep);
    fmt::print("job {} '{}': {} task(s), timesteps {}\n", job_label(plan, opt.jobs), plan.grouping_name,
               plan.tasks.size(), ecco::describe_timesteps(timesteps));
    std::size_t job_existing = 0;
    for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
      const auto& t = plan.tasks[k];
      std::string name;
      try {
        name = ecco::product_relative_path(*grouping, ecco::time_info(t.frequency, t.timestep, clock), strings);
      } catch (const Error& e) {
        name = fmt::format("(timestep {}: {})", t.timestep, e.what());
      }
      const bool exists =
          !name.empty() && name[0] != '(' && ecco::ProductOutput(config.processed_output_dir, name).complete();
      job_existing += exists;
      if (k < 3 || k + 1 == plan.tasks.size())
        fmt::print("    {}{}\n", name, exists ? (opt.overwrite ? "  (exists: overwrite)" : "  (exists: skip)") : "");
      else if (k == 3 && plan.tasks.size() > 5)
        fmt::print("    ... {} more\n", plan.tasks.size() - 4);
    }
    tasks += plan.tasks.size();
    existing += job_existing;
  }
  // What the run loads before the first task: missing here means the run would stop there.
  std::size_t latlon_tasks = 0;
  for (const auto& plan : plans)
    if (plan.job.product == ecco::Product::Latlon) latlon_tasks += plan.tasks.size();
  if (!directory_exists(config.grid_dir))
    fmt::print("WARNING: grid_dir {} does not exist: the run needs the model grid\n", config.grid_dir);
  if (latlon_tasks && !file_exists(config.mapping_factors))
    fmt::print("WARNING: mapping_factors {} does not exist: {} lat-lon task(s) need it (granary ecco factors)\n",
               config.mapping_factors, latlon_tasks);
  fmt::print("plan: {} job(s), {} task(s) -> {}; {} output(s) exist already ({}){}{}\n", plans.size(), tasks,
             config.processed_output_dir, existing, opt.overwrite ? "overwritten" : "skipped",
             failed ? fmt::format("; {} job(s) cannot run", failed) : "",
             config.grid_mapping ? "; lat-lon products get a grid mapping (crs, WGS 84)" : "");
}

// --require-input: y = run the job, n = skip it, a = run it and every later job, q = run
// none of the remaining jobs. Fails when stdin ends (e.g. not a terminal, no answers).
void confirm_jobs(std::vector<ecco::JobPlan>& plans, const RunOptions& opt) {
  bool all = false, quit = false;
  for (auto& plan : plans) {
    if (!plan.ok() || plan.tasks.empty() || all) continue;
    if (quit) {
      plan.warnings.push_back("not run: quit at the --require-input prompt");
      plan.tasks.clear();
      continue;
    }
    for (;;) {
      std::fprintf(stderr, "run job %s '%s' (%zu task(s))? [y]es/[n]o/[a]ll/[q]uit: ",
                   job_label(plan, opt.jobs).c_str(), plan.grouping_name.c_str(), plan.tasks.size());
      std::fflush(stderr);
      auto answer = read_answer();
      if (!answer)
        fail("--require-input asks before each job and needs a terminal on stdin (or answers y/n/a/q piped in); "
             "stdin {} before job {}",
             isatty(STDIN_FILENO) ? "ended" : "is not a terminal and ended", plan.job.to_line());
      auto a = lower(*answer);
      if (a == "y" || a == "yes") break;
      if (a == "a" || a == "all") {
        all = true;
        break;
      }
      if (a == "n" || a == "no") {
        spdlog::info("job {}: skipped on request", plan.job.to_line());
        plan.warnings.push_back("not run: declined at the --require-input prompt");
        plan.tasks.clear();
        break;
      }
      if (a == "q" || a == "quit") {
        spdlog::info("job {} and the remaining jobs: not run on request", plan.job.to_line());
        plan.warnings.push_back("not run: quit at the --require-input prompt");
        plan.tasks.clear();
        quit = true;
        break;
      }
    }
  }
}

void run_run_command(const RunOptions& opt) {
  const auto start = std::chrono::system_clock::now();
  auto config = ecco::load_run_config(opt.config);
  // Paths the OS would refuse are bad input naming the option or key, before any work.
  files::check_writable(config.processed_output_dir, files::Kind::Directory,
                        fmt::format("{}: 'processed_output_dir'", config.source.string()));
  files::check_writable(opt.report, files::Kind::File, "--report");
  config.grid_mapping |= opt.grid_mapping;
  auto metadata = load_metadata(config);
  auto groupings = all_groupings(metadata);
  auto jobs = ecco::read_jobs_file(opt.jobs, groupings);
  if (jobs.empty()) {
    spdlog::warn("{}: no jobs (only comments, or 'done' before the first job)", opt.jobs);
    exit_code = 0;
    return;
  }
  auto plans = plan_jobs(jobs, groupings, config, /*log_errors=*/!opt.dry_run);  // a dry run prints them
  if (opt.dry_run) {
    print_plan(plans, groupings, config, opt);
    exit_code = std::all_of(plans.begin(), plans.end(), [](const auto& p) { return p.ok(); }) ? 0 : 1;
    return;
  }
  if (opt.require_input) confirm_jobs(plans, opt);
  // Temporaries of runs killed with -9 would stay forever: no later rename claims them.
  if (!io::is_s3_uri(config.processed_output_dir)) files::remove_stale_temporaries(config.processed_output_dir);

  auto collected = collect_tasks(plans);
  const auto& tasks = collected.jobs;
  run::RunRecord record;
  record.job_errors = std::move(collected.errors);
  record.job_warnings = std::move(collected.warnings);
  if (config.grid_mapping && collected.native > 0)
    spdlog::info("grid mapping: lat-lon products only; {} native task(s) are written without one", collected.native);

  const auto recipe = make_recipe("ecco");
  run::JobRunOutcome outcome;
  if (!tasks.empty()) {
    // Loaded once here (the recipe's prepare), shared copy-on-write by every forked worker.
    recipe->prepare(ecco_plan_parameters(opt.config, opt.overwrite, opt.grid_mapping, collected.need_factors));
    const int workers = run::default_workers(opt.workers);
    const auto jobs_with_tasks =
        std::count_if(plans.begin(), plans.end(), [](const auto& p) { return !p.tasks.empty(); });
    spdlog::info("running {} task(s) of {} job(s) on {} worker(s){}", tasks.size(), jobs_with_tasks,
                 std::min<std::size_t>(workers, tasks.size()), workers == 1 ? " (in-process)" : "");
    run::JobRunOptions run_options;
    run_options.workers = workers;
    run_options.progress_label = "ecco run";
    run_options.failure_message = [](const run::PlannedJob& job, const json& result) {
      return fmt::format("job {} timestep {}: {}", job.label, job.payload.value("timestep", -1),
                         result.value("error", std::string("no error message")));
    };
    outcome = run::run_jobs(*recipe, tasks, run_options);
  }

  record.command = opt.command_line();
  record.start = start;
  record.end = std::chrono::system_clock::now();
  record.results = std::move(outcome.results);
  for (const auto& t : tasks) record.job_keys.push_back(t.label);
  record.workers = outcome.pool.workers;
  record.interrupted = outcome.pool.interrupted;
  std::vector<json> failed_payloads;
  for (std::size_t i = 0; i < tasks.size(); ++i)
    if (run::status_of(record.results[i]) == "FAILED") failed_payloads.push_back(tasks[i].payload);
  record.retry = recipe->retry_hint(failed_payloads);
  record.extra = {{"recipe", "ecco"},
                  {"config", fs::absolute(opt.config).string()},
                  {"jobs_file", fs::absolute(opt.jobs).string()},
                  {"ecco_version", config.ecco_version},
                  {"model_output_dir", config.model_output_dir},
                  {"processed_output_dir", config.processed_output_dir},
                  {"overwrite", opt.overwrite},
                  {"grid_mapping", config.grid_mapping},
                  {"log_name", opt.log_name},
                  {"workers_replaced", outcome.pool.workers_replaced}};
  auto report = run::build_report(record);
  const std::string report_path = report_location(config, opt, start);
  publish_report(report_path, report);

  fmt::print("{}Report: {}\n", run::human_summary(report, 3), report_path);
  std::fflush(stdout);
  const auto& totals = report.at("totals");
  const bool failed = totals.at("by_status").contains("FAILED") || totals.at("jobs_not_planned").get<int>() > 0;
  exit_code = run_exit_code(outcome.pool.interrupted, failed, run::count_unavailable(record.results));
}

// ---- granary plan ecco ----------------------------------------------------------------------

struct PlanOptions {
  std::string config, jobs, plan, log_name;
  std::optional<std::size_t> units, jobs_per_unit;
  bool overwrite = false, grid_mapping = false;

  std::string command_line() const {
    std::string text = fmt::format("granary plan ecco --config {} --jobs {} --plan {}", config, jobs, plan);
    if (units) text += fmt::format(" --units {}", *units);
    if (jobs_per_unit) text += fmt::format(" --jobs-per-unit {}", *jobs_per_unit);
    if (overwrite) text += " --overwrite";
    if (grid_mapping) text += " --grid-mapping";
    if (!log_name.empty()) text += " --log-name " + log_name;
    return text;
  }
};

void run_plan_command(const PlanOptions& opt) {
  auto config = ecco::load_run_config(opt.config);
  files::check_writable(config.processed_output_dir, files::Kind::Directory,
                        fmt::format("{}: 'processed_output_dir'", config.source.string()));
  files::check_writable(opt.plan, files::Kind::Directory, "--plan");
  config.grid_mapping |= opt.grid_mapping;
  auto metadata = load_metadata(config);
  auto groupings = all_groupings(metadata);
  auto jobs = ecco::read_jobs_file(opt.jobs, groupings);
  auto plans = plan_jobs(jobs, groupings, config, /*log_errors=*/true);
  const auto tasks = collect_tasks(plans);
  if (tasks.jobs.empty()) fail("{}: no task to plan ({} job(s), none with timesteps to run)", opt.jobs, jobs.size());
  run::PlanHeader header;
  header.recipe = "ecco";
  header.parameters = ecco_plan_parameters(opt.config, opt.overwrite, opt.grid_mapping, tasks.need_factors);
  header.parameters["job_errors"] = tasks.errors;
  header.parameters["job_warnings"] = tasks.warnings;
  header.command = opt.command_line();
  header.log_name = opt.log_name;
  write_and_announce_plan(opt.plan, header, tasks.jobs, opt.units, opt.jobs_per_unit,
                          fmt::format("ECCO task(s) of {} job(s){}", jobs.size(),
                                      tasks.errors.empty() ? "" : fmt::format(" ({} job(s) cannot run)", tasks.errors.size())),
                          config.processed_output_dir);
  exit_code = tasks.errors.empty() ? 0 : 1;
}

}  // namespace

void add_plan_ecco_command(CLI::App& plan) {
  auto opt = std::make_shared<PlanOptions>();
  auto* cmd = plan.add_subcommand("ecco", "Plan the jobs of a jobs file (one job per product task) for any engine");
  cmd->add_option("--config", opt->config, "Run config YAML (its text goes into the plan)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--jobs", opt->jobs, "Jobs file (see `granary ecco jobs`)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--plan", opt->plan, "Plan directory to write (path or s3://bucket/prefix; must not hold a plan)")->required();
  cmd->add_option("--units", opt->units, "Units of work (array tasks); default: one per task");
  cmd->add_option("--jobs-per-unit", opt->jobs_per_unit, "Tasks per unit of work (instead of --units)");
  cmd->add_flag("--overwrite", opt->overwrite, "Rewrite outputs that exist (default: skip them)");
  cmd->add_flag("--grid-mapping", opt->grid_mapping, "Lat-lon products get a CF crs variable (see ecco run --grid-mapping)");
  cmd->add_option("--log-name", opt->log_name, "A tag for the run (in the plan, the Slurm job name and the report)");
  cmd->callback([opt] { run_plan_command(*opt); });
}

void add_ecco_jobs_command(CLI::App& ecco) {
  auto opt = std::make_shared<JobsOptions>();
  auto* cmd = ecco.add_subcommand(
      "jobs", "Write a jobs file (grouping,product,frequency,timesteps per line) from flags, --all, or prompts");
  cmd->add_option("--config", opt->config, "Run config YAML (for the metadata directory)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", opt->out, "Jobs file to write (atomically)")->required();
  cmd->add_option("--grouping", opt->groupings, "Grouping number; repeat for several jobs")
      ->allow_extra_args(false)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--product", opt->products, "native or latlon (once for all jobs, or once per --grouping)")
      ->allow_extra_args(false);
  cmd->add_option("--frequency", opt->frequencies, "AVG_MON, AVG_DAY or SNAP (once, or once per --grouping)")
      ->allow_extra_args(false);
  cmd->add_option("--timesteps", opt->timesteps,
                  "all (default), N (the first N) or a list like '[732, 1428]' (once, or once per --grouping)")
      ->allow_extra_args(false);
  cmd->add_flag("--all", opt->all, "Every grouping x frequency of both products, 3D groupings first");
  cmd->add_flag("--interactive", opt->interactive, "Prompt for the jobs even when stdin is not a terminal");
  cmd->callback([opt] { run_jobs_command(*opt); });
}

void add_ecco_run_command(CLI::App& ecco) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = ecco.add_subcommand("run", "Run the jobs of a jobs file: ECCO products in a local process pool");
  cmd->add_option("--config", opt->config, "Run config YAML")->required()->check(CLI::ExistingFile);
  cmd->add_option("--jobs", opt->jobs, "Jobs file (see `granary ecco jobs`)")->required()->check(CLI::ExistingFile);
  add_parallelism_option(*cmd, "-j,--workers", opt->workers, "Worker processes (default: number of cores; 1 runs in-process)");
  cmd->add_flag("--dry-run", opt->dry_run, "Print the plan (jobs, timesteps, output files) and exit");
  cmd->add_flag("--require-input", opt->require_input, "Ask before each job: y(es), n(o), a(ll), q(uit)");
  cmd->add_flag("--overwrite", opt->overwrite, "Rewrite outputs that exist (default: skip them)");
  cmd->add_flag("--grid-mapping", opt->grid_mapping,
                "Lat-lon products get a CF `crs` variable (WGS 84, EPSG:4326) named by grid_mapping on their data "
                "variables, so GDAL and GIS tools find their CRS (as config key grid_mapping: true). Off by default: "
                "the products stay as the original makes them. Only lat-lon products change: native (LLC tile) "
                "products are written without it, no error. Outputs that exist are skipped as they are: add "
                "--overwrite to rewrite them");
  cmd->add_option("--report", opt->report,
                  "Run report path (default: {processed_output_dir}/reports/run-YYYYmmddTHHMMSS.json)");
  cmd->add_option("--log-name", opt->log_name, "A tag for the run, kept in its report (the original's --log_name)");
  cmd->callback([opt] { run_run_command(*opt); });
}

}  // namespace granary::cli
