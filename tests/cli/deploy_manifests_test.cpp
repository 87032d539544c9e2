// The container image's Dockerfile and the engine manifests in deploy/: each is checked for
// what granary needs (the `work` command, the plan, cores matching -j), and against the
// engines' own definitions where a tool has them offline: the AWS CLI's model of Batch's
// RegisterJobDefinition and kubernetes-models' OpenAPI schema of a batch/v1 Job.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "support/runtime_tree.hpp"
#include "support/test_support.hpp"

namespace granary {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path source(const std::string& relative) { return fs::path(GRANARY_SOURCE_DIR) / relative; }

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

json batch_job_definition() { return json::parse(read_text(source("deploy/aws-batch/job-definition.json"))); }

// YAML -> JSON as Kubernetes reads it: plain scalars may be ints or booleans, quoted ones are strings.
json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const auto text = node.Scalar();
      if (node.Tag() == "?") {
        if (std::regex_match(text, std::regex("-?[0-9]+"))) return std::stoll(text);
        if (text == "true" || text == "false") return text == "true";
      }
      return text;
    }
    default:
      return nullptr;
  }
}

json kubernetes_objects() {
  json objects = json::array();
  for (const auto& doc : YAML::LoadAllFromFile(source("deploy/kubernetes/indexed-job.yaml").string()))
    objects.push_back(to_json(doc));
  return objects;
}

// The argument after "-j" in a command line, or "" if there is none.
std::string cores_flag(const json& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "-j") return args[i + 1].get<std::string>();
  return {};
}

// The AWS CLI's parameter validation (botocore's service model) of a job definition, offline:
// a valid one gets as far as connecting to a closed loopback port.
test::CommandResult aws_cli_register(const fs::path& definition) {
  return test::run_command(
      "env -i PATH=/usr/bin:/bin HOME=/nonexistent AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example "
      "AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true timeout 60 aws batch register-job-definition "
      "--region us-east-1 --endpoint-url http://127.0.0.1:9 --cli-connect-timeout 2 --cli-input-json file://" +
      definition.string());
}

TEST(DeployManifests, BatchJobDefinitionRunsWorkOnOnePlan) {
  const json d = batch_job_definition();
  EXPECT_FALSE(d.at("jobDefinitionName").get<std::string>().empty());
  EXPECT_EQ(d.at("type"), "container");
  const json& c = d.at("containerProperties");
  EXPECT_NE(c.at("image").get<std::string>().find("granary"), std::string::npos);
  const json& command = c.at("command");
  const auto work = std::find(command.begin(), command.end(), "work");
  ASSERT_NE(work, command.end()) << command;
  ASSERT_NE(work + 1, command.end());
  // The plan: a Batch parameter (submit-job --parameters plan=s3://...) with an s3:// default.
  EXPECT_EQ(*(work + 1), "Ref::plan");
  EXPECT_EQ(d.at("parameters").at("plan").get<std::string>().rfind("s3://", 0), 0u);
  // No --index: Batch sets AWS_BATCH_JOB_ARRAY_INDEX in every child of the array job.
  EXPECT_EQ(std::find(command.begin(), command.end(), "--index"), command.end());
  std::string vcpu, memory;
  for (const auto& r : c.at("resourceRequirements")) {
    if (r.at("type") == "VCPU") vcpu = r.at("value");
    if (r.at("type") == "MEMORY") memory = r.at("value");
  }
  EXPECT_EQ(cores_flag(command), vcpu) << "work -j must use the vCPUs the job reserves";
  EXPECT_GT(std::stoi(memory), 0);
  // Bad input (exit 2) fails the same way every time: no retry. Other failures resume on retry.
  const json& retry = d.at("retryStrategy");
  EXPECT_GE(retry.at("attempts").get<int>(), 2);
  EXPECT_EQ(retry.at("evaluateOnExit").at(0).at("onExitCode"), "2");
  EXPECT_EQ(retry.at("evaluateOnExit").at(0).at("action"), "EXIT");
}

TEST(DeployManifests, AwsCliAcceptsTheBatchJobDefinition) {
  if (test::run_command("command -v aws").exit_code != 0)
    GTEST_SKIP() << "the AWS CLI (Debian's awscli) is not installed";
  const auto r = aws_cli_register(source("deploy/aws-batch/job-definition.json"));
  EXPECT_EQ(r.err.find("Parameter validation failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Could not connect to the endpoint URL"), std::string::npos) << r.out << r.err;

  // The check can fail: a misspelt key is refused by the same model.
  test::TempDir dir;
  json bad = batch_job_definition();
  bad["containerProperties"]["resourceRequirement"] = bad["containerProperties"]["resourceRequirements"];
  std::ofstream(dir / "bad.json") << bad.dump();
  const auto refused = aws_cli_register(dir / "bad.json");
  EXPECT_NE(refused.err.find("Unknown parameter in containerProperties: \"resourceRequirement\""), std::string::npos)
      << refused.err;
}

TEST(DeployManifests, KubernetesIndexedJobRunsWorkOnOnePlan) {
  const json objects = kubernetes_objects();
  ASSERT_EQ(objects.size(), 1u);
  const json& job = objects[0];
  EXPECT_EQ(job.at("apiVersion"), "batch/v1");
  EXPECT_EQ(job.at("kind"), "Job");
  const json& spec = job.at("spec");
  // Indexed: Kubernetes sets JOB_COMPLETION_INDEX (0..completions-1) in each pod.
  EXPECT_EQ(spec.at("completionMode"), "Indexed");
  EXPECT_GE(spec.at("completions").get<int>(), 1);
  EXPECT_GE(spec.at("parallelism").get<int>(), 1);
  const json& pod = spec.at("template").at("spec");
  EXPECT_EQ(pod.at("restartPolicy"), "Never");
  const json& container = pod.at("containers").at(0);
  EXPECT_NE(container.at("image").get<std::string>().find("granary"), std::string::npos);
  const json& args = container.at("args");
  const auto work = std::find(args.begin(), args.end(), "work");
  ASSERT_NE(work, args.end()) << args;
  ASSERT_NE(work + 1, args.end());
  EXPECT_EQ((work + 1)->get<std::string>().rfind("s3://", 0), 0u);
  EXPECT_EQ(std::find(args.begin(), args.end(), "--index"), args.end());
  EXPECT_EQ(cores_flag(args), container.at("resources").at("requests").at("cpu"))
      << "work -j must use the cores requested";
  EXPECT_TRUE(container.at("resources").at("limits").contains("memory"));
}

TEST(DeployManifests, KubernetesSchemaAcceptsTheIndexedJob) {
  const auto tool = source("tools/k8s-models");
  if (!fs::exists(tool / "node_modules" / "kubernetes-models"))
    GTEST_SKIP() << "kubernetes-models is not installed (npm ci --prefix tools/k8s-models; install-deps.sh does)";
  test::TempDir dir;
  json objects = kubernetes_objects();
  std::ofstream(dir / "good.json") << objects.dump();
  const auto r = test::run_command("node " + (tool / "validate.mjs").string() + " " + (dir / "good.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // The check can fail: a completion mode Kubernetes does not have is refused.
  objects[0]["spec"]["completionMode"] = "Index";
  std::ofstream(dir / "bad.json") << objects.dump();
  const auto refused =
      test::run_command("node " + (tool / "validate.mjs").string() + " " + (dir / "bad.json").string());
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("completionMode"), std::string::npos) << refused.out;
}

// The image's runtime stage installs the one list the tree test unpacks, and nothing else.
TEST(ContainerImage, RuntimeStageInstallsTheRuntimeListOnly) {
  const std::string dockerfile = read_text(source("Dockerfile"));
  const auto runtime = dockerfile.find("\nFROM debian:12-slim");
  ASSERT_NE(runtime, std::string::npos) << "the runtime stage is FROM debian:12-slim";
  const std::string stage = dockerfile.substr(runtime);
  EXPECT_NE(stage.find("COPY scripts/runtime-packages.txt"), std::string::npos);
  EXPECT_NE(stage.find("sed -e 's/#.*//' /tmp/runtime-packages.txt | xargs apt-get install"), std::string::npos);
  EXPECT_EQ(stage.find("apt-get install"), stage.rfind("apt-get install"))
      << "one apt-get install in the runtime stage, of the list";
  EXPECT_NE(stage.find("COPY --from=build /build/src/granary /usr/local/bin/granary"), std::string::npos);
  EXPECT_NE(stage.find("ENTRYPOINT [\"granary\"]"), std::string::npos);

  // The Dockerfile's reading of the list (sed, then xargs) gives the packages the test reads.
  const auto listed =
      test::run_command("sed -e 's/#.*//' " + source("scripts/runtime-packages.txt").string() + " | xargs");
  std::string expected;
  for (const auto& p : test::runtime_packages()) expected += (expected.empty() ? "" : " ") + p;
  EXPECT_EQ(listed.out, expected + "\n");
  for (const auto& p : test::runtime_packages())
    EXPECT_FALSE(p.ends_with("-dev")) << p << ": the runtime image holds no development package";
}

TEST(ScaleOutDocs, ShowTheManifestsForBatchAndKubernetes) {
  const std::string doc = read_text(source("docs/scale-out.md"));
  for (const char* needed :
       {"## AWS Batch", "## Kubernetes", "deploy/aws-batch/job-definition.json", "deploy/kubernetes/indexed-job.yaml",
        "AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX", "--array-properties size="})
    EXPECT_NE(doc.find(needed), std::string::npos) << "docs/scale-out.md lacks " << needed;
  const std::string readme = read_text(source("README.md"));
  EXPECT_NE(readme.find("## Scale out"), std::string::npos);
  EXPECT_NE(readme.find("docs/scale-out.md"), std::string::npos);
}

}  // namespace
}  // namespace granary
