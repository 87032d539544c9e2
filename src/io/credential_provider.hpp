#pragma once
// Credentials that change while a process runs: temporary keys from a container endpoint,
// the EC2 instance metadata service, a credential_process or NASA Earthdata last an hour
// or so. A provider hands out the keys to sign the next request with and fetches new ones
// a few minutes before the old ones expire, so a run longer than an hour keeps working.
//
// Thread-safe: one fetch at a time, other callers wait for it. Fork-safe: the cache is
// plain data (a forked worker inherits valid keys), and every fetch makes its own HTTP
// handle or child process, so nothing from before a fork is used after it.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "io/credentials.hpp"

namespace granary::io::s3 {

using Clock = std::chrono::system_clock;

struct ExpiringCredentials {
  Credentials credentials;
  std::optional<Clock::time_point> expiration;  // nullopt: never expires
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // The keys for the next request (fetching or refreshing them if needed); nullopt means
  // anonymous (unsigned) access. Throws granary::Error naming the source when a needed
  // fetch fails.
  virtual std::optional<Credentials> current() = 0;
  // Where the keys come from, e.g. "container credentials (http://169.254.170.2/v2/...)";
  // safe to log.
  virtual std::string source() const = 0;
  // source() plus the last four characters of the current access key id; safe to log.
  // Never fetches.
  virtual std::string describe() const { return source(); }
};

// Keys that do not change (explicit, environment, a profile's static keys) or none.
class StaticProvider final : public CredentialProvider {
 public:
  explicit StaticProvider(ResolvedCredentials resolved) : resolved_(std::move(resolved)) {}
  std::optional<Credentials> current() override { return resolved_.credentials; }
  std::string source() const override { return resolved_.source; }
  std::string describe() const override { return resolved_.describe(); }

 private:
  ResolvedCredentials resolved_;
};

// Fetches on first use and again `refresh_before` ahead of the expiration. When a refresh
// fails while the cached keys are still valid, the cached keys are used (with a warning)
// and the next call tries again; once they have expired, the failure is an error.
class RefreshingProvider : public CredentialProvider {
 public:
  using Fetch = std::function<ExpiringCredentials()>;
  static constexpr std::chrono::seconds kRefreshBefore{5 * 60};

  RefreshingProvider(std::string source, Fetch fetch, std::chrono::seconds refresh_before = kRefreshBefore);
  std::optional<Credentials> current() override;
  std::string source() const override { return source_; }
  std::string describe() const override;
  // When the cached keys expire (nullopt: none cached or they never expire).
  std::optional<Clock::time_point> expiration() const;
  int fetches() const;  // fetches so far (tests)

 private:
  std::string source_;
  Fetch fetch_;
  std::chrono::seconds refresh_before_;
  mutable std::mutex mutex_;
  std::optional<ExpiringCredentials> cached_;
  int fetches_ = 0;
};

// The process-wide provider registered under `key` (e.g. "imds http://169.254.169.254"),
// made by `make` on first use: every store of a process shares one cache, so a job that
// opens many objects fetches once. A forked worker inherits the cache.
std::shared_ptr<CredentialProvider> shared_provider(const std::string& key,
                                                    const std::function<std::shared_ptr<CredentialProvider>()>& make);

// "2024-01-01T12:00:00Z", "2024-01-01T12:00:00.123+00:00", "2024-01-01 12:00:00+00:00".
// Throws granary::Error naming `what` for anything else.
Clock::time_point parse_expiration(const std::string& text, const std::string& what);

// What an endpoint calls the fields of its answer: the AWS sources say AccessKeyId,
// SecretAccessKey, Token or SessionToken, Expiration; NASA Earthdata uses camelCase.
struct CredentialFields {
  const char *key_id, *secret, *token, *expiration;
};

// A string field of a JSON object, or "" when it is absent or not a string.
std::string json_text(const nlohmann::json& object, const char* name);

// The keys and expiration in a parsed answer (absent fields are ""); an expiration that is
// not a time throws granary::Error naming `source`.
ExpiringCredentials credentials_from_json(const nlohmann::json& answer, const CredentialFields& fields,
                                          const std::string& source);

}  // namespace granary::io::s3
