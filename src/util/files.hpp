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

// SHA-256 of a file, lowercase hex (OpenSSL).
std::string sha256_file(const std::filesystem::path& path);

}  // namespace granary::files
