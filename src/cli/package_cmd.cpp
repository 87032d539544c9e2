// granary package lambda --out DIR: the running granary as an AWS Lambda package
// (run/lambda_package.hpp): function.zip for the provided.al2023 runtime, a Dockerfile for a
// container image, the deploy commands and the function's IAM policy.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "run/lambda_package.hpp"
#include "util/error.hpp"
#include "util/subprocess.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;

void package_lambda(run::lambda::PackageOptions o) {
  o.binary = running_binary();
  o.bootstrap = o.binary.parent_path() / "granary-lambda-bootstrap";
  o.out = fs::absolute(o.out).lexically_normal();
  const auto s = run::lambda::build_lambda_package(o);
  fmt::print("{}: function.zip ({:.1f} MB, {:.1f} MB unzipped; {} shared libraries), Dockerfile, deploy.sh, iam-policy.json "
             "for {} (provided.al2023)\n",
             o.out.string(), static_cast<double>(s.zip_bytes) / (1 << 20), static_cast<double>(s.unzipped_bytes) / (1 << 20),
             s.libraries, s.architecture);
  fmt::print("  deploy:  ROLE_ARN=arn:aws:iam::ACCOUNT:role/ROLE sh {}/deploy.sh\n", o.out.string());
  fmt::print("  run:     granary submit lambda s3://BUCKET/PLAN --function {}\n", o.function);
  exit_code = 0;
}

}  // namespace

void add_package_command(CLI::App& root) {
  auto* package = root.add_subcommand("package", "Package granary for a platform that runs it (AWS Lambda)");
  package->require_subcommand(1);
  auto o = std::make_shared<run::lambda::PackageOptions>();
  auto* cmd = package->add_subcommand(
      "lambda", "function.zip (bootstrap, granary and every library it needs), a Dockerfile, deploy commands and an IAM policy");
  cmd->add_option("--out", o->out, "The package directory to create (new or empty)")->required();
  cmd->add_option("--function", o->function, "The function's name in the deploy commands")->capture_default_str();
  cmd->add_option("--bucket", o->bucket, "The data bucket the function reads and writes (iam-policy.json)");
  cmd->add_option("--role", o->role, "The function's IAM role ARN in the deploy commands")->capture_default_str();
  cmd->add_option("--region", o->region, "The AWS region in the deploy commands (default: the AWS CLI's)");
  cmd->add_option("--memory", o->memory_mb, "Memory size in MB (the CPU share grows with it)")
      ->check(CLI::Range(128, 10240))
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_seconds, "Timeout in seconds (Lambda's limit: 900)")
      ->check(CLI::Range(1, 900))
      ->capture_default_str();
  cmd->callback([o] { package_lambda(*o); });
}

}  // namespace granary::cli
