// The `bootstrap` of granary's Lambda package (granary package lambda): a static executable,
// so it starts on any Linux (provided.al2023, a container, a bare directory) without a shell
// or a C library of the host's. It runs the package's own dynamic loader on the package's
// libraries and binary:
//   <root>/lib/ld-linux-*.so.* --library-path <root>/lib <root>/bin/granary lambda [args]
// where <root> is the directory that holds this file. The libraries (glibc included) come
// from the machine that built the package, so a binary built on Debian 12 runs on Amazon
// Linux 2023 (older glibc). When the host has no CA bundle where Debian's libcurl looks
// (/etc/ssl/certs/ca-certificates.crt; Amazon Linux keeps it elsewhere), the package's copy
// is used through AWS_CA_BUNDLE and SSL_CERT_FILE.
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace {

bool exists(const char* path) { return access(path, F_OK) == 0; }

// The directory of this executable: /proc/self/exe, else argv[0] (a chroot without /proc).
bool package_root(const char* argv0, char* out, size_t size) {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n > 0) {
    path[n] = '\0';
  } else if (argv0 && argv0[0] == '/' && strlen(argv0) < sizeof path) {
    strcpy(path, argv0);
  } else {
    return false;
  }
  char* slash = strrchr(path, '/');
  if (!slash) return false;
  *slash = '\0';
  if (strlen(path) + 1 > size) return false;
  strcpy(out, path[0] ? path : "/");
  return true;
}

// lib/ld-linux-x86-64.so.2 or lib/ld-linux-aarch64.so.1: whichever the package holds.
bool find_loader(const char* lib, char* out, size_t size) {
  DIR* dir = opendir(lib);
  if (!dir) return false;
  bool found = false;
  while (dirent* e = readdir(dir)) {
    if (strncmp(e->d_name, "ld-linux", 8) == 0 && strstr(e->d_name, ".so")) {
      found = snprintf(out, size, "%s/%s", lib, e->d_name) < static_cast<int>(size);
      break;
    }
  }
  closedir(dir);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  // The root is at most half a path long, so every path built from it fits.
  char root[PATH_MAX / 2], lib[PATH_MAX], loader[PATH_MAX], binary[PATH_MAX], certs[PATH_MAX];
  if (!package_root(argc > 0 ? argv[0] : nullptr, root, sizeof root)) {
    fprintf(stderr, "granary bootstrap: cannot find the package's directory (no /proc/self/exe and argv[0] is not absolute)\n");
    return 127;
  }
  snprintf(lib, sizeof lib, "%s/lib", root);
  snprintf(binary, sizeof binary, "%s/bin/granary", root);
  if (!find_loader(lib, loader, sizeof loader) || !exists(binary)) {
    fprintf(stderr, "granary bootstrap: %s is not a granary Lambda package (no lib/ld-linux-*.so or bin/granary)\n", root);
    return 127;
  }
  snprintf(certs, sizeof certs, "%s/certs/ca-certificates.crt", root);
  if (!exists("/etc/ssl/certs/ca-certificates.crt") && exists(certs)) {
    setenv("AWS_CA_BUNDLE", certs, 0);
    setenv("SSL_CERT_FILE", certs, 0);
  }
  // loader --library-path lib binary lambda args... (argv[0] of granary stays "granary")
  char** args = static_cast<char**>(calloc(static_cast<size_t>(argc) + 6, sizeof(char*)));
  if (!args) return 127;
  int k = 0;
  args[k++] = loader;
  args[k++] = const_cast<char*>("--library-path");
  args[k++] = lib;
  args[k++] = binary;
  args[k++] = const_cast<char*>("lambda");
  for (int i = 1; i < argc; ++i) args[k++] = argv[i];
  args[k] = nullptr;
  execv(loader, args);
  fprintf(stderr, "granary bootstrap: cannot run %s: %s\n", loader, strerror(errno));
  return 127;
}
