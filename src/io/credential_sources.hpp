#pragma once
// The credential sources beyond static keys, one file each (io/credential_*.cpp). Each
// reads its settings from the environment when it is made (so a provider holds plain
// strings, never a lookup into someone's state) and fetches lazily, on first use.
//
//   container  AWS Batch, ECS, Fargate (and EKS pod identity): AWS_CONTAINER_CREDENTIALS_
//              RELATIVE_URI (on http://169.254.170.2) or _FULL_URI, with
//              AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN as the Authorization header.
//   imds       EC2 instance metadata, IMDSv2 only (a PUT session token, then the role's
//              keys). AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254),
//              off with AWS_EC2_METADATA_DISABLED=true. No metadata service (a laptop) means
//              no credentials, found out within about two seconds.
//   process    a profile's credential_process (how AWS SSO and other tools hand out keys).
//   earthdata  NASA Earthdata's temporary S3 keys for a DAAC's bucket (NSIDC by default).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "io/credential_provider.hpp"
#include "io/credentials.hpp"

namespace granary::io::s3 {

// nullptr when neither container variable is set. Throws granary::Error for a FULL_URI that
// is neither https nor a loopback or container-agent address (the AWS SDKs' rule: the
// token must not go to an arbitrary host in clear text).
std::shared_ptr<CredentialProvider> container_provider(const EnvLookup& env);

// nullptr when AWS_EC2_METADATA_DISABLED is true. Without a metadata service (or without
// a role on the instance) the provider answers nullopt (anonymous) and asks no more.
std::shared_ptr<CredentialProvider> imds_provider(const EnvLookup& env);

// Runs `command` (split into words like a POSIX shell, without one: quotes and backslashes
// group, nothing is expanded) for the profile named in `where`, e.g.
// "~/.aws/config [profile sso]". The output is the AWS CLI's JSON (Version 1).
std::shared_ptr<CredentialProvider> process_provider(const std::string& command, const std::string& where);
std::vector<std::string> split_command(const std::string& command);  // throws on an open quote

struct EarthdataOptions {
  // GRANARY_EARTHDATA_S3CREDENTIALS_URL, else NSIDC's endpoint.
  std::string url = "https://data.nsidc.earthdatacloud.nasa.gov/s3credentials";
  std::string token;       // EARTHDATA_TOKEN: sent as "Authorization: Bearer"
  std::string netrc_file;  // NETRC, else ~/.netrc: the login for login_host when there is no token
  std::string login_host = "urs.earthdata.nasa.gov";  // GRANARY_EARTHDATA_LOGIN_HOST
};
EarthdataOptions earthdata_options(const EnvLookup& env = process_env, const std::string& url_override = "");
std::shared_ptr<CredentialProvider> earthdata_provider(const EarthdataOptions& options);
constexpr std::chrono::seconds kEarthdataRefreshBefore{15 * 60};  // keys are handed to workers: a margin for a cell's run time

}  // namespace granary::io::s3
