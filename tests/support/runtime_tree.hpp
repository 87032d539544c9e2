#pragma once
// The container image's file tree, built without Docker: the .debs of
// scripts/runtime-packages.txt and their dependencies (downloaded at install time by
// scripts/runtime-debs.sh) unpacked into a directory, plus what a container runtime provides
// (/dev nodes, /tmp) and the granary binary at /usr/local/bin/granary. Run in it with chroot.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace granary::test {

struct RuntimeDeb {
  std::string package, version, file;
};

// $GRANARY_RUNTIME_DEBS, else /var/cache/granary/runtime-debs (scripts/runtime-debs.sh's default).
std::filesystem::path runtime_debs_dir();
// The cache's manifest.txt ("package version file" a line); empty when there is none.
std::vector<RuntimeDeb> runtime_debs_manifest(const std::filesystem::path& dir);
// The package list the cache was resolved from (requested.txt, sorted); empty when there is none.
std::vector<std::string> runtime_debs_requested(const std::filesystem::path& dir);
// The packages scripts/runtime-packages.txt lists (comments dropped).
std::vector<std::string> runtime_packages();

// Why this process cannot build and chroot into a tree (not root, no chroot, no mknod); empty if it can.
std::string chroot_unavailable_reason();

// Unpacks every deb but those of the packages in `leave_out` into `root`, then adds /tmp,
// the /dev nodes a container runtime creates and the granary binary. Returns an error
// message, or empty on success.
std::string build_runtime_tree(const std::filesystem::path& root, const std::filesystem::path& debs_dir,
                               const std::vector<RuntimeDeb>& debs, const std::set<std::string>& leave_out = {});

// /usr/local/bin/granary ARGS inside the tree (chroot), with the small environment a container
// starts with (nothing of the host's LD_LIBRARY_PATH or PATH leaks in), plus `env`
// ("NAME=value ...", e.g. the engine's index variable).
CommandResult run_in_tree(const std::filesystem::path& root, const std::string& args, const std::string& env = "");

}  // namespace granary::test
