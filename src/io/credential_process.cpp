// A profile's credential_process: the AWS CLI's way to get keys from another program (AWS
// SSO helpers, aws-vault, ...). We run the command without a shell, split into words the
// way the AWS CLI does on POSIX (shlex.split): whitespace separates, quotes and backslashes
// group, nothing is expanded.
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "io/credential_sources.hpp"
#include "util/error.hpp"
#include "util/subprocess.hpp"
#include "util/json_input.hpp"

namespace granary::io::s3 {
namespace {

// A helper that waits for a person (a browser login) would hang every worker: give up.
constexpr std::chrono::seconds kTimeout{120};

ProcessOutput run(const std::vector<std::string>& words, const std::string& source) {
  auto result = run_process(words, kTimeout);
  if (result.spawn_error != 0) fail("{}: cannot run \"{}\" ({})", source, words[0], std::strerror(result.spawn_error));
  return result;
}

// The end of what the command said on stderr, for the message (its stdout may hold keys).
std::string stderr_tail(std::string err) {
  while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
  if (err.size() > 400) err = "…" + err.substr(err.size() - 400);
  return err.empty() ? "" : ": " + err;
}

ExpiringCredentials fetch(const std::string& source, const std::vector<std::string>& words) {
  auto result = run(words, source);
  if (result.timed_out)
    fail("{}: \"{}\" did not finish within {} s{}", source, words[0], kTimeout.count(), stderr_tail(result.err));
  if (WIFSIGNALED(result.status))
    fail("{}: \"{}\" was killed by signal {}{}", source, words[0], WTERMSIG(result.status), stderr_tail(result.err));
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0)
    fail("{}: \"{}\" exited with status {}{}", source, words[0], WEXITSTATUS(result.status), stderr_tail(result.err));
  nlohmann::json j;
  require_json_depth(result.out, source);
  try {
    j = nlohmann::json::parse(result.out);
  } catch (const nlohmann::json::exception& e) {
    // Only the position: the parser's message quotes the text, which may be a secret.
    fail("{}: \"{}\" printed something other than JSON ({})", source, words[0], json_error_detail(e));
  }
  if (!j.is_object() || !j.contains("Version") || j["Version"] != 1)
    fail("{}: \"{}\" printed JSON without \"Version\": 1 (the AWS CLI's credential_process format)", source, words[0]);
  if (json_text(j, "AccessKeyId").empty() || json_text(j, "SecretAccessKey").empty())
    fail("{}: \"{}\" printed no AccessKeyId or SecretAccessKey", source, words[0]);
  return credentials_from_json(j, {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}, source);
}

}  // namespace

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else word += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < command.size() && std::strchr("\"\\$`\n", command[i + 1])) word += command[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 < command.size()) word += command[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) fail("credential_process: unterminated {} quote", quote == '"' ? "double" : "single");
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::shared_ptr<CredentialProvider> process_provider(const std::string& command, const std::string& where) {
  std::vector<std::string> words;
  try {
    words = split_command(command);
  } catch (const Error& e) {
    fail("{}: {}", where, e.what());
  }
  if (words.empty()) fail("{}: credential_process is empty", where);
  const std::string source = fmt::format("credential_process of {}", where);
  return shared_provider("process " + where + "\n" + command, [&] {
    return std::make_shared<RefreshingProvider>(source, [=] { return fetch(source, words); });
  });
}

}  // namespace granary::io::s3
