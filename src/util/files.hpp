#pragma once
// Local-file helpers shared by every layer: whole-file reads with clear errors and
// atomic publication (write to a temporary sibling, fsync, rename), so that no partial
// output is ever visible under its final name.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace granary::files {

std::vector<std::byte> read_all(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);

// A unique temporary name beside `final_path` (same directory, so rename is atomic).
std::filesystem::path temp_sibling(const std::filesystem::path& final_path);

// Sync::Yes flushes the data to disk before the rename (products: a power cut never leaves an
// empty file under the final name). Sync::No is for many small objects (Zarr chunks), where
// an fsync each would dominate: the rename still makes them atomic for readers and for a run
// that is killed, and ext4/xfs order the data before a rename that replaces a file.
enum class Sync { Yes, No };

// Writes bytes to a temporary sibling and renames it over final_path.
void write_atomic(const std::filesystem::path& final_path, std::span<const std::byte> bytes, Sync sync = Sync::Yes);
void write_atomic(const std::filesystem::path& final_path, const std::string& text, Sync sync = Sync::Yes);

// Runs produce(tmp) to create a temporary sibling, then renames it into place. If produce
// throws, the temporary file is removed and the exception propagates.
void publish_atomic(const std::filesystem::path& final_path,
                    const std::function<void(const std::filesystem::path& tmp)>& produce, Sync sync = Sync::Yes);

// Removes the temporaries that killed writers left under `dir` (and its subdirectories when
// `recursive`): files named "<name>.part-<pid>-<n>" (temp_sibling) whose process <pid> no
// longer exists. A part whose process is alive is kept, whatever its age: it may be another
// run writing into the same directory, and removing it would make that writer's rename fail,
// while keeping a part whose PID was reused by an unrelated process costs only disk space
// until a later run finds the PID gone (parts never shadow outputs: resume looks at final
// names only). PIDs are those of this host and PID namespace, so writers on other hosts (or
// containers) sharing the directory must not run at the same time as a cleanup.
// Returns how many were removed (logged at info when any); problems are logged, not thrown.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir, bool recursive = true);

// The PID in a temp_sibling name ("x.nc.part-4242-7" -> 4242), or 0 when `name` is not one.
long temporary_owner(const std::string& name);

// SHA-256 of a file, lowercase hex (OpenSSL).
std::string sha256_file(const std::filesystem::path& path);

}  // namespace granary::files
