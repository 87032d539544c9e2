#include "support/runtime_tree.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace granary::test {

namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The character devices Docker (runc) creates in every container's /dev.
struct DeviceNode {
  const char* name;
  unsigned major, minor;
};
constexpr DeviceNode kContainerDevices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}};

}  // namespace

fs::path runtime_debs_dir() {
  const char* env = std::getenv("GRANARY_RUNTIME_DEBS");
  return env && *env ? fs::path(env) : fs::path("/var/cache/granary/runtime-debs");
}

std::vector<RuntimeDeb> runtime_debs_manifest(const fs::path& dir) {
  std::vector<RuntimeDeb> debs;
  std::ifstream in(dir / "manifest.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    RuntimeDeb d;
    if (fields >> d.package >> d.version >> d.file) debs.push_back(d);
  }
  return debs;
}

std::vector<std::string> runtime_debs_requested(const fs::path& dir) {
  std::vector<std::string> packages;
  std::ifstream in(dir / "requested.txt");
  for (std::string p; in >> p;) packages.push_back(p);
  std::sort(packages.begin(), packages.end());
  return packages;
}

std::vector<std::string> runtime_packages() {
  std::vector<std::string> packages;
  std::ifstream in(fs::path(GRANARY_SOURCE_DIR) / "scripts" / "runtime-packages.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    for (std::string w; words >> w;) packages.push_back(w);
  }
  return packages;
}

std::string chroot_unavailable_reason() {
  if (geteuid() != 0) return "building the container's file tree needs root (chroot, mknod); run the tests as root";
  if (run_command("chroot / /bin/true").exit_code != 0) return "chroot is not available or not permitted here";
  TempDir probe;
  if (::mknod((probe / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
    return "mknod of /dev/null is not permitted here (the tree needs the /dev nodes a container has)";
  // A device node on a file system mounted nodev exists but cannot be opened.
  if (!std::ifstream(probe / "null"))
    return "device nodes cannot be opened under " + fs::temp_directory_path().string() +
           " (mounted nodev?); set TMPDIR elsewhere";
  return {};
}

std::string build_runtime_tree(const fs::path& root, const fs::path& debs_dir, const std::vector<RuntimeDeb>& debs,
                               const std::set<std::string>& leave_out) {
  fs::create_directories(root);
  for (const auto& deb : debs) {
    if (leave_out.count(deb.package)) continue;
    const auto r = run_command("dpkg-deb -x " + quoted(debs_dir / deb.file) + " " + quoted(root));
    if (r.exit_code != 0) return "dpkg-deb -x " + (debs_dir / deb.file).string() + ": " + r.err;
  }
  // debian:12-slim has /tmp (sticky, world-writable); the container runtime adds /dev.
  fs::create_directories(root / "tmp");
  fs::permissions(root / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::create_directories(root / "dev");
  for (const auto& dev : kContainerDevices) {
    const auto node = root / "dev" / dev.name;
    if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(dev.major, dev.minor)) != 0) return "mknod " + node.string();
    ::chmod(node.c_str(), 0666);  // mknod's mode is masked by the umask
  }
  const auto bin = root / "usr" / "local" / "bin";
  fs::create_directories(bin);
  fs::copy_file(granary_binary(), bin / "granary", fs::copy_options::overwrite_existing);
  return {};
}

CommandResult run_in_tree(const fs::path& root, const std::string& args, const std::string& env) {
  return run_command(
      "env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "
      "AWS_EC2_METADATA_DISABLED=true " +
      env + " chroot " + quoted(root) + " /usr/local/bin/granary " + args);
}

}  // namespace granary::test
