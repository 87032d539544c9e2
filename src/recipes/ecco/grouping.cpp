#include "recipes/ecco/grouping.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "recipes/ecco/metadata_json.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

namespace mj = metadata_json;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "TI" marks time-invariant groupings (e.g. mixing coefficients) in the V4r4 files.
constexpr const char* kTimeInvariant = "TI";

void parse_frequencies(Grouping& g, const std::string& text, const std::string& at) {
  auto codes = mj::split_list(text);
  if (codes.empty()) fail("{}: 'frequency' is empty (expected e.g. \"AVG_DAY, AVG_MON, SNAP\")", at);
  for (const auto& code : codes) {
    if (upper(code) == kTimeInvariant) {
      g.time_invariant = true;
      continue;
    }
    auto f = parse_frequency(code);
    if (!f) fail("{}: unknown frequency '{}' (expected AVG_MON, AVG_DAY, SNAP or TI)", at, code);
    if (!g.has_frequency(*f)) g.frequencies.push_back(*f);
  }
}

void parse_components(Grouping& g, const nlohmann::json& entry, const std::string& at) {
  auto it = entry.find("field_components");
  if (it == entry.end()) return;
  if (!it->is_object()) fail("{}: 'field_components' must be an object", at);
  for (const auto& item : it->items()) {
    const std::string& field = item.key();  // not structured bindings: clang 14 lambdas cannot capture those
    const nlohmann::json& xy = item.value();
    if (std::find(g.fields.begin(), g.fields.end(), field) == g.fields.end())
      fail("{}: field_components names '{}', which is not one of the grouping's fields", at, field);
    auto component = [&](const char* axis) {
      auto c = xy.find(axis);
      if (!xy.is_object() || c == xy.end() || !c->is_string() || c->get<std::string>().empty())
        fail("{}: field_components['{}'] needs string members \"x\" and \"y\"", at, field);
      return c->get<std::string>();
    };
    g.components[field] = {component("x"), component("y")};
  }
}

void parse_orientations(Grouping& g, const nlohmann::json& entry, const std::string& at) {
  auto it = entry.find("field_orientations");
  if (it == entry.end()) return;
  if (!it->is_object()) fail("{}: 'field_orientations' must be an object", at);
  for (const auto& [field, orientation] : it->items()) {
    if (!g.is_vector(field))
      fail("{}: field_orientations names '{}', which has no field_components entry", at, field);
    if (!orientation.is_string()) fail("{}: field_orientations['{}'] must be a string", at, field);
    g.orientations[field] = orientation.get<std::string>();
  }
}

// "WVELMASS:WVEL" or several pairs separated by commas (as the original splits them).
void parse_renames(Grouping& g, const std::string& text, const std::string& at) {
  for (const auto& pair : mj::split_list(text)) {
    auto colon = pair.find(':');
    auto from = mj::trim(pair.substr(0, colon));
    auto to = colon == std::string::npos ? std::string() : mj::trim(pair.substr(colon + 1));
    if (colon == std::string::npos || from.empty() || to.empty() || to.find(':') != std::string::npos)
      fail("{}: variable_rename '{}' is not of the form OLD:NEW", at, pair);
    if (std::find(g.fields.begin(), g.fields.end(), from) == g.fields.end())
      fail("{}: variable_rename '{}' renames '{}', which is not one of the grouping's fields", at, pair, from);
    g.renames[from] = to;
  }
}

Grouping parse_one(const nlohmann::json& entry, std::size_t index, Product product, const std::string& source) {
  const std::string at = mj::where(source, index, entry);
  Grouping g;
  g.index = static_cast<int>(index);
  g.product = product;
  g.name = mj::required_string(entry, "name", source, index);
  g.filename = mj::trim(mj::required_string(entry, "filename", source, index));
  if (g.filename.empty()) fail("{}: 'filename' is empty", at);
  g.dimension = mj::trim(mj::required_string(entry, "dimension", source, index));
  if (g.dimension != "1D" && g.dimension != "2D" && g.dimension != "3D")
    fail("{}: dimension '{}' is not one of 1D, 2D, 3D", at, g.dimension);
  g.comment = mj::optional_string(entry, "comment", source, index);
  g.dataset_description = mj::optional_string(entry, "dataset_description", source, index);

  auto declared = mj::optional_string(entry, "product", source, index);
  if (!declared.empty() && lower(mj::trim(declared)) != to_string(product))
    fail("{}: product '{}' in a {} groupings file", at, declared, to_string(product));

  g.fields = mj::split_list(mj::required_string(entry, "fields", source, index));
  if (g.fields.empty()) fail("{}: 'fields' is empty", at);
  std::set<std::string> seen;
  for (const auto& f : g.fields)
    if (!seen.insert(f).second) fail("{}: field '{}' is listed twice", at, f);

  parse_frequencies(g, mj::required_string(entry, "frequency", source, index), at);
  parse_components(g, entry, at);
  parse_orientations(g, entry, at);
  parse_renames(g, mj::optional_string(entry, "variable_rename", source, index), at);
  return g;
}

}  // namespace

std::string to_string(Product p) { return p == Product::Native ? "native" : "latlon"; }

std::string to_string(Frequency f) {
  switch (f) {
    case Frequency::AvgMon: return "AVG_MON";
    case Frequency::AvgDay: return "AVG_DAY";
    case Frequency::Snap: return "SNAP";
  }
  return "?";
}

std::optional<Product> parse_product(const std::string& s) {
  auto l = lower(mj::trim(s));
  if (l == "native") return Product::Native;
  if (l == "latlon") return Product::Latlon;
  return std::nullopt;
}

std::optional<Frequency> parse_frequency(const std::string& s) {
  auto u = upper(mj::trim(s));
  if (u == "AVG_MON") return Frequency::AvgMon;
  if (u == "AVG_DAY") return Frequency::AvgDay;
  if (u == "SNAP" || u == "SNAPSHOT") return Frequency::Snap;
  return std::nullopt;
}

FrequencyLayout layout_of(Frequency f) {
  switch (f) {
    case Frequency::AvgMon: return {"diags_monthly", "mon_mean"};
    case Frequency::AvgDay: return {"diags_daily", "day_mean"};
    case Frequency::Snap: return {"diags_inst", "day_inst"};
  }
  return {};
}

std::vector<std::string> Grouping::input_fields() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const auto& f : fields) {
    auto c = components.find(f);
    if (c == components.end()) {
      add(f);
    } else {
      add(c->second.first);
      add(c->second.second);
    }
  }
  return out;
}

std::string Grouping::output_name(const std::string& field) const {
  auto r = renames.find(field);
  return r == renames.end() ? field : r->second;
}

std::vector<std::string> Grouping::output_names() const {
  std::vector<std::string> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back(output_name(f));
  return out;
}

bool Grouping::has_frequency(Frequency f) const {
  return std::find(frequencies.begin(), frequencies.end(), f) != frequencies.end();
}

std::vector<Grouping> parse_groupings(const std::string& json_text, Product product, const std::string& source) {
  auto list = metadata_json::entries(metadata_json::parse(json_text, source), source);
  std::vector<Grouping> groupings;
  groupings.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) groupings.push_back(parse_one(list[i], i, product, source));
  return groupings;
}

}  // namespace granary::ecco
