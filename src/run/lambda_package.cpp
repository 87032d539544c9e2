#include "run/lambda_package.hpp"

#include <sys/utsname.h>

#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/subprocess.hpp"

namespace granary::run::lambda {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Lambda's limits for a .zip function (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
constexpr std::uintmax_t kZipLimit = 50ull << 20, kUnzippedLimit = 250ull << 20;

std::string run_tool(const std::vector<std::string>& argv, const std::string& why) {
  const auto r = run_process(argv, 300s);
  if (r.spawn_error) fail("package lambda: cannot run {} ({}): {}", argv[0], why, std::strerror(r.spawn_error));
  if (r.timed_out || !WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    fail("package lambda: {} failed ({}): {}", argv[0], why, r.err.substr(0, 500));
  return r.out;
}

std::uintmax_t tree_bytes(const fs::path& dir) {
  std::uintmax_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

std::string policy_json(const std::string& bucket) {
  const std::string b = bucket.empty() ? "YOUR_DATA_BUCKET" : bucket;
  nlohmann::json policy = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Sid", "PlansGranulesAndOutputs"},
         {"Effect", "Allow"},
         {"Action", {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}},
         {"Resource", {fmt::format("arn:aws:s3:::{}/*", b)}}},
        {{"Sid", "ListPlansAndStores"},
         {"Effect", "Allow"},
         {"Action", {"s3:ListBucket"}},
         {"Resource", {fmt::format("arn:aws:s3:::{}", b)}}},
        {{"Sid", "Logs"},
         {"Effect", "Allow"},
         {"Action", {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}},
         {"Resource", "*"}}}}};
  return policy.dump(2) + "\n";
}

std::string deploy_script(const PackageOptions& o, const std::string& arch) {
  const std::string region = o.region.empty() ? "" : " --region " + shell_quote(o.region);
  return fmt::format(R"SH(#!/bin/sh
# Deploys granary's Lambda function from function.zip (made by `granary package lambda`).
# Needs the AWS CLI and a role the function runs as: its trust policy lets lambda.amazonaws.com
# assume it, and it carries iam-policy.json (the data bucket) and AWSLambdaBasicExecutionRole.
#   ROLE_ARN=arn:aws:iam::123456789012:role/granary-lambda sh deploy.sh          # create
#   sh deploy.sh update                                                          # new code
set -eu
cd "$(dirname "$0")"
FUNCTION="${{FUNCTION:-{function}}}"
ROLE_ARN="${{ROLE_ARN:-{role}}}"
if [ "${{1:-create}}" = update ]; then
  aws lambda update-function-code{region} --function-name "$FUNCTION" --zip-file fileb://function.zip \
    --architectures {arch}
  exit 0
fi
# provided.al2023: Lambda runs ./bootstrap, granary's custom runtime; the handler name is unused.
# --timeout: Lambda's limit is 900 s; jobs stop cleanly before it (GRANARY_LAMBDA_DEADLINE_MARGIN_MS).
# --memory-size: the CPU share grows with memory (1769 MB = one vCPU); `granary report P
#   --cloudwatch /aws/lambda/$FUNCTION` says how much a run used.
aws lambda create-function{region} --function-name "$FUNCTION" \
  --runtime provided.al2023 --handler granary --architectures {arch} \
  --zip-file fileb://function.zip --role "$ROLE_ARN" \
  --memory-size {memory} --timeout {timeout} \
  --environment 'Variables={{GRANARY_LAMBDA_DEADLINE_MARGIN_MS=5000}}'
# Optional: a plan to prepare at start-up (grid, factors), so each container loads it once:
#   aws lambda update-function-configuration --function-name "$FUNCTION" \
#     --environment 'Variables={{GRANARY_LAMBDA_PLAN=s3://bucket/plans/run1}}'
)SH",
                     fmt::arg("function", o.function), fmt::arg("role", o.role), fmt::arg("region", region),
                     fmt::arg("arch", arch), fmt::arg("memory", o.memory_mb), fmt::arg("timeout", o.timeout_seconds));
}

std::string dockerfile(const std::string& arch) {
  return fmt::format(R"DOCKER(# granary's Lambda function as a container image (made by `granary package lambda`).
#   docker build --platform linux/{docker_arch} -t granary-lambda .
#   docker tag granary-lambda ACCOUNT.dkr.ecr.REGION.amazonaws.com/granary-lambda:latest
#   docker push ACCOUNT.dkr.ecr.REGION.amazonaws.com/granary-lambda:latest
#   aws lambda create-function --function-name granary --package-type Image \
#     --code ImageUri=ACCOUNT.dkr.ecr.REGION.amazonaws.com/granary-lambda:latest \
#     --architectures {arch} --role ROLE_ARN --memory-size 2048 --timeout 900
# The package carries its own libraries (glibc included), so the base image only runs it.
FROM public.ecr.aws/lambda/provided:al2023
COPY function/ ${{LAMBDA_TASK_ROOT}}/
ENTRYPOINT ["/var/task/bootstrap"]
)DOCKER",
                     fmt::arg("arch", arch), fmt::arg("docker_arch", arch == "arm64" ? "arm64" : "amd64"));
}

std::string readme(const PackageSummary& s, const PackageOptions& o) {
  return fmt::format(R"MD(# granary's AWS Lambda package

* `function.zip` ({zip:.1f} MB; {unzipped:.1f} MB unzipped): `bootstrap` (static), `bin/granary`,
  `lib/` ({libs} shared libraries, glibc and the loader included) and `certs/`. For the
  `provided.al2023` runtime, architecture **{arch}**. Deploy with `deploy.sh`.
* `Dockerfile`: the same files as a container image (for images up to 10 GB, or ECR workflows).
* `iam-policy.json`: the function's access to the data bucket ({bucket}). Attach it with
  AWSLambdaBasicExecutionRole to the function's role. The machine that runs
  `granary submit lambda` needs `lambda:InvokeFunction` on the function, and
  `granary report --cloudwatch` needs `logs:FilterLogEvents` on its log group.
* arm64 (Graviton, about 20% cheaper per GB-second): build granary on an arm64 machine and run
  `granary package lambda` there; the package then says `--architectures arm64`. A package
  holds one architecture's binaries.

Run, monitor and size: README.md's "Scale out" and docs/lambda.md of granary.
)MD",
                     fmt::arg("zip", static_cast<double>(s.zip_bytes) / (1 << 20)),
                     fmt::arg("unzipped", static_cast<double>(s.unzipped_bytes) / (1 << 20)), fmt::arg("libs", s.libraries),
                     fmt::arg("arch", s.architecture), fmt::arg("bucket", o.bucket.empty() ? "set YOUR_DATA_BUCKET" : o.bucket));
}

void copy_executable(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                          fs::perms::others_exec);
}

}  // namespace

std::vector<SharedLibrary> parse_ldd(const std::string& output) {
  std::vector<SharedLibrary> out;
  std::vector<std::string> missing;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    line = line.substr(first);
    if (line.rfind("linux-vdso", 0) == 0 || line.rfind("linux-gate", 0) == 0) continue;
    const auto arrow = line.find(" => ");
    if (arrow != std::string::npos) {
      const std::string name = line.substr(0, arrow);
      std::string rest = line.substr(arrow + 4);
      if (rest.rfind("not found", 0) == 0) {
        missing.push_back(name);
        continue;
      }
      const std::string path = rest.substr(0, rest.find(" ("));
      out.push_back({name, path, false});
    } else if (line[0] == '/') {  // the loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
      const std::string path = line.substr(0, line.find(" ("));
      out.push_back({fs::path(path).filename().string(), path, true});
    }
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    fail("package lambda: ldd finds no {} (install them, or rebuild granary)", names);
  }
  return out;
}

std::string lambda_architecture() {
  utsname u{};
  if (::uname(&u) != 0) fail("package lambda: uname failed");
  const std::string m = u.machine;
  if (m == "x86_64") return "x86_64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  fail("package lambda: Lambda runs x86_64 and arm64, not {}", m);
}

PackageSummary build_lambda_package(const PackageOptions& o) {
  if (fs::exists(o.out) && !fs::is_empty(o.out)) fail("package lambda: {} exists and is not empty", o.out.string());
  if (!fs::exists(o.bootstrap))
    fail("package lambda: no {} (the static bootstrap is built with granary: `ninja -C build granary-lambda-bootstrap`)",
         o.bootstrap.string());
  PackageSummary s;
  s.architecture = lambda_architecture();
  const auto libraries = parse_ldd(run_tool({"ldd", o.binary.string()}, "to list the binary's shared libraries"));
  bool has_loader = false;
  for (const auto& l : libraries) has_loader |= l.loader;
  if (!has_loader) fail("package lambda: ldd names no dynamic loader for {}", o.binary.string());

  // Built under a temporary name and renamed at the end: a stopped packager leaves no package.
  const fs::path staging = o.out.parent_path() / (o.out.filename().string() + ".part");
  fs::remove_all(staging);
  const fs::path function = staging / "function";
  fs::create_directories(function / "bin");
  fs::create_directories(function / "lib");
  copy_executable(o.bootstrap, function / "bootstrap");
  // Debug sections are most of a RelWithDebInfo binary (200 MB of 210): Lambda's limit is 250 MB.
  run_tool({"objcopy", "--strip-debug", o.binary.string(), (function / "bin" / "granary").string()},
           "to copy the binary without its debug sections");
  fs::permissions(function / "bin" / "granary", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                    fs::perms::others_read | fs::perms::others_exec);
  for (const auto& l : libraries) {
    // The file itself (ldd's path may be a symlink), under the name the binary asks for.
    fs::copy_file(fs::canonical(l.path), function / "lib" / l.name, fs::copy_options::overwrite_existing);
    if (l.loader) copy_executable(fs::canonical(l.path), function / "lib" / l.name);
  }
  s.libraries = libraries.size();
  if (fs::exists("/etc/ssl/certs/ca-certificates.crt")) {
    fs::create_directories(function / "certs");
    fs::copy_file(fs::canonical("/etc/ssl/certs/ca-certificates.crt"), function / "certs" / "ca-certificates.crt");
  }
  s.unzipped_bytes = tree_bytes(function);
  // -X: no extra attributes (the same files give the same zip); -y: links as links (none here).
  const fs::path zip = staging / "function.zip";
  run_tool({"sh", "-c", "cd " + shell_quote(function.string()) + " && zip -q -r -X -9 ../function.zip ."},
           "to zip the package; is the zip package installed?");
  s.zip_bytes = fs::file_size(zip);
  if (s.zip_bytes > kZipLimit || s.unzipped_bytes > kUnzippedLimit)
    fail("package lambda: the package is {:.1f} MB zipped and {:.1f} MB unzipped, over Lambda's limits (50 and 250 MB): "
         "use the Dockerfile (images may be 10 GB)",
         static_cast<double>(s.zip_bytes) / (1 << 20), static_cast<double>(s.unzipped_bytes) / (1 << 20));
  files::write_atomic(staging / "Dockerfile", dockerfile(s.architecture));
  files::write_atomic(staging / "deploy.sh", deploy_script(o, s.architecture));
  fs::permissions(staging / "deploy.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  files::write_atomic(staging / "iam-policy.json", policy_json(o.bucket));
  files::write_atomic(staging / "README.md", readme(s, o));
  if (fs::exists(o.out)) fs::remove(o.out);  // empty, checked above
  fs::rename(staging, o.out);
  s.zip = o.out / "function.zip";
  return s;
}

}  // namespace granary::run::lambda
