#pragma once
// jobs.txt: the list of ECCO jobs to run, one per line (the format of the original ECCO
// dataset production, extended):
//   grouping,product,frequency,timesteps     e.g. 0,latlon,AVG_MON,all
//     timesteps: all | N (the first N available) | [t1, t2, ...] | t1 t2 ... | t1;t2;...
//   all        every grouping x frequency of every product, 3D groupings first
//   done       stop reading here
//   # comment  (full-line or trailing); blank lines are ignored
// Frequencies: AVG_MON, AVG_DAY, SNAP (or SNAPSHOT); products: native, latlon.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "recipes/ecco/grouping.hpp"

namespace granary::ecco {

struct TimestepSelection {
  enum class Kind { All, First, List };
  Kind kind = Kind::All;
  std::size_t first = 0;              // Kind::First: how many (> 0)
  std::vector<std::int64_t> list;     // Kind::List: sorted, unique
  // Parses "all", "12", "[732, 1428]", "732 1428", "732;1428"; throws granary::Error with
  // a message that does not name a file (callers add the location).
  static TimestepSelection parse(const std::string& text);
  std::string to_string() const;      // "all" | "12" | "[732, 1428]"
  bool operator==(const TimestepSelection&) const = default;
};

struct Job {
  int grouping = 0;
  Product product = Product::Latlon;
  Frequency frequency = Frequency::AvgMon;
  TimestepSelection timesteps;
  int line = 0;                       // where it was read; 0 when built in code
  std::string to_line() const;        // "0,latlon,AVG_MON,all": also the job's key in reports
};

// The grouping of `product` with that index, or nullptr. `groupings` holds every grouping
// of every product (Grouping::product tells them apart).
const Grouping* find_grouping(const std::vector<Grouping>& groupings, Product product, int index);

// Checks the job against the groupings (index exists for the product, frequency is one the
// grouping is produced at); throws granary::Error naming `where` (e.g. "jobs.txt:3").
void validate_job(const Job& job, const std::vector<Grouping>& groupings, const std::string& where);

// Every grouping x frequency: 3D groupings first (the longest tasks start first), then by
// product (native, latlon), index and frequency; all timesteps.
std::vector<Job> all_jobs(const std::vector<Grouping>& groupings);

// Jobs one jobs file may list: each 'all' line expands to every grouping x frequency, so a
// small file could otherwise ask for billions.
inline constexpr std::size_t kMaxJobsInFile = 1'000'000;

// Parses jobs text; `source` names the file in errors, which carry the line number.
std::vector<Job> parse_jobs(const std::string& text, const std::string& source,
                            const std::vector<Grouping>& groupings);
std::vector<Job> read_jobs_file(const std::filesystem::path& path, const std::vector<Grouping>& groupings);

// One line per job after an explanatory comment header; written atomically.
std::string format_jobs(const std::vector<Job>& jobs, const std::vector<Grouping>& groupings);
void write_jobs_file(const std::filesystem::path& path, const std::vector<Job>& jobs,
                     const std::vector<Grouping>& groupings);

}  // namespace granary::ecco
