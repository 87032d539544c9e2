#pragma once
// Where the inputs and outputs of an ECCO run live. Every path of the config is a local path
// or an s3:// URI, kept as a string: as a std::filesystem::path, "s3://b/x" would normalise to
// the local path "s3:/b/x". Local inputs are read in place; remote ones through io::Store,
// or, where a reader needs real files (the grid, the mapping factors), from a copy in a
// private scratch directory that is removed afterwards.
#include <filesystem>
#include <string>

namespace granary::ecco {

bool is_remote(const std::string& uri);  // s3://

// "dir" + "a/b.nc" -> "dir/a/b.nc" for local paths and s3:// URIs alike.
std::string join_uri(const std::string& base, const std::string& relative);

// A private directory under $TMPDIR (mode 0700), removed with its contents when destroyed.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& purpose);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Copies the objects directly under the s3:// prefix `uri` (not those in sub-"folders") into
// `dir`. Fails naming `uri` when there are none.
void download_directory(const std::string& uri, const std::filesystem::path& dir, const std::string& what);

// Copies the s3:// object `uri` to `file`. Fails naming `uri` (and `what` it is) when it is missing.
void download_object(const std::string& uri, const std::filesystem::path& file, const std::string& what);

// Runs `load` on a scratch copy; a granary::Error it throws is rethrown with `local` replaced
// by `uri`, so that messages name the input, not a copy that no longer exists.
template <class Load>
auto naming_uri(const std::string& local, const std::string& uri, Load&& load) -> decltype(load());

// The same replacement in one message.
std::string replace_all(std::string text, const std::string& from, const std::string& to);

}  // namespace granary::ecco

#include "util/error.hpp"

namespace granary::ecco {

template <class Load>
auto naming_uri(const std::string& local, const std::string& uri, Load&& load) -> decltype(load()) {
  try {
    return load();
  } catch (const Error& e) {  // reading local copies: bad input, never a transport error
    throw Error(replace_all(e.what(), local, uri));
  }
}

}  // namespace granary::ecco
