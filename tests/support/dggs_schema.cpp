#include "support/dggs_schema.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/test_support.hpp"

namespace granary::test {
namespace fs = std::filesystem;

std::optional<fs::path> dggs_schema_tool() {
  static const std::optional<fs::path> tool = []() -> std::optional<fs::path> {
    const fs::path dir = fs::path(GRANARY_SOURCE_DIR) / "tools" / "dggs-schema";
    if (!fs::exists(dir / "node_modules" / "ajv" / "package.json")) return std::nullopt;
    if (run_command("node --version >/dev/null 2>&1").exit_code != 0) return std::nullopt;
    return dir;
  }();
  return tool;
}

std::vector<SchemaVerdict> validate_dggs(const std::vector<fs::path>& documents) {
  const auto tool = dggs_schema_tool();
  if (!tool) throw std::runtime_error("tools/dggs-schema is not installed");
  const fs::path schema = fs::path(GRANARY_SOURCE_DIR) / "tests" / "data" / "dggs" / "schema.json";
  std::string cmd = "node '" + (*tool / "validate.mjs").string() + "' '" + schema.string() + "'";
  for (const auto& d : documents) cmd += " '" + d.string() + "'";
  const auto r = run_command(cmd);
  if (r.exit_code != 0 && r.exit_code != 1) throw std::runtime_error("validate.mjs failed: " + r.err);
  std::vector<SchemaVerdict> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    out.push_back({j.at("valid").get<bool>(), j.at("errors")});
  }
  if (out.size() != documents.size()) throw std::runtime_error("validate.mjs: unexpected output: " + r.out + r.err);
  return out;
}

SchemaVerdict validate_dggs(const nlohmann::json& document) {
  TempDir dir;
  const fs::path file = dir / "doc.json";
  std::ofstream(file) << document.dump();
  return validate_dggs(std::vector<fs::path>{file}).at(0);
}

}  // namespace granary::test
