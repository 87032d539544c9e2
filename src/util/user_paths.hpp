#pragma once
// Paths a user names (an option such as "--out", a config key): what the OS refuses about
// them is a granary::Error naming `what` and the path (exit 2), not a std::filesystem_error.
#include <filesystem>
#include <string>

namespace granary::files {

// The status of `path`; absence (also through a missing or non-directory parent) is
// file_type::not_found, any other refusal (a name over 255 bytes, no permission, a symlink
// loop) an error.
std::filesystem::file_status user_path_status(const std::filesystem::path& path, const std::string& what);
// Checks, without creating anything, that granary can create or write `path` as a directory
// (Kind::Directory) or a file (Kind::File): no name over 255 bytes, an existing path of the
// right kind, the nearest existing parent a directory granary may write in. A location with a
// URI scheme (s3://...) is not a local path: not checked.
enum class Kind { Directory, File };
void check_writable(const std::string& location, Kind kind, const std::string& what);

}  // namespace granary::files
