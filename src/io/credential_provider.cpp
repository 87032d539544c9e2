#include "io/credential_provider.hpp"

#include <cstdio>
#include <ctime>
#include <map>

#include <spdlog/spdlog.h>

#include "util/error.hpp"

namespace granary::io::s3 {

RefreshingProvider::RefreshingProvider(std::string source, Fetch fetch, std::chrono::seconds refresh_before)
    : source_(std::move(source)), fetch_(std::move(fetch)), refresh_before_(refresh_before) {}

std::optional<Credentials> RefreshingProvider::current() {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (cached_ && (!cached_->expiration || now < *cached_->expiration - refresh_before_)) return cached_->credentials;
  try {
    auto fresh = fetch_();
    ++fetches_;
    if (fresh.credentials.access_key_id.empty() || fresh.credentials.secret_access_key.empty())
      fail("{}: the answer has no access key id or secret access key", source_);
    if (fresh.expiration && *fresh.expiration <= now)
      spdlog::warn("{}: the credentials fetched have already expired", source_);
    spdlog::debug("{}: fetched access key {}{}", source_, redact_key_id(fresh.credentials.access_key_id),
                  fresh.expiration ? fmt::format(", valid for {} s",
                                                 std::chrono::duration_cast<std::chrono::seconds>(*fresh.expiration - now).count())
                                   : std::string());
    cached_ = std::move(fresh);
  } catch (const Error& e) {
    if (!cached_ || (cached_->expiration && now >= *cached_->expiration)) throw;
    spdlog::warn("{}; using the cached credentials until they expire", e.what());
  }
  return cached_->credentials;
}

std::string RefreshingProvider::describe() const {
  std::lock_guard lock(mutex_);
  if (!cached_) return source_;
  return fmt::format("{}, access key {}{}", source_, redact_key_id(cached_->credentials.access_key_id),
                     cached_->credentials.session_token.empty() ? "" : " with a session token");
}

std::optional<Clock::time_point> RefreshingProvider::expiration() const {
  std::lock_guard lock(mutex_);
  return cached_ ? cached_->expiration : std::nullopt;
}

int RefreshingProvider::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

std::shared_ptr<CredentialProvider> shared_provider(const std::string& key,
                                                    const std::function<std::shared_ptr<CredentialProvider>()>& make) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<CredentialProvider>> providers;
  std::lock_guard lock(mutex);
  auto& slot = providers[key];
  if (!slot) slot = make();
  return slot;
}

Clock::time_point parse_expiration(const std::string& text, const std::string& what) {
  std::tm tm{};
  int consumed = 0;
  char separator = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &separator,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 7 ||
      (separator != 'T' && separator != ' '))
    fail("{}: expiration \"{}\" is not an ISO 8601 time", what, text);
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {  // fractional seconds: dropped
    std::size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    rest = rest.substr(digits);
  }
  long offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int hours = 0, minutes = 0;
    if (std::sscanf(rest.c_str() + 1, "%2d:%2d", &hours, &minutes) != 2)
      fail("{}: expiration \"{}\" has a bad UTC offset", what, text);
    offset_seconds = (rest[0] == '-' ? -1L : 1L) * (hours * 3600L + minutes * 60L);
  } else {
    fail("{}: expiration \"{}\" has no time zone (Z or +HH:MM)", what, text);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t utc = timegm(&tm);
  return Clock::from_time_t(utc - offset_seconds);
}

std::string json_text(const nlohmann::json& object, const char* name) {
  return object.is_object() && object.contains(name) && object[name].is_string() ? object[name].get<std::string>()
                                                                                 : std::string();
}

ExpiringCredentials credentials_from_json(const nlohmann::json& answer, const CredentialFields& fields,
                                          const std::string& source) {
  ExpiringCredentials out{{json_text(answer, fields.key_id), json_text(answer, fields.secret), json_text(answer, fields.token)},
                          std::nullopt};
  if (auto expiration = json_text(answer, fields.expiration); !expiration.empty())
    out.expiration = parse_expiration(expiration, source);
  return out;
}

}  // namespace granary::io::s3
