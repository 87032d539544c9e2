#pragma once
// --granule-credentials / --s3-credentials-url of the atl06 commands: which keys read s3://
// granules. "chain" is the default credential chain (io/credentials.hpp) in each process
// that reads; "earthdata" is NASA Earthdata's temporary keys for a DAAC's bucket (NSIDC by
// default), fetched once by the command's process, handed to its workers in each task's
// s3_credentials, and refreshed before they expire. The output store is never written with
// them (they only read the DAAC's bucket).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "io/credential_provider.hpp"

namespace granary::cli {

struct GranuleCredentialOptions {
  std::string source = "chain";  // chain | earthdata
  std::string url;               // s3credentials endpoint; "" = GRANARY_EARTHDATA_S3CREDENTIALS_URL or NSIDC's
};

void add_granule_credential_options(CLI::App& command, GranuleCredentialOptions& options);

// nullptr for "chain" (each reader resolves its own). For "earthdata", a provider whose
// keys have been fetched once already, so a bad login fails here, before any work starts.
std::shared_ptr<io::s3::CredentialProvider> granule_credentials(const GranuleCredentialOptions& options);

// `payload` plus s3_credentials from `provider` (refreshed if they are about to expire).
nlohmann::json with_granule_credentials(const nlohmann::json& payload, io::s3::CredentialProvider& provider);

}  // namespace granary::cli
