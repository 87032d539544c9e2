#pragma once
// zarr-conventions/dggs v1's own check, as its validate.js runs it: ajv (draft-07, all
// errors) with the schema vendored in tests/data/dggs, through tools/dggs-schema.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::test {

// tools/dggs-schema when ajv is installed there (npm ci; scripts/install-deps.sh), and node runs.
std::optional<std::filesystem::path> dggs_schema_tool();
#define GRANARY_REQUIRE_DGGS_SCHEMA()                                                              \
  if (!::granary::test::dggs_schema_tool())                                                        \
  GTEST_SKIP() << "ajv not installed: run scripts/install-deps.sh (npm ci --prefix tools/dggs-schema)"

struct SchemaVerdict {
  bool valid = false;
  nlohmann::json errors;  // ajv's error objects
  std::string text() const { return errors.dump(); }
};

// One verdict per document (a zarr.json, or any JSON file), in order.
std::vector<SchemaVerdict> validate_dggs(const std::vector<std::filesystem::path>& documents);
SchemaVerdict validate_dggs(const nlohmann::json& document);

}  // namespace granary::test
