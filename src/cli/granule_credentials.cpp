#include "cli/granule_credentials.hpp"

#include <spdlog/spdlog.h>

#include "io/credential_sources.hpp"
#include "recipes/atl06/cell_job.hpp"
#include "util/error.hpp"

namespace granary::cli {

void add_granule_credential_options(CLI::App& command, GranuleCredentialOptions& options) {
  command
      .add_option("--granule-credentials", options.source,
                  "Keys that read s3:// granules: chain (environment, ~/.aws, container, instance) or earthdata "
                  "(NASA Earthdata's temporary keys: EARTHDATA_TOKEN or ~/.netrc; NSIDC's bucket, us-west-2)")
      ->check(CLI::IsMember({"chain", "earthdata"}))
      ->capture_default_str();
  command.add_option("--s3-credentials-url", options.url,
                     "Earthdata s3credentials endpoint (default: $GRANARY_EARTHDATA_S3CREDENTIALS_URL, else NSIDC's)");
}

std::shared_ptr<io::s3::CredentialProvider> granule_credentials(const GranuleCredentialOptions& options) {
  if (options.source != "earthdata") {
    if (!options.url.empty()) fail("--s3-credentials-url only applies with --granule-credentials earthdata");
    return nullptr;
  }
  auto provider = io::s3::earthdata_provider(io::s3::earthdata_options(io::s3::process_env, options.url));
  provider->current();
  spdlog::info("granules are read with {}", provider->describe());
  return provider;
}

nlohmann::json with_granule_credentials(const nlohmann::json& payload, io::s3::CredentialProvider& provider) {
  auto keys = provider.current();
  if (!keys) fail("{}: no keys", provider.source());
  auto out = payload;
  out["s3_credentials"] = atl06::credentials_to_event(*keys);
  return out;
}

}  // namespace granary::cli
