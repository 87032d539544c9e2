// A profile's credential_process: the AWS CLI's way to get keys from another program (AWS
// SSO helpers, aws-vault, ...). We run the command without a shell, split into words the
// way the AWS CLI does on POSIX (shlex.split): whitespace separates, quotes and backslashes
// group, nothing is expanded.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include <nlohmann/json.hpp>

#include "io/credential_sources.hpp"
#include "util/error.hpp"

extern char** environ;

namespace granary::io::s3 {
namespace {

// A helper that waits for a person (a browser login) would hang every worker: give up.
constexpr std::chrono::seconds kTimeout{120};

struct ProcessOutput {
  int status = 0;  // waitpid status
  bool timed_out = false;
  std::string out, err;
};

ProcessOutput run(const std::vector<std::string>& words, const std::string& source) {
  std::vector<char*> argv;
  for (const auto& w : words) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) fail("{}: cannot make a pipe ({})", source, std::strerror(errno));
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    fail("{}: cannot make a pipe ({})", source, std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  ProcessOutput result;
  if (rc == 0) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_count = 2;
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (open_count > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const int ready = left.count() > 0 ? poll(fds, 2, static_cast<int>(left.count())) : 0;
      if (ready == 0) {
        kill(pid, SIGKILL);
        result.timed_out = true;
        break;
      }
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int k = 0; k < 2; ++k) {
        if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buffer[4096];
        const ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
        if (n > 0) {
          sinks[k]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[k].fd = -1;
          --open_count;
        }
      }
    }
    while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
    }
  }
  close(out[0]);
  close(err[0]);
  if (rc != 0) fail("{}: cannot run \"{}\" ({})", source, words[0], std::strerror(rc));
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
  try {
    j = nlohmann::json::parse(result.out);
  } catch (const nlohmann::json::parse_error& e) {
    // Only the position: the parser's message quotes the text, which may be a secret.
    fail("{}: \"{}\" printed something other than JSON (syntax error at byte {})", source, words[0], e.byte);
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
