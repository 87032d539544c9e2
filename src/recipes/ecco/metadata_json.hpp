#pragma once
// Reading the ECCO metadata JSON files with errors that name the file, the entry and the
// key, so a broken metadata set can be fixed without a debugger.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::ecco::metadata_json {

// Parses JSON text; bad JSON fails with "{source}: invalid JSON: ... line L, column C".
nlohmann::json parse(const std::string& text, const std::string& source);

// The top level of every ECCO metadata file is a list of objects; returns them.
std::vector<nlohmann::json> entries(const nlohmann::json& root, const std::string& source);

// "{source}: entry 3 ('SSH')" -- the way errors point at one entry.
std::string where(const std::string& source, std::size_t index, const nlohmann::json& entry);

// A required string member; fails naming the file, entry and key when absent or not a string.
std::string required_string(const nlohmann::json& entry, const std::string& key, const std::string& source,
                            std::size_t index);
// An optional string member ("" when absent); fails when present but not a string.
std::string optional_string(const nlohmann::json& entry, const std::string& key, const std::string& source,
                            std::size_t index);

// Splits "a, b ,c" at commas and trims blanks; empty items are dropped.
std::vector<std::string> split_list(const std::string& text);
std::string trim(const std::string& text);

}  // namespace granary::ecco::metadata_json
