#pragma once
// Comparing runs' outputs: files of a tree, and ECCO netCDF products equal but for the
// attributes every run stamps anew (date_created, date_issued, date_modified,
// date_metadata_modified, uuid).
#include <filesystem>
#include <string>
#include <vector>

namespace granary::test {

// Every regular file under dir, as sorted paths relative to it.
std::vector<std::string> files_under(const std::filesystem::path& dir);
// ncdump -s -p 9,17 (storage, types, exact digits) without the stamped attributes.
std::string dump_without_stamps(const std::filesystem::path& file);
// "" when equal, else the first line where they differ.
std::string first_difference(const std::string& got, const std::string& want);
// gtest expectations: the same files under both, every .nc equal but for the stamps and
// every other file byte-equal (reports/ left out: they differ per run).
void expect_same_products(const std::filesystem::path& got, const std::filesystem::path& want);
// gtest expectations: every object of the Zarr store `want` (granary's .granary/ status
// records aside, which differ per run) is in `got`, byte for byte.
void expect_same_zarr(const std::filesystem::path& got, const std::filesystem::path& want);

}  // namespace granary::test
