#include "formats/mds/meta.hpp"

#include <filesystem>
#include <regex>

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

std::vector<std::string> split_numbers(const std::string& body) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : body) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

double to_double(const std::string& s, const std::string& source, const std::string& key) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    fail("{}: {} has a value '{}' that is not a number", source, key, s);
  }
}

}  // namespace

Meta parse_meta(const std::string& text, const std::string& source) {
  static const std::regex entry(R"((\w+)\s*=\s*[\[\{]([^\]\}]*)[\]\}]\s*;)");
  Meta m;
  bool have_dims = false, have_prec = false;
  std::vector<std::int64_t> dim_list;
  for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it) {
    std::string key = (*it)[1], body = (*it)[2];
    if (key == "fldList") {
      static const std::regex quoted(R"('([^']*)')");
      for (std::sregex_iterator q(body.begin(), body.end(), quoted), qe; q != qe; ++q) {
        std::string name = (*q)[1];
        while (!name.empty() && name.back() == ' ') name.pop_back();
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        m.fields.push_back(name);
      }
      continue;
    }
    if (key == "dataprec") {
      static const std::regex quoted(R"('\s*(\w+)\s*')");
      std::smatch q;
      if (!std::regex_search(body, q, quoted)) fail("{}: dataprec is not a quoted string", source);
      if (q[1] == "float32") m.precision = Precision::Float32;
      else if (q[1] == "float64") m.precision = Precision::Float64;
      else fail("{}: dataprec '{}' is not float32 or float64", source, std::string(q[1]));
      have_prec = true;
      continue;
    }
    auto values = split_numbers(body);
    auto num = [&](std::size_t i) { return to_double(values.at(i), source, key); };
    if (values.empty()) continue;
    if (key == "nDims") m.n_dims = static_cast<int>(num(0));
    else if (key == "dimList") {
      for (std::size_t i = 0; i < values.size(); ++i) dim_list.push_back(static_cast<std::int64_t>(num(i)));
      have_dims = true;
    } else if (key == "nrecords") m.n_records = static_cast<std::int64_t>(num(0));
    else if (key == "timeStepNumber") m.time_step = static_cast<std::int64_t>(num(0));
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
  for (int d = 0; d < m.n_dims; ++d) {
    auto global = dim_list[3 * d];
    if (global <= 0) fail("{}: dimension {} has size {}", source, d, global);
    m.dims.push_back(global);
  }
  if (m.n_records <= 0) fail("{}: nrecords = {}", source, m.n_records);
  return m;
}

Meta read_meta(const std::string& path) { return parse_meta(files::read_text(path), path); }

std::string meta_path_for(const std::string& data_path) {
  static const std::regex ext(R"(\.(data|bin)$)");
  return std::regex_replace(data_path, ext, "") + ".meta";
}

std::optional<std::int64_t> timestep_from_name(const std::string& path) {
  static const std::regex ts(R"(\.(\d{10})\.(data|meta)$)");
  std::smatch m;
  if (std::regex_search(path, m, ts)) return std::stoll(m[1]);
  return std::nullopt;
}

}  // namespace granary::mds
