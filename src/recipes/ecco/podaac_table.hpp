#pragma once
// The PO.DAAC dataset table (PODAAC_datasets-revised_20210226.5.csv): one row per ECCO
// dataset (grouping x product x period), found by its example DATASET.FILENAME.
#include <string>
#include <vector>

namespace granary::ecco {

struct PodaacRow {
  std::string file_name;      // DATASET.FILENAME, e.g. SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc
  std::string short_name;     // DATASET.SHORT_NAME, e.g. ECCO_L4_SSH_05DEG_MONTHLY_V4R4
  std::string long_name;      // DATASET.LONG_NAME: the product's title
  std::string persistent_id;  // DATASET.PERSISTENT_ID, e.g. PODAAC-ECG5M-SSH44
  std::string description;    // DATASET.DESCRIPTION ("" when the table has no such column)
  int line = 0;               // where the row starts in the file, for messages
};

// RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF, optional UTF-8 BOM). Fails naming
// `source` for a missing required column or a row with the wrong number of fields.
std::vector<PodaacRow> parse_podaac_csv(const std::string& text, const std::string& source);

// The same table as CSV text (the columns above, plus DATASET_CITATION.VERSION).
std::string format_podaac_csv(const std::vector<PodaacRow>& rows, const std::string& version);

}  // namespace granary::ecco
