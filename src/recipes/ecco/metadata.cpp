#include "recipes/ecco/metadata.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>

#include "io/store.hpp"
#include "recipes/ecco/locations.hpp"
#include "recipes/ecco/metadata_json.hpp"
#include "recipes/ecco/naming.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;
namespace mj = metadata_json;
namespace {

// The files directly in the metadata directory: a local directory or an s3:// prefix.
class MetadataDir {
 public:
  explicit MetadataDir(std::string dir) : dir_(std::move(dir)) {
    if (is_remote(dir_)) {
      store_ = io::open_store(dir_);
      for (const auto& object : store_->list(""))
        if (object.key.find('/') == std::string::npos) names_.push_back(object.key);
      if (names_.empty()) fail("{}: metadata directory not found (no objects under this prefix)", dir_);
      return;
    }
    if (!fs::is_directory(dir_)) fail("{}: metadata directory not found", dir_);
    for (const auto& entry : fs::directory_iterator(dir_))
      if (entry.is_regular_file()) names_.push_back(entry.path().filename().string());
  }
  const std::string& where() const { return dir_; }
  const std::vector<std::string>& names() const { return names_; }
  std::string uri(const std::string& name) const { return join_uri(dir_, name); }
  std::string read(const std::string& name) const {
    if (!store_) return files::read_text(uri(name));
    auto bytes = store_->get(name);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

 private:
  std::string dir_;
  std::unique_ptr<io::Store> store_;  // remote only
  std::vector<std::string> names_;
};

// The file whose name is `suffix` or ends with "_" + suffix; exactly one must exist.
std::string find_metadata_file(const MetadataDir& dir, const std::string& suffix) {
  std::vector<std::string> found;
  for (const auto& name : dir.names()) {
    bool match = name == suffix || (name.size() > suffix.size() &&
                                    name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                                    name[name.size() - suffix.size() - 1] == '_');
    if (match) found.push_back(name);
  }
  if (found.empty()) fail("{}: missing metadata file *_{}", dir.where(), suffix);
  if (found.size() > 1) {
    std::sort(found.begin(), found.end());
    fail("{}: {} files end with _{} ({} and {}); keep one", dir.where(),
         found.size(), suffix, found[0], found[1]);
  }
  return found.front();
}

struct JsonFile {
  std::string source;
  std::vector<nlohmann::json> entries;
};

JsonFile read_json_list(const MetadataDir& dir, const std::string& suffix) {
  auto name = find_metadata_file(dir, suffix);
  JsonFile f{dir.uri(name), {}};
  f.entries = mj::entries(mj::parse(dir.read(name), f.source), f.source);
  return f;
}

// The PO.DAAC table: a local file or an s3:// object.
std::string read_podaac_table(const std::string& uri) {
  if (!is_remote(uri)) {
    if (!fs::is_regular_file(uri)) fail("{}: PO.DAAC dataset table not found", uri);
    return files::read_text(uri);
  }
  auto store = io::open_store(io::parent_uri(uri));
  const auto key = io::basename_of(uri);
  if (!store->exists(key)) fail("{}: PO.DAAC dataset table not found (no such object)", uri);
  auto bytes = store->get(key);
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

nc::AttrValue attribute_value(const nlohmann::json& v, const std::string& key, const std::string& at) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::vector<std::int64_t>{v.get<std::int64_t>()};
  if (v.is_number_float()) return std::vector<double>{v.get<double>()};
  fail("{}: key '{}' must be a string or a number, got {}", at, key, v.type_name());
}

const std::set<std::string> kVariableKeysNotAttributes = {
    "grid_dimension", "name",          "GCMD_keywords", "variable_rename", "comments_1",
    "comments_2",     "internal_note", "internal note", "grid_location"};

std::vector<VariableMeta> parse_variables(const JsonFile& file) {
  std::vector<VariableMeta> out;
  for (std::size_t i = 0; i < file.entries.size(); ++i) {
    const auto& e = file.entries[i];
    const auto at = mj::where(file.source, i, e);
    VariableMeta v;
    v.source = file.source;
    v.name = mj::trim(mj::required_string(e, "name", file.source, i));
    // The original merges both comment keys and insists on both being present.
    v.comments_1 = mj::required_string(e, "comments_1", file.source, i);
    v.comments_2 = mj::required_string(e, "comments_2", file.source, i);
    v.long_name = mj::optional_string(e, "long_name", file.source, i);
    v.units = mj::optional_string(e, "units", file.source, i);
    v.standard_name = mj::optional_string(e, "standard_name", file.source, i);
    v.coverage_content_type = mj::optional_string(e, "coverage_content_type", file.source, i);
    v.direction = mj::optional_string(e, "direction", file.source, i);
    v.grid_dimension = mj::optional_string(e, "grid_dimension", file.source, i);
    v.grid_location = mj::optional_string(e, "grid_location", file.source, i);
    v.gcmd_keywords = mj::split_list(mj::optional_string(e, "GCMD_keywords", file.source, i));
    for (const auto& [key, value] : e.items())  // nlohmann objects iterate in key order, as sorted()
      if (!kVariableKeysNotAttributes.count(key)) v.attributes.push_back({key, attribute_value(value, key, at)});
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<CoordinateMeta> parse_coordinates(const JsonFile& file) {
  std::vector<CoordinateMeta> out;
  for (std::size_t i = 0; i < file.entries.size(); ++i) {
    const auto& e = file.entries[i];
    const auto at = mj::where(file.source, i, e);
    CoordinateMeta c;
    c.source = file.source;
    c.name = mj::trim(mj::required_string(e, "name", file.source, i));
    c.grid_dimension = mj::optional_string(e, "grid_dimension", file.source, i);
    for (const auto& [key, value] : e.items())
      if (key != "name" && key != "grid_dimension") c.attributes.push_back({key, attribute_value(value, key, at)});
    out.push_back(std::move(c));
  }
  return out;
}

double parse_double(const std::string& text, const std::string& at) {
  auto t = mj::trim(text);
  double v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) fail("{}: value '{}' is not a number", at, text);
  return v;
}

std::int32_t to_int32(double v, const std::string& at) {
  if (!std::isfinite(v) || v != std::trunc(v) || v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max())
    fail("{}: value {} is not a 32-bit integer (type 'i')", at, v);
  return static_cast<std::int32_t>(v);
}

std::vector<GlobalMetaEntry> parse_globals(const JsonFile& file) {
  std::vector<GlobalMetaEntry> out;
  for (std::size_t i = 0; i < file.entries.size(); ++i) {
    const auto& e = file.entries[i];
    const auto at = mj::where(file.source, i, e);
    GlobalMetaEntry g;
    g.name = mj::trim(mj::required_string(e, "name", file.source, i));
    const auto type = mj::trim(mj::required_string(e, "type", file.source, i));
    g.grid_dimension = mj::optional_string(e, "grid_dimension", file.source, i);
    auto value = e.find("value");
    if (value == e.end()) fail("{}: missing required key 'value'", at);
    const bool text = value->is_string();
    if (type != "s" && type != "f" && type != "i") fail("{}: type '{}' is not one of s, f, i", at, type);
    if (text && value->get<std::string>().find("TBD_") != std::string::npos) {
      g.value = value->get<std::string>();  // a placeholder the producer fills in
    } else if (type == "s") {
      if (!text) fail("{}: type 's' needs a string value, got {}", at, value->type_name());
      g.value = value->get<std::string>();
    } else {
      double v = 0;
      if (text) v = parse_double(value->get<std::string>(), at);
      else if (value->is_number()) v = value->get<double>();
      else fail("{}: type '{}' needs a number, got {}", at, type, value->type_name());
      if (type == "f") g.value = std::vector<double>{v};  // Python float(): a double attribute
      else g.value = std::vector<std::int32_t>{to_int32(v, at)};
    }
    out.push_back(std::move(g));
  }
  return out;
}

template <typename T>
const T* find_by_name(const std::vector<T>& list, const std::string& name) {
  for (const auto& item : list)
    if (item.name == name) return &item;
  return nullptr;
}

}  // namespace

std::string VariableMeta::comment() const {
  if (!comments_1.empty() && !comments_2.empty())
    return comments_1 + (comments_1.back() == '.' ? " " : ". ") + comments_2;
  return comments_1.empty() ? comments_2 : comments_1;
}

bool GlobalMetaEntry::applies_to(const std::string& dimension) const {
  return grid_dimension.empty() || grid_dimension.find(dimension) != std::string::npos;
}

Metadata Metadata::load(const std::string& dir_uri, const std::string& podaac_csv) {
  const MetadataDir dir(dir_uri);
  Metadata m;
  m.dir_ = dir_uri;

  auto read_groupings = [&](const std::string& suffix, Product p, std::string& source) {
    auto name = find_metadata_file(dir, suffix);
    source = dir.uri(name);
    return parse_groupings(dir.read(name), p, source);
  };
  m.native_groupings_ = read_groupings("groupings_for_native_datasets.json", Product::Native, m.native_groupings_source_);
  m.latlon_groupings_ = read_groupings("groupings_for_latlon_datasets.json", Product::Latlon, m.latlon_groupings_source_);

  m.variables_ = parse_variables(read_json_list(dir, "variable_metadata.json"));
  m.latlon_variables_ = parse_variables(read_json_list(dir, "variable_metadata_for_latlon_datasets.json"));
  m.geometry_native_ = parse_variables(read_json_list(dir, "geometry_metadata_for_native_datasets.json"));
  m.geometry_latlon_ = parse_variables(read_json_list(dir, "geometry_metadata_for_latlon_datasets.json"));
  m.coordinates_native_ = parse_coordinates(read_json_list(dir, "coordinate_metadata_for_native_datasets.json"));
  m.coordinates_latlon_ = parse_coordinates(read_json_list(dir, "coordinate_metadata_for_latlon_datasets.json"));
  m.global_all_ = parse_globals(read_json_list(dir, "global_metadata_for_all_datasets.json"));
  m.global_native_ = parse_globals(read_json_list(dir, "global_metadata_for_native_datasets.json"));
  m.global_latlon_ = parse_globals(read_json_list(dir, "global_metadata_for_latlon_datasets.json"));

  const std::string csv = podaac_csv.empty() ? std::string(kDefaultPodaacCsv) : podaac_csv;
  m.podaac_csv_ = is_remote(csv) || fs::path(csv).is_absolute() ? csv : dir.uri(csv);
  m.podaac_rows_ = parse_podaac_csv(read_podaac_table(m.podaac_csv_), m.podaac_csv_);
  return m;
}

const std::vector<Grouping>& Metadata::groupings(Product p) const {
  return p == Product::Native ? native_groupings_ : latlon_groupings_;
}

const Grouping& Metadata::grouping(Product p, int index) const {
  const auto& list = groupings(p);
  const auto& source = p == Product::Native ? native_groupings_source_ : latlon_groupings_source_;
  if (list.empty()) fail("{}: no {} groupings, so there is no grouping {}", source, to_string(p), index);
  if (index < 0 || static_cast<std::size_t>(index) >= list.size())
    fail("{}: unknown {} grouping {} (the file has {} groupings, 0-{})", source, to_string(p), index, list.size(),
         list.size() - 1);
  return list[static_cast<std::size_t>(index)];
}

const VariableMeta* Metadata::native_variable(const std::string& name) const {
  if (auto v = find_by_name(variables_, name)) return v;
  return find_by_name(geometry_native_, name);
}

const VariableMeta* Metadata::latlon_override(const std::string& name) const {
  return find_by_name(latlon_variables_, name);
}

const VariableMeta* Metadata::variable(const std::string& name, Product p) const {
  if (p == Product::Latlon)
    if (auto v = latlon_override(name)) return v;
  return native_variable(name);
}

const VariableMeta* Metadata::geometry(const std::string& name, Product p) const {
  return find_by_name(p == Product::Native ? geometry_native_ : geometry_latlon_, name);
}

const CoordinateMeta* Metadata::coordinate(const std::string& name, Product p) const {
  return find_by_name(p == Product::Native ? coordinates_native_ : coordinates_latlon_, name);
}

const std::vector<GlobalMetaEntry>& Metadata::global_entries(std::optional<Product> p) const {
  if (!p) return global_all_;
  return *p == Product::Native ? global_native_ : global_latlon_;
}

PodaacEntry Metadata::podaac(const Grouping& grouping, Frequency f, const ProductStrings& strings) const {
  auto pattern = dataset_file_pattern(grouping, f, strings);
  for (const auto& row : podaac_rows_) {
    if (!pattern.matches(row.file_name)) continue;
    PodaacEntry e;
    e.row = row;
    e.id = row.persistent_id;
    const std::string prefix = "PODAAC-";
    if (auto at = e.id.find(prefix); at != std::string::npos) e.id.replace(at, prefix.size(), strings.doi_prefix + "/");
    e.metadata_link = strings.metadata_link_root + row.short_name;
    e.title = row.long_name;
    return e;
  }
  fail("{}: no dataset whose DATASET.FILENAME looks like {}*{} (grouping {} '{}', {}, {})", podaac_csv_,
       pattern.head, pattern.tail, grouping.index, grouping.name, to_string(grouping.product), to_string(f));
}

}  // namespace granary::ecco
