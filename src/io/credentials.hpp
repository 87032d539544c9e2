#pragma once
// Where S3 settings come from, in the order the AWS SDKs use, minus what granary does not
// need: credentials are explicit (e.g. the s3_credentials of a Lambda event), else the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else the
// shared files (~/.aws/credentials, ~/.aws/config, profile AWS_PROFILE), else none: the
// requests go unsigned, which public buckets accept. Container (ECS) and instance (IMDS)
// credentials, SSO and credential_process are not implemented.
//
// Secrets never leave this struct for a log: use describe() for messages.
#include <functional>
#include <optional>
#include <string>

namespace granary::io::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
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

ResolvedCredentials resolve_credentials(const std::optional<Credentials>& explicit_credentials,
                                        const EnvLookup& env = process_env);

// AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in ~/.aws/config, else us-east-1.
std::string resolve_region(const EnvLookup& env = process_env);

// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else "" (the AWS endpoint for the region).
std::string resolve_endpoint(const EnvLookup& env = process_env);

// The last four characters of an access key id, which AWS consoles also show.
std::string redact_key_id(const std::string& access_key_id);

}  // namespace granary::io::s3
