#include "recipes/ecco/podaac_table.hpp"

#include <map>

#include <fmt/format.h>

#include "util/error.hpp"

namespace granary::ecco {
namespace {

struct Record {
  std::vector<std::string> fields;
  int line = 0;
};

// Splits CSV text into records; quoted fields may hold commas, quotes ("") and newlines.
std::vector<Record> read_records(const std::string& text, const std::string& source) {
  std::vector<Record> records;
  std::size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // UTF-8 byte order mark
  int line = 1;
  while (i < text.size()) {
    Record record;
    record.line = line;
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        const int quote_line = line;
        ++i;
        for (;;) {
          if (i >= text.size()) fail("{}:{}: quoted field is not closed", source, quote_line);
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          fail("{}:{}: unexpected text after a closing quote", source, line);
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') field += text[i++];
      }
      record.fields.push_back(field);
      if (i < text.size() && text[i] == ',') {
        ++i;
      } else {
        if (i < text.size() && text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        record_done = true;
      }
    }
    bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) records.push_back(std::move(record));
  }
  return records;
}

std::string quoted(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const char* const kFileName = "DATASET.FILENAME";
const char* const kShortName = "DATASET.SHORT_NAME";
const char* const kLongName = "DATASET.LONG_NAME";
const char* const kPersistentId = "DATASET.PERSISTENT_ID";
const char* const kDescription = "DATASET.DESCRIPTION";

}  // namespace

std::vector<PodaacRow> parse_podaac_csv(const std::string& text, const std::string& source) {
  auto records = read_records(text, source);
  if (records.empty()) fail("{}: empty CSV (expected a header row with {})", source, kFileName);
  const auto& header = records.front().fields;
  std::map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < header.size(); ++c) column.emplace(header[c], c);
  auto required = [&](const char* name) {
    auto it = column.find(name);
    if (it == column.end()) fail("{}: missing required column '{}'", source, name);
    return it->second;
  };
  const std::size_t file_name = required(kFileName), short_name = required(kShortName),
                    long_name = required(kLongName), persistent_id = required(kPersistentId);
  auto description = column.find(kDescription);

  std::vector<PodaacRow> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& f = records[r].fields;
    if (f.size() != header.size())
      fail("{}:{}: {} fields, the header has {}", source, records[r].line, f.size(), header.size());
    PodaacRow row;
    row.file_name = f[file_name];
    row.short_name = f[short_name];
    row.long_name = f[long_name];
    row.persistent_id = f[persistent_id];
    if (description != column.end()) row.description = f[description->second];
    row.line = records[r].line;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string format_podaac_csv(const std::vector<PodaacRow>& rows, const std::string& version) {
  // The column set of the production table, so the file reads like the real one.
  std::string out =
      "concept-id,DATASET.LONG_NAME,DATASET.SHORT_NAME,DATASET.FILENAME,DATASET.PERSISTENT_ID,DATASET.DESCRIPTION,"
      "DATASET_POLICY.ACCESS_TYPE,DATASET_POLICY.VIEW_ONLINE,DATASET_CITATION.CREATOR,"
      "DATASET_CITATION.RELEASE_DATE_LONG,DATASET_CITATION.VERSION,DATASET_LOCATION_POLICY.BASE_PATH,"
      "DATASET_LOCATION_POLICY.TYPE\n";
  for (const auto& row : rows)
    out += fmt::format(",{},{},{},{},{},OPEN,N,ECCO,,{},NULL,ARCHIVE-OPEN\n", quoted(row.long_name),
                       quoted(row.short_name), quoted(row.file_name), quoted(row.persistent_id),
                       quoted(row.description), quoted(version));
  return out;
}

}  // namespace granary::ecco
