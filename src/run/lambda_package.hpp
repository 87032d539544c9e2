#pragma once
// granary's AWS Lambda package, built from the running binary (granary package lambda):
//   function/            what function.zip holds (Lambda unpacks it into /var/task):
//     bootstrap          static; runs the package's loader on the package's libraries
//     bin/granary        the binary, debug sections stripped
//     lib/               every shared library ldd names, glibc and the dynamic loader too
//     certs/             the CA bundle, for hosts that keep theirs elsewhere (Amazon Linux)
//   function.zip         the same, zipped (Lambda's limit: 50 MB zipped, 250 MB unzipped)
//   Dockerfile           a container image of the same files on Lambda's provided:al2023
//   deploy.sh            aws lambda create-function / update-function-code, for this arch
//   iam-policy.json      the function's permissions on the data bucket
//   README.md            what each file is, what differs for arm64
// The package is built on one architecture for that architecture (uname -m): an arm64
// (Graviton) function needs a package made by a granary built on arm64.
#include <filesystem>
#include <string>
#include <vector>

namespace granary::run::lambda {

struct SharedLibrary {
  std::string name;  // what the binary asks for: libhdf5_serial.so.103, ld-linux-x86-64.so.2
  std::string path;  // where ldd found it
  bool loader = false;
};

// ldd's output as libraries; throws granary::Error naming every library ldd did not find.
// The vDSO (linux-vdso.so.1) is the kernel's and is left out.
std::vector<SharedLibrary> parse_ldd(const std::string& ldd_output);

struct PackageOptions {
  std::filesystem::path out;      // the package directory (must not exist, or be empty)
  std::filesystem::path binary;   // the granary binary to package
  std::filesystem::path bootstrap;  // granary-lambda-bootstrap, built beside it
  std::string function = "granary";
  std::string bucket;             // the data bucket of iam-policy.json ("" : a placeholder)
  std::string role = "arn:aws:iam::ACCOUNT_ID:role/granary-lambda";
  std::string region;             // "" : the AWS CLI's default
  int memory_mb = 2048;
  int timeout_seconds = 900;
};

struct PackageSummary {
  std::string architecture;  // Lambda's name: x86_64 or arm64
  std::size_t libraries = 0;
  std::uintmax_t unzipped_bytes = 0, zip_bytes = 0;
  std::filesystem::path zip;
};

// Throws granary::Error (a missing tool such as zip or ldd, an unresolved library, a package
// over Lambda's size limits).
PackageSummary build_lambda_package(const PackageOptions& options);

// Lambda's name for this machine's architecture (uname -m): x86_64 or arm64.
std::string lambda_architecture();

}  // namespace granary::run::lambda
