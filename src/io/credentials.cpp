#include "io/credentials.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "io/credential_provider.hpp"
#include "io/credential_sources.hpp"
#include "util/error.hpp"

namespace granary::io::s3 {
namespace fs = std::filesystem;
namespace {

using Section = std::map<std::string, std::string>;

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// One [section] of an AWS shared file (INI). Indented lines are nested sub-settings
// (e.g. "s3 =\n  max_concurrent_requests = 4"), which granary does not use.
std::optional<Section> read_section(const fs::path& file, const std::string& wanted) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::optional<Section> found;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    auto text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      inside = trim(text.substr(1, text.size() - 2)) == wanted;
      if (inside && !found) found.emplace();
      continue;
    }
    auto eq = text.find('=');
    if (!inside || indented || eq == std::string::npos) continue;
    (*found)[trim(text.substr(0, eq))] = trim(text.substr(eq + 1));
  }
  return found;
}

std::optional<fs::path> shared_file(const EnvLookup& env, const char* override_var, const char* name) {
  if (auto path = env(override_var)) return fs::path(*path);
  if (auto home = env("HOME")) return fs::path(*home) / ".aws" / name;
  return std::nullopt;
}

std::string profile_name(const EnvLookup& env) { return env("AWS_PROFILE").value_or("default"); }

// The profile's settings: the credentials file's [name], then the config file's
// [profile name] ([default] for the default profile). Keys from the first file win.
struct Profile {
  Section settings;
  std::string where;  // for messages: "~/.aws/credentials [name]"
  bool found = false;
};

Profile read_profile(const EnvLookup& env) {
  auto name = profile_name(env);
  Profile profile;
  if (auto file = shared_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")) {
    if (auto section = read_section(*file, name)) {
      profile.settings = *section;
      profile.where = fmt::format("{} [{}]", file->string(), name);
      profile.found = true;
    }
  }
  if (auto file = shared_file(env, "AWS_CONFIG_FILE", "config")) {
    auto section = read_section(*file, name == "default" ? "default" : "profile " + name);
    if (!section && name == "default") section = read_section(*file, "profile default");
    if (section) {
      profile.settings.insert(section->begin(), section->end());  // keeps existing keys
      if (!profile.found) profile.where = fmt::format("{} [profile {}]", file->string(), name);
      profile.found = true;
    }
  }
  return profile;
}

bool is_truthy(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string v = *value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "1" || v == "true" || v == "yes";
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

std::string redact_key_id(const std::string& access_key_id) {
  if (access_key_id.size() <= 4) return "…";
  return "…" + access_key_id.substr(access_key_id.size() - 4);
}

std::string ResolvedCredentials::describe() const {
  if (!credentials) return source;
  return fmt::format("{}, access key {}{}", source, redact_key_id(credentials->access_key_id),
                     credentials->session_token.empty() ? "" : " with a session token");
}

std::shared_ptr<CredentialProvider> credential_chain(const std::optional<Credentials>& explicit_credentials,
                                                     const EnvLookup& env) {
  auto fixed = [](std::optional<Credentials> keys, std::string source) {
    return std::make_shared<StaticProvider>(ResolvedCredentials{std::move(keys), std::move(source)});
  };
  if (explicit_credentials) {
    if (explicit_credentials->access_key_id.empty() || explicit_credentials->secret_access_key.empty())
      fail("explicit S3 credentials need both an access key id and a secret access key");
    return fixed(explicit_credentials, "explicit");
  }
  if (is_truthy(env("AWS_NO_SIGN_REQUEST"))) return fixed(std::nullopt, "anonymous (AWS_NO_SIGN_REQUEST)");

  auto key = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (key && secret) return fixed(Credentials{*key, *secret, env("AWS_SESSION_TOKEN").value_or("")}, "environment");
  if (key || secret)
    fail("{} is set but {} is not; set both or neither", key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
         key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");

  auto profile = read_profile(env);
  if (profile.found) {
    auto& s = profile.settings;
    if (s.count("aws_access_key_id") && s.count("aws_secret_access_key")) {
      auto token = s.count("aws_session_token") ? s["aws_session_token"] : "";
      return fixed(Credentials{s["aws_access_key_id"], s["aws_secret_access_key"], token}, profile.where);
    }
    if (auto it = s.find("credential_process"); it != s.end() && !it->second.empty())
      return process_provider(it->second, profile.where);
    if (env("AWS_PROFILE"))
      fail("{}: the profile has neither aws_access_key_id/aws_secret_access_key nor credential_process (role and "
           "SSO profiles are not read by granary: a credential_process can bridge them)", profile.where);
  } else if (env("AWS_PROFILE")) {
    fail("AWS profile '{}' was not found in the shared credentials or config file", profile_name(env));
  }
  if (auto container = container_provider(env)) return container;
  if (auto instance = imds_provider(env)) return instance;
  return fixed(std::nullopt,
               "anonymous (no credentials: none explicit, none in the environment, none in ~/.aws, no container "
               "credentials; instance metadata disabled)");
}

ResolvedCredentials resolve_credentials(const std::optional<Credentials>& explicit_credentials,
                                        const EnvLookup& env) {
  auto provider = credential_chain(explicit_credentials, env);
  auto keys = provider->current();
  return {keys, provider->source()};
}

std::string resolve_region(const EnvLookup& env) {
  if (auto region = env("AWS_REGION")) return *region;
  if (auto region = env("AWS_DEFAULT_REGION")) return *region;
  auto profile = read_profile(env);
  if (auto it = profile.settings.find("region"); it != profile.settings.end() && !it->second.empty())
    return it->second;
  return "us-east-1";
}

std::string resolve_endpoint(const EnvLookup& env) {
  if (auto url = env("AWS_ENDPOINT_URL_S3")) return *url;
  return env("AWS_ENDPOINT_URL").value_or("");
}

}  // namespace granary::io::s3
