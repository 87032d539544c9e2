#include "formats/mds/meta.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <string_view>

#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::mds {

std::size_t bytes_of(Precision p) { return p == Precision::Float32 ? 4 : 8; }

std::int64_t Meta::values_per_record() const {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

std::uint64_t Meta::expected_bytes() const {
  return static_cast<std::uint64_t>(values_per_record()) * static_cast<std::uint64_t>(n_records) *
         bytes_of(precision);
}

namespace {

// Everything here scans left to right without recursion or backtracking: .meta files come from
// outside, and std::regex recursed once per character (a long bracketed value overflowed the stack).

// A file claiming more values than this is crafted or corrupt (ECCO's largest is ~10^9).
constexpr std::int64_t kMaxValues = std::int64_t{1} << 40;
constexpr int kMaxDims = 16;

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)); }

struct Entry {
  std::string_view key, body;
};

// Finds every `key = [ body ];` or `key = { body };` (the closing bracket is the first ] or }
// after the opening one, whichever its kind). Text between entries is ignored, as MITgcm's own
// reader does; an entry that opens but never closes is an error.
std::vector<Entry> scan_entries(std::string_view t, const std::string& source) {
  std::vector<Entry> out;
  std::size_t i = 0, n = t.size();
  // The first closing bracket at or after a position only moves forward as the position does:
  // remembering it keeps a run of unclosed openings linear.
  std::size_t close = std::string_view::npos, semicolon = std::string_view::npos;
  bool have_close = false;
  while (i < n) {
    if (!is_word(t[i])) {
      ++i;
      continue;
    }
    std::size_t key_begin = i;
    while (i < n && is_word(t[i])) ++i;
    std::string_view key = t.substr(key_begin, i - key_begin);
    std::size_t j = i;
    while (j < n && is_space(t[j])) ++j;
    if (j >= n || t[j] != '=') continue;
    ++j;
    while (j < n && is_space(t[j])) ++j;
    if (j >= n || (t[j] != '[' && t[j] != '{')) continue;
    std::size_t body_begin = ++j;
    if (!have_close || (close != std::string_view::npos && close < body_begin)) {
      close = t.find_first_of("]}", body_begin);
      have_close = true;
      if (close != std::string_view::npos) {
        std::size_t k = close + 1;
        while (k < n && is_space(t[k])) ++k;
        semicolon = (k < n && t[k] == ';') ? k : std::string_view::npos;
      }
    }
    if (close == std::string_view::npos)
      fail("{}: entry {} is not terminated (no closing ] or }})", source, key);
    if (semicolon == std::string_view::npos) continue;  // not an entry; look again after the key
    out.push_back({key, t.substr(body_begin, close - body_begin)});
    i = semicolon + 1;
  }
  return out;
}

std::vector<std::string> split_numbers(std::string_view body) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : body) {
    if (c == ',' || is_space(c)) {
      if (!cur.empty()) out.push_back(cur), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

double to_double(const std::string& s, const std::string& source, std::string_view key) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    fail("{}: {} has a value '{}' that is not a number", source, key, s);
  }
}

// A count or size: a finite number within int64 (casting a larger double is undefined).
std::int64_t to_count(const std::string& s, const std::string& source, std::string_view key) {
  double v = to_double(s, source, key);
  if (!std::isfinite(v) || std::fabs(v) > static_cast<double>(kMaxValues))
    fail("{}: {} has a value {} that is out of range", source, key, s);
  return static_cast<std::int64_t>(v);
}

// fldList = { 'SSH     ' 'THETA   ' }: each quoted name, trimmed of spaces.
std::vector<std::string> quoted_names(std::string_view body, const std::string& source) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = body.find('\'', i)) != std::string_view::npos) {
    std::size_t end = body.find('\'', i + 1);
    if (end == std::string_view::npos) fail("{}: fldList has an unterminated quote", source);
    std::string_view name = body.substr(i + 1, end - i - 1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    out.emplace_back(name);
    i = end + 1;
  }
  return out;
}

// dataprec = [ 'float32' ]: the first quoted word (spaces around it allowed).
std::optional<std::string_view> quoted_word(std::string_view body) {
  std::size_t q = 0;
  while ((q = body.find('\'', q)) != std::string_view::npos) {
    std::size_t i = q + 1;
    while (i < body.size() && is_space(body[i])) ++i;
    std::size_t word = i;
    while (i < body.size() && is_word(body[i])) ++i;
    std::size_t word_end = i;
    while (i < body.size() && is_space(body[i])) ++i;
    if (word_end > word && i < body.size() && body[i] == '\'') return body.substr(word, word_end - word);
    q = (i < body.size() && body[i] == '\'') ? i : q + 1;
  }
  return std::nullopt;
}

}  // namespace

Meta parse_meta(const std::string& text, const std::string& source) {
  Meta m;
  bool have_dims = false, have_prec = false;
  std::vector<std::int64_t> dim_list;
  for (const auto& entry : scan_entries(text, source)) {
    const std::string_view key = entry.key, body = entry.body;  // not bindings: clang 14 lambdas cannot capture those
    if (key == "fldList") {
      for (auto& name : quoted_names(body, source)) m.fields.push_back(std::move(name));
      continue;
    }
    if (key == "dataprec") {
      auto word = quoted_word(body);
      if (!word) fail("{}: dataprec is not a quoted string", source);
      if (*word == "float32") m.precision = Precision::Float32;
      else if (*word == "float64") m.precision = Precision::Float64;
      else fail("{}: dataprec '{}' is not float32 or float64", source, *word);
      have_prec = true;
      continue;
    }
    auto values = split_numbers(body);
    auto num = [&](std::size_t i) { return to_double(values.at(i), source, key); };
    auto count = [&](std::size_t i) { return to_count(values.at(i), source, key); };
    if (values.empty()) continue;
    if (key == "nDims") {
      auto n = count(0);
      if (n > kMaxDims) fail("{}: nDims = {} (at most {})", source, n, kMaxDims);
      m.n_dims = static_cast<int>(n);
    } else if (key == "dimList") {
      if (values.size() > 3 * kMaxDims) fail("{}: dimList has {} numbers (at most {})", source, values.size(), 3 * kMaxDims);
      for (std::size_t i = 0; i < values.size(); ++i) dim_list.push_back(count(i));
      have_dims = true;
    } else if (key == "nrecords") m.n_records = count(0);
    else if (key == "timeStepNumber") m.time_step = count(0);
    else if (key == "timeInterval") {
      if (values.size() == 2) m.time_interval = std::array<double, 2>{num(0), num(1)};
      else if (values.size() == 1) m.time_interval = std::array<double, 2>{num(0), num(0)};
    } else if (key == "missingValue") m.missing_value = num(0);
  }
  if (!have_dims) fail("{}: not an MDS .meta file (no dimList)", source);
  if (!have_prec) fail("{}: not an MDS .meta file (no dataprec)", source);
  if (m.n_dims <= 0) m.n_dims = static_cast<int>(dim_list.size() / 3);
  if (dim_list.size() != static_cast<std::size_t>(3 * m.n_dims))
    fail("{}: dimList has {} numbers but nDims = {} needs {}", source, dim_list.size(), m.n_dims,
         3 * m.n_dims);
  // Bounded before anyone allocates from it: each size and the total stay below kMaxValues,
  // so no product overflows.
  std::int64_t total = 1;
  for (int d = 0; d < m.n_dims; ++d) {
    auto global = dim_list[3 * d];
    if (global <= 0) fail("{}: dimList: dimension {} has size {}", source, d, global);
    if (total > kMaxValues / global)
      fail("{}: dimList: the dimensions' product exceeds {} values", source, kMaxValues);
    total *= global;
    m.dims.push_back(global);
  }
  if (m.n_records <= 0) fail("{}: nrecords = {}", source, m.n_records);
  if (total > kMaxValues / m.n_records)
    fail("{}: nrecords: {} records of {} values exceed {} values", source, m.n_records, total, kMaxValues);
  return m;
}

Meta read_meta(const std::string& path) { return parse_meta(files::read_text(path), path); }

namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

std::string meta_path_for(const std::string& data_path) {
  std::string_view p = data_path;
  if (ends_with(p, ".data")) p.remove_suffix(5);
  else if (ends_with(p, ".bin")) p.remove_suffix(4);
  return std::string(p) + ".meta";
}

std::optional<std::int64_t> timestep_from_name(const std::string& path) {
  // ".0000000732.data" or ".0000000732.meta" at the end: exactly ten digits between two dots.
  std::string_view p = path;
  if (!ends_with(p, ".data") && !ends_with(p, ".meta")) return std::nullopt;
  p.remove_suffix(5);
  if (p.size() < 11 || p[p.size() - 11] != '.') return std::nullopt;
  auto digits = p.substr(p.size() - 10);
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(std::string(digits));
}

}  // namespace granary::mds
