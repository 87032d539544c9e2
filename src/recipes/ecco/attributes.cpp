#include "recipes/ecco/attributes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "recipes/ecco/metadata.hpp"
#include "recipes/ecco/metadata_json.hpp"
#include "recipes/ecco/naming.hpp"
#include "util/error.hpp"

namespace granary::ecco {
namespace {

// An attribute list with Python-dict semantics: setting an existing name replaces its value
// in place, a new name goes to the end. This reproduces the original's attribute order.
class AttributeList {
 public:
  AttributeList() = default;
  explicit AttributeList(std::vector<nc::Attribute> attributes) : list_(std::move(attributes)) {}

  void set(const std::string& name, nc::AttrValue value) {
    for (auto& a : list_)
      if (a.name == name) {
        a.value = std::move(value);
        return;
      }
    list_.push_back({name, std::move(value)});
  }
  void erase(const std::string& name) {
    list_.erase(std::remove_if(list_.begin(), list_.end(), [&](const nc::Attribute& a) { return a.name == name; }),
                list_.end());
  }
  const nc::AttrValue* find(const std::string& name) const {
    for (const auto& a : list_)
      if (a.name == name) return &a.value;
    return nullptr;
  }
  const std::string* text(const std::string& name) const {
    auto v = find(name);
    return v ? std::get_if<std::string>(v) : nullptr;
  }
  std::vector<nc::Attribute> take() { return std::move(list_); }

 private:
  std::vector<nc::Attribute> list_;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string hex_uuid_v4(std::array<unsigned char, 16> b) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += fmt::format("{:02x}", b[static_cast<std::size_t>(i)]);
  }
  return s;
}

}  // namespace

nc::Encoding data_variable_encoding() {
  nc::Encoding e;
  e.deflate = true;
  e.level = 5;
  e.shuffle = true;
  e.fill_value = kFillValueFloat32;
  return e;
}

nc::Encoding coordinate_encoding() { return nc::Encoding{}; }

nc::Type coordinate_type(const std::string& coordinate) {
  static const std::set<std::string> integers = {"time", "time_bnds", "time_step", "i",   "j",  "k",
                                                 "tile", "i_g",       "j_g",       "k_l", "k_u", "k_p1"};
  return integers.count(coordinate) ? nc::Type::Int32 : nc::Type::Float32;
}

std::string coordinates_attribute(const std::vector<std::string>& attached_coordinates) {
  static const std::array<const char*, 9> listed = {"XC", "YC", "XG", "YG", "Z", "Zp1", "Zu", "Zl", "time"};
  std::string out;
  for (const char* name : listed)
    if (std::find(attached_coordinates.begin(), attached_coordinates.end(), name) != attached_coordinates.end())
      out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

std::string local_time_now_iso() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  return text;
}

std::string random_uuid_v4() {
  std::array<unsigned char, 16> bytes{};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(bytes.data()), bytes.size()))
    fail("/dev/urandom: cannot read 16 bytes for a uuid");
  return hex_uuid_v4(bytes);
}

std::string seeded_uuid_v4(std::uint64_t seed) {
  // splitmix64: two well-mixed words from one seed.
  auto next = [&seed]() {
    std::uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::array<unsigned char, 16> bytes{};
  for (int w = 0; w < 2; ++w) {
    auto word = next();
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(8 * w + i)] = static_cast<unsigned char>(word >> (8 * i));
  }
  return hex_uuid_v4(bytes);
}

GranuleStamp GranuleStamp::now() { return {local_time_now_iso(), random_uuid_v4()}; }

GranuleStamp GranuleStamp::fixed(std::string date_created, std::uint64_t seed) {
  return {std::move(date_created), seeded_uuid_v4(seed)};
}

void sort_casefold(std::vector<nc::Attribute>& attributes) {
  std::stable_sort(attributes.begin(), attributes.end(),
                   [](const nc::Attribute& a, const nc::Attribute& b) { return lower(a.name) < lower(b.name); });
}

// ---------------------------------------------------------------------------------- Metadata

std::vector<nc::Attribute> Metadata::variable_attributes(const std::string& name, Product p) const {
  const VariableMeta* base = native_variable(name);
  const VariableMeta* over = p == Product::Latlon ? latlon_override(name) : nullptr;
  if (!base && !over)
    fail("{}: no variable metadata for '{}' (looked in *_variable_metadata.json, "
         "*_geometry_metadata_for_native_datasets.json{})",
         dir_, name, p == Product::Latlon ? ", *_variable_metadata_for_latlon_datasets.json" : "");
  AttributeList list;
  auto apply = [&](const VariableMeta& v) {
    for (const auto& a : v.attributes) list.set(a.name, a.value);
    if (auto comment = v.comment(); !comment.empty()) list.set("comment", comment);
  };
  if (base) apply(*base);
  if (over) apply(*over);
  return list.take();
}

std::vector<nc::Attribute> Metadata::data_variable_attributes(const std::string& name, Product p,
                                                              std::optional<ValidRange> range,
                                                              const std::vector<std::string>& attached) const {
  std::vector<nc::Attribute> out;
  if (range) {
    out.push_back(nc::attr("valid_min", range->min));
    out.push_back(nc::attr("valid_max", range->max));
  }
  for (auto& a : variable_attributes(name, p)) out.push_back(std::move(a));
  if (auto coordinates = coordinates_attribute(attached); !coordinates.empty())
    out.push_back(nc::attr("coordinates", coordinates));
  return out;
}

std::vector<nc::Attribute> Metadata::coordinate_attributes(const std::string& coordinate, Product p, Frequency f,
                                                           const ProductStrings& strings) const {
  const CoordinateMeta* meta = this->coordinate(coordinate, p);
  if (!meta) return {};
  AttributeList list(meta->attributes);
  if (coordinate == "time") {
    list.set("long_name", f == Frequency::Snap ? "snapshot time" : "center time of averaging period");
    if (f == Frequency::Snap) list.erase("bounds");  // snapshots have no time_bnds
  }
  if (coordinate == "time" || coordinate == "time_bnds") {
    // The values are hours since the model start, so the units must say exactly that.
    const std::string expected = strings.clock().time_units();
    if (const nc::AttrValue* units = list.find("units")) {
      auto text = std::get_if<std::string>(units);
      if (!text || *text != expected)
        fail("{}: units of '{}' are '{}', but timesteps count {} (model_start_time {})", meta->source, coordinate,
             text ? *text : std::string("not text"), expected, strings.model_start_time);
    }
    // xarray writes units (from the encoding) and calendar after the other attributes.
    list.erase("units");
    list.set("units", expected);
    list.set("calendar", kCalendar);
  }
  return list.take();
}

std::string Metadata::keywords(const Grouping& grouping) const {
  std::set<std::string> all;  // std::set: sorted and unique, as sorted(set(...)) in the original
  for (const auto& name : grouping.output_names()) {
    if (auto v = native_variable(name)) all.insert(v->gcmd_keywords.begin(), v->gcmd_keywords.end());
    if (grouping.product == Product::Latlon)
      if (auto v = latlon_override(name)) all.insert(v->gcmd_keywords.begin(), v->gcmd_keywords.end());
  }
  const std::string* common = nullptr;
  for (const auto* list : {&global_all_, &global_entries(grouping.product)})
    for (const auto& e : *list)
      if (e.name == "keywords" && e.applies_to(grouping.dimension)) common = std::get_if<std::string>(&e.value);
  if (common)
    for (auto& k : metadata_json::split_list(*common)) all.insert(std::move(k));
  std::string out;
  for (const auto& k : all) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string Metadata::dataset_description(const Grouping& grouping, Frequency f, const ProductStrings& strings) const {
  const char* head = f == Frequency::AvgMon   ? "This dataset contains monthly-averaged "
                     : f == Frequency::AvgDay ? "This dataset contains daily-averaged "
                                              : "This dataset contains instantaneous ";
  const auto& tail = grouping.product == Product::Latlon ? strings.dataset_description_tail_latlon
                                                         : strings.dataset_description_tail_native;
  return head + grouping.name + tail;
}

std::vector<nc::Attribute> Metadata::global_attributes(const Grouping& grouping, const TimeInfo& time,
                                                       const ProductStrings& strings,
                                                       const GranuleStamp& stamp) const {
  AttributeList g;
  for (const auto* list : {&global_all_, &global_entries(grouping.product)})
    for (const auto& e : *list)
      if (e.applies_to(grouping.dimension)) g.set(e.name, e.value);

  g.set("time_coverage_start", time.start_iso);
  g.set("time_coverage_end", time.end_iso);
  for (const char* name : {"date_created", "date_modified", "date_metadata_modified", "date_issued"})
    g.set(name, stamp.date_created);

  // From the run configuration (the original's product_generation_config.yaml).
  if (!strings.history.empty()) g.set("history", strings.history);
  g.set("geospatial_vertical_min", std::vector<double>{strings.geospatial_vertical_min});
  g.set("product_time_coverage_start", strings.model_start_time);
  g.set("product_time_coverage_end", strings.model_end_time);
  g.set("product_version", strings.product_version);
  if (!strings.references.empty()) g.set("references", strings.references);
  if (!strings.source.empty()) g.set("source", strings.source);
  if (!strings.summary.empty()) g.set("summary", strings.summary);
  for (const auto& [key, value] : strings.extra)
    if (g.find(key)) g.set(key, value);

  g.set("keywords", keywords(grouping));
  g.set("uuid", stamp.uuid);
  if (!grouping.comment.empty()) {
    const std::string* comment = g.text("comment");
    g.set("comment", comment ? *comment + " " + grouping.comment : grouping.comment);
  }
  g.set("time_coverage_duration", time.coverage_duration);
  g.set("time_coverage_resolution", time.coverage_resolution);
  g.set("product_name", product_file_name(grouping, time, strings));
  {
    const auto description = dataset_description(grouping, time.frequency, strings);
    const std::string* summary = g.text("summary");
    g.set("summary", summary ? description + " " + *summary : description);
  }
  const PodaacEntry dataset = podaac(grouping, time.frequency, strings);
  g.set("id", dataset.id);
  g.set("metadata_link", dataset.metadata_link);
  g.set("title", dataset.title);

  auto out = g.take();
  sort_casefold(out);
  out.push_back(nc::attr("coordinates_comment",
                         "Note: the global 'coordinates' attribute describes auxillary coordinates."));
  return out;
}

}  // namespace granary::ecco
