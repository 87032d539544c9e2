#pragma once
// Where S3 settings come from, in the order the AWS SDKs use (the chain):
//   1. explicit keys (e.g. the s3_credentials of a Lambda event)
//   2. AWS_NO_SIGN_REQUEST=true: unsigned requests
//   3. the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
//   4. the profile (AWS_PROFILE, else default) in ~/.aws/credentials and ~/.aws/config:
//      static keys, then credential_process
//   5. container credentials (AWS Batch, ECS, Fargate)
//   6. EC2 instance metadata (IMDSv2)
//   7. none: the requests go unsigned, which public buckets accept.
// Sources 4 (credential_process) to 6 give temporary keys, refreshed while a process runs
// (io/credential_provider.hpp, io/credential_sources.hpp). NASA Earthdata's keys are an
// explicit per-run choice, not part of the chain. SSO and assume-role profiles are not
// read directly (a credential_process can bridge them).
//
// Secrets never leave these structs for a log: use describe() for messages.
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace granary::io::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  bool operator==(const Credentials&) const = default;
};

struct ResolvedCredentials {
  std::optional<Credentials> credentials;  // nullopt: anonymous (unsigned) access
  std::string source;                      // "explicit", "environment", "~/.aws/credentials [p]", ...
  // "environment, access key …WXYZ" or "anonymous (no credentials found: ...)"; safe to log.
  std::string describe() const;
};

// The environment as a lookup, so tests can resolve without touching the process's.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

class CredentialProvider;

// The chain above as a provider: asks nothing of the network until its first use.
// Throws granary::Error for a configuration mistake (half-set environment keys, an
// AWS_PROFILE that does not exist or has no keys, a disallowed container URI).
std::shared_ptr<CredentialProvider> credential_chain(const std::optional<Credentials>& explicit_credentials,
                                                     const EnvLookup& env = process_env);

// The chain's current keys (fetching them if the source is remote).
ResolvedCredentials resolve_credentials(const std::optional<Credentials>& explicit_credentials,
                                        const EnvLookup& env = process_env);

// AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in ~/.aws/config, else us-east-1.
std::string resolve_region(const EnvLookup& env = process_env);

// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else "" (the AWS endpoint for the region).
std::string resolve_endpoint(const EnvLookup& env = process_env);

// The last four characters of an access key id, which AWS consoles also show.
std::string redact_key_id(const std::string& access_key_id);

}  // namespace granary::io::s3
