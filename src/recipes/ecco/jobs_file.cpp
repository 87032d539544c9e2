#include "recipes/ecco/jobs_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A whole token as a non-negative integer, or -1.
std::int64_t parse_count(const std::string& token) {
  std::int64_t value = -1;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size() || value < 0) return -1;
  return value;
}

std::string frequencies_of(const Grouping& g) {
  std::vector<std::string> names;
  for (auto f : g.frequencies) names.push_back(to_string(f));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

TimestepSelection TimestepSelection::parse(const std::string& text) {
  std::string body = trim(text);
  TimestepSelection selection;
  if (body.empty()) fail("no timesteps given (expected all, N or a list of timesteps)");
  if (lower(body) == "all") return selection;

  bool bracketed = body.front() == '[';
  if (bracketed) {
    if (body.back() != ']') fail("timestep list '{}' has no closing ']'", body);
    body = body.substr(1, body.size() - 2);
  }
  std::vector<std::string> tokens;
  std::string token;
  for (char c : body + ' ') {
    if (c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c))) {
      if (!token.empty()) tokens.push_back(token);
      token.clear();
    } else {
      token.push_back(c);
    }
  }
  if (tokens.empty()) fail("empty timestep list '{}'", trim(text));
  for (const auto& t : tokens)
    if (parse_count(t) < 0) fail("'{}' is not a timestep (a non-negative integer)", t);

  if (!bracketed && tokens.size() == 1) {
    auto n = parse_count(tokens[0]);
    if (n == 0) fail("timestep count 0: use N >= 1, 'all' or a bracketed list like [0]");
    selection.kind = Kind::First;
    selection.first = static_cast<std::size_t>(n);
    return selection;
  }
  selection.kind = Kind::List;
  for (const auto& t : tokens) selection.list.push_back(parse_count(t));
  std::sort(selection.list.begin(), selection.list.end());
  selection.list.erase(std::unique(selection.list.begin(), selection.list.end()), selection.list.end());
  return selection;
}

std::string TimestepSelection::to_string() const {
  switch (kind) {
    case Kind::All: return "all";
    case Kind::First: return std::to_string(first);
    case Kind::List: return fmt::format("[{}]", fmt::join(list, ", "));
  }
  return "all";
}

std::string Job::to_line() const {
  return fmt::format("{},{},{},{}", grouping, ecco::to_string(product), ecco::to_string(frequency),
                     timesteps.to_string());
}

const Grouping* find_grouping(const std::vector<Grouping>& groupings, Product product, int index) {
  for (const auto& g : groupings)
    if (g.product == product && g.index == index) return &g;
  return nullptr;
}

void validate_job(const Job& job, const std::vector<Grouping>& groupings, const std::string& where) {
  const Grouping* g = find_grouping(groupings, job.product, job.grouping);
  if (!g) {
    int count = 0;
    for (const auto& other : groupings) count += other.product == job.product;
    if (count == 0) fail("{}: no {} groupings are defined", where, to_string(job.product));
    fail("{}: unknown {} grouping {} (valid: 0 to {}; `granary ecco jobs` lists them)", where,
         to_string(job.product), job.grouping, count - 1);
  }
  if (std::find(g->frequencies.begin(), g->frequencies.end(), job.frequency) == g->frequencies.end())
    fail("{}: {} grouping {} ('{}') is not produced at {} (only {})", where, to_string(job.product), job.grouping,
         g->name, to_string(job.frequency), frequencies_of(*g));
}

std::vector<Job> all_jobs(const std::vector<Grouping>& groupings) {
  std::vector<const Grouping*> order;
  for (const auto& g : groupings) order.push_back(&g);
  std::stable_sort(order.begin(), order.end(), [](const Grouping* a, const Grouping* b) {
    auto key = [](const Grouping* g) { return std::tuple(!g->is_3d(), static_cast<int>(g->product), g->index); };
    return key(a) < key(b);
  });
  std::vector<Job> jobs;
  for (const Grouping* g : order)
    for (auto f : g->frequencies) jobs.push_back(Job{g->index, g->product, f, {}, 0});
  return jobs;
}

std::vector<Job> parse_jobs(const std::string& text, const std::string& source,
                            const std::vector<Grouping>& groupings) {
  std::vector<Job> jobs;
  std::size_t pos = 0;
  int line_number = 0;
  while (pos <= text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_number;
    const std::string where = fmt::format("{}:{}", source, line_number);

    std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    if (lower(line) == "done") break;
    if (lower(line) == "all") {
      auto expanded = all_jobs(groupings);
      if (expanded.empty()) fail("{}: 'all' but no groupings are defined", where);
      for (auto& job : expanded) job.line = line_number;
      if (jobs.size() + expanded.size() > kMaxJobsInFile) fail("{}: more than {} jobs", where, kMaxJobsInFile);
      jobs.insert(jobs.end(), expanded.begin(), expanded.end());
      continue;
    }

    // The first three commas separate the fields; the timestep list may hold more.
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (int k = 0; k < 3; ++k) {
      auto comma = line.find(',', start);
      if (comma == std::string::npos)
        fail("{}: expected 'grouping,product,frequency,timesteps' (or 'all' / 'done'), got '{}'", where, line);
      fields.push_back(trim(line.substr(start, comma - start)));
      start = comma + 1;
    }
    fields.push_back(trim(line.substr(start)));

    Job job;
    job.line = line_number;
    auto index = parse_count(fields[0]);
    if (index < 0 || index > 1'000'000) fail("{}: grouping '{}' is not a grouping number", where, fields[0]);
    job.grouping = static_cast<int>(index);
    auto product = parse_product(fields[1]);
    if (!product) fail("{}: unknown product '{}' (expected native or latlon)", where, fields[1]);
    job.product = *product;
    auto frequency = parse_frequency(fields[2]);
    if (!frequency) fail("{}: unknown frequency '{}' (expected AVG_MON, AVG_DAY or SNAP)", where, fields[2]);
    job.frequency = *frequency;
    try {
      job.timesteps = TimestepSelection::parse(fields[3]);
    } catch (const Error& e) {
      fail("{}: {}", where, e.what());
    }
    validate_job(job, groupings, where);
    if (jobs.size() + 1 > kMaxJobsInFile) fail("{}: more than {} jobs", where, kMaxJobsInFile);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

std::vector<Job> read_jobs_file(const std::filesystem::path& path, const std::vector<Grouping>& groupings) {
  if (!std::filesystem::is_regular_file(path)) fail("{}: jobs file not found", path.string());
  return parse_jobs(files::read_text(path), path.string(), groupings);
}

std::string format_jobs(const std::vector<Job>& jobs, const std::vector<Grouping>& groupings) {
  std::string text =
      "# granary ECCO jobs: grouping,product,frequency,timesteps\n"
      "#   timesteps: all | N (the first N available) | [t1, t2, ...]\n"
      "#   a line 'all' runs every grouping x frequency; a line 'done' stops reading\n";
  for (const auto& job : jobs) {
    const Grouping* g = find_grouping(groupings, job.product, job.grouping);
    text += job.to_line();
    if (g) text += fmt::format("  # {} ({})", g->name, g->dimension);
    text += '\n';
  }
  return text;
}

void write_jobs_file(const std::filesystem::path& path, const std::vector<Job>& jobs,
                     const std::vector<Grouping>& groupings) {
  files::write_atomic(path, format_jobs(jobs, groupings));
}

}  // namespace granary::ecco
