#include "run/local_executor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include "run/framing.hpp"
#include "run/report.hpp"
#include "util/error.hpp"

namespace granary::run {
using nlohmann::json;
namespace {

// ---- interrupts -------------------------------------------------------------------------
// The handler only counts and wakes the poll loop through a self-pipe; the loop decides.
volatile sig_atomic_t g_signal_count = 0;
volatile sig_atomic_t g_last_signal = 0;
volatile sig_atomic_t g_in_process = 0;
volatile sig_atomic_t g_wake_fd = -1;

extern "C" void on_interrupt(int sig) {
  int saved_errno = errno;
  g_signal_count = g_signal_count + 1;
  g_last_signal = sig;
  // In-process there is no worker to kill: a second signal ends the process as usual.
  if (g_in_process && g_signal_count >= 2) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
  if (g_wake_fd >= 0) {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(g_wake_fd, &byte, 1);
  }
  errno = saved_errno;
}

// Installs the interrupt handlers for the duration of a run and restores the old ones.
class InterruptScope {
 public:
  explicit InterruptScope(bool in_process) {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) fail("pool: cannot create a pipe ({})", std::strerror(errno));
    g_signal_count = 0;
    g_last_signal = 0;
    g_in_process = in_process ? 1 : 0;
    g_wake_fd = pipe_[1];
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptScope() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    g_wake_fd = -1;
    g_in_process = 0;
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  int read_end() const { return pipe_[0]; }
  int write_end() const { return pipe_[1]; }
  void drain() const {
    char buf[64];
    while (::read(pipe_[0], buf, sizeof buf) > 0) {
    }
  }
  static int count() { return g_signal_count; }
  static const char* last_name() { return g_last_signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {}, old_term_ {};
};

// ---- results ----------------------------------------------------------------------------
json executor_failure(const json& payload, const std::string& error, const char* status = "FAILED") {
  return json{{"status", status}, {"error", error}, {"task", payload}};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return fmt::format("worker killed by signal {} ({}){}", sig, ::strsignal(sig),
                       WCOREDUMP(status) ? ", core dumped" : "");
  }
  if (WIFEXITED(status))
    return fmt::format("worker exited with status {} before returning a result", WEXITSTATUS(status));
  return "worker vanished before returning a result";
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 0;
  }
  return status;
}

// ---- workers ----------------------------------------------------------------------------
struct Worker {
  pid_t pid = -1;
  int fd = -1;                       // parent's end of the socket pair
  std::optional<std::size_t> task;   // the task it is running
};

[[noreturn]] void worker_main(int fd, const Handler& handler) {
  int code = 0;
  try {
    while (auto message = recv_frame(fd)) {
      json result = run_task_guarded(handler, json::parse(*message));
      if (!send_frame(fd, dump(result))) break;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "granary worker %d: %s\n", static_cast<int>(::getpid()), e.what());
    code = 3;
  }
  std::fflush(nullptr);
  // _exit: the parent's atexit handlers and static destructors (HDF5, test frameworks) must
  // not run in a forked copy.
  ::_exit(code);
}

class Pool {
 public:
  Pool(const std::vector<json>& tasks, const Handler& handler, const PoolOptions& options,
       const InterruptScope& interrupts)
      : tasks_(tasks), handler_(handler), options_(options), interrupts_(interrupts) {
    results_.resize(tasks.size());
    done_.assign(tasks.size(), false);
  }

  PoolOutcome run(int worker_count) {
    for (int w = 0; w < worker_count && next_ < tasks_.size(); ++w) {
      if (!spawn()) {
        if (workers_.empty()) fail("pool: cannot start any worker process ({})", std::strerror(errno));
        spdlog::warn("pool: could only start {} of {} workers ({})", workers_.size(), worker_count,
                     std::strerror(errno));
        break;
      }
    }
    spawned_ = static_cast<int>(workers_.size());
    while (!workers_.empty()) poll_once();
    for (pid_t pid : retired_) wait_for(pid);

    PoolOutcome outcome;
    outcome.interrupted = interrupted();
    outcome.deadline_passed = deadline_passed_;
    outcome.workers = spawned_;
    outcome.workers_replaced = replaced_;
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
      if (done_[i]) continue;
      if (deadline_passed_)
        record(i, executor_failure(tasks_[i], fmt::format("not started: {}", options_.deadline_reason)));
      else
        results_[i] = executor_failure(
            tasks_[i], fmt::format("not started: run interrupted by {}", InterruptScope::last_name()), "CANCELLED");
    }
    outcome.results = std::move(results_);
    return outcome;
  }

 private:
  // Forks one worker and gives it a task. False when fork fails.
  bool spawn() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    std::fflush(nullptr);
    spdlog::default_logger()->flush();
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(sv[0]);
      ::close(sv[1]);
      return false;
    }
    if (pid == 0) {
      // Only our own end stays open: a sibling holding the parent's end of another worker's
      // socket would keep that worker from ever seeing EOF.
      ::close(sv[0]);
      for (const auto& w : workers_) ::close(w.fd);
      ::close(interrupts_.read_end());
      ::close(interrupts_.write_end());
      g_wake_fd = -1;
      // Ctrl-C reaches the whole process group; the parent decides what the workers do.
      ::signal(SIGINT, SIG_IGN);
      ::signal(SIGTERM, SIG_DFL);
#ifdef __linux__
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
#endif
      worker_main(sv[1], handler_);
    }
    ::close(sv[1]);
    workers_.push_back(Worker{pid, sv[0], std::nullopt});
    if (!assign(workers_.back())) workers_.pop_back();
    return true;
  }

  // Gives the worker the next task, or retires it (closing its socket makes it exit).
  // Returns false when the worker was retired.
  bool assign(Worker& w) {
    w.task.reset();
    while (!stopping() && next_ < tasks_.size()) {
      const std::size_t i = next_++;
      std::optional<json> prepared;
      if (!prepare_task(i, prepared)) continue;
      w.task = i;
      // A failed send means the worker died; poll reports the hang-up and its exit status.
      send_frame(w.fd, dump(prepared ? *prepared : tasks_[i]));
      return true;
    }
    ::close(w.fd);
    retired_.push_back(w.pid);
    return false;
  }

  // Runs options.prepare for task i; false (the task recorded as FAILED) when it throws.
  bool prepare_task(std::size_t i, std::optional<json>& prepared) {
    if (!options_.prepare) return true;
    try {
      prepared = options_.prepare(tasks_[i]);
      return true;
    } catch (const std::exception& e) {
      record(i, executor_failure(tasks_[i], fmt::format("could not prepare the task: {}", e.what())));
      return false;
    }
  }

  // The signal handler may have run between poll and now: check its count, not a copy.
  static bool interrupted() { return InterruptScope::count() > 0; }
  bool stopping() {
    if (!deadline_passed_ && options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline) on_deadline();
    return interrupted() || deadline_passed_;
  }

  void on_deadline() {
    deadline_passed_ = true;
    if (!workers_.empty())
      spdlog::warn("{}: stopping {} running task(s); {} not started", options_.deadline_reason, workers_.size(),
                   tasks_.size() - next_);
    for (const auto& w : workers_)
      if (w.task) ::kill(w.pid, SIGKILL);
  }

  void record(std::size_t index, json result) {
    results_[index] = std::move(result);
    done_[index] = true;
    if (options_.on_result) options_.on_result(index, results_[index]);
  }

  void on_signal() {
    interrupts_.drain();
    const int count = InterruptScope::count();
    if (count >= 1 && !announced_) {
      announced_ = true;
      std::size_t running = workers_.size();
      spdlog::warn("{}: no new tasks; waiting for {} running task(s) (again to kill them); {} not started",
                   InterruptScope::last_name(), running, tasks_.size() - next_);
    }
    if (count >= 2 && !killed_) {
      killed_ = true;
      spdlog::warn("{} again: killing {} running worker(s)", InterruptScope::last_name(), workers_.size());
      for (const auto& w : workers_) ::kill(w.pid, SIGKILL);
    }
  }

  // A worker's socket is readable: a result, or EOF because it died.
  void on_readable(std::size_t k) {
    Worker& w = workers_[k];
    std::optional<std::string> message;
    try {
      message = recv_frame(w.fd);
    } catch (const Error& e) {
      ::kill(w.pid, SIGKILL);  // a garbled stream cannot be resynchronised
      spdlog::error("pool: worker {}: {}", w.pid, e.what());
    }
    if (message && w.task) {
      json result;
      try {
        result = json::parse(*message);
        if (options_.prepare && result.is_object() && result.contains("task")) result["task"] = tasks_[*w.task];
      } catch (const std::exception& e) {
        result = executor_failure(tasks_[*w.task], fmt::format("worker sent an unreadable result: {}", e.what()));
      }
      record(*w.task, std::move(result));
      if (!assign(w)) workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(k));
      return;
    }
    // The worker is gone: find out why, fail its task, replace it if work remains.
    ::close(w.fd);
    int status = wait_for(w.pid);
    std::string reason = deadline_passed_ ? fmt::format("stopped: {}", options_.deadline_reason)
                         : killed_    ? fmt::format("interrupted: worker killed after a second {}", InterruptScope::last_name())
                                      : describe_wait_status(status);
    auto task = w.task;
    workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(k));
    if (task) {
      spdlog::debug("pool: task {}: {}", *task, reason);  // the result carries it to the caller
      record(*task, executor_failure(tasks_[*task], reason));
    }
    if (!stopping() && next_ < tasks_.size()) {
      if (spawn()) {
        ++replaced_;
      } else if (workers_.empty()) {
        fail("pool: cannot replace a dead worker ({}); {} task(s) not run", std::strerror(errno),
             tasks_.size() - next_);
      }
    }
  }

  void poll_once() {
    std::vector<pollfd> fds;
    fds.push_back({interrupts_.read_end(), POLLIN, 0});
    for (const auto& w : workers_) fds.push_back({w.fd, POLLIN, 0});
    int timeout_ms = -1;
    if (options_.deadline && !deadline_passed_) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*options_.deadline - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60'000));
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      fail("pool: poll failed ({})", std::strerror(errno));
    }
    if (n == 0) {
      stopping();  // kills the running workers once the deadline has passed
      return;
    }
    if (fds[0].revents) on_signal();
    // Handle at most one worker per poll round: on_readable may erase from workers_, which
    // would shift the indices of the remaining pollfds.
    for (std::size_t k = 1; k < fds.size(); ++k) {
      if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
        on_readable(k - 1);
        return;
      }
    }
  }

  const std::vector<json>& tasks_;
  const Handler& handler_;
  const PoolOptions& options_;
  const InterruptScope& interrupts_;
  std::vector<json> results_;
  std::vector<bool> done_;
  std::vector<Worker> workers_;
  std::vector<pid_t> retired_;
  std::size_t next_ = 0;
  bool announced_ = false;
  bool killed_ = false;
  bool deadline_passed_ = false;
  int spawned_ = 0;
  int replaced_ = 0;
};

// A child forked while TBB worker threads exist inherits a pool without threads and runs
// every TBB loop serially. Joining them first gives each worker a full pool of its own; the
// parent's next TBB call simply starts a new one.
void join_tbb_threads_before_fork() {
  tbb::task_scheduler_handle handle{tbb::attach{}};
  if (!tbb::finalize(handle, std::nothrow))
    spdlog::debug("pool: TBB threads still in use; workers will run TBB loops on one thread");
}

PoolOutcome run_in_process(const std::vector<json>& tasks, const Handler& handler, const PoolOptions& options) {
  InterruptScope interrupts(/*in_process=*/true);
  PoolOutcome outcome;
  outcome.results.resize(tasks.size());
  std::size_t i = 0;
  for (; i < tasks.size() && InterruptScope::count() == 0; ++i) {
    if (options.prepare) {
      try {
        outcome.results[i] = run_task_guarded(handler, options.prepare(tasks[i]));
        if (outcome.results[i].is_object() && outcome.results[i].contains("task")) outcome.results[i]["task"] = tasks[i];
      } catch (const std::exception& e) {
        outcome.results[i] = executor_failure(tasks[i], fmt::format("could not prepare the task: {}", e.what()));
      }
    } else {
      outcome.results[i] = run_task_guarded(handler, tasks[i]);
    }
    if (options.on_result) options.on_result(i, outcome.results[i]);
  }
  if (i < tasks.size()) {
    outcome.interrupted = true;
    spdlog::warn("{}: stopped after {} of {} task(s)", InterruptScope::last_name(), i, tasks.size());
    for (; i < tasks.size(); ++i)
      outcome.results[i] = executor_failure(
          tasks[i], fmt::format("not started: run interrupted by {}", InterruptScope::last_name()), "CANCELLED");
  }
  return outcome;
}

}  // namespace

int default_workers(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

json run_task_guarded(const Handler& handler, const json& payload) {
  auto start = std::chrono::steady_clock::now();
  json result;
  try {
    result = handler(payload);
    if (!result.is_object())
      result = executor_failure(payload, fmt::format("handler returned a {} instead of a result object",
                                                     result.type_name()));
  } catch (const std::exception& e) {
    result = executor_failure(payload, e.what());
    mark_if_unavailable(result, e);
  } catch (...) {
    result = executor_failure(payload, "handler threw a non-standard exception");
  }
  if (!result.contains("elapsed_seconds"))
    result["elapsed_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

PoolOutcome run_local(const std::vector<json>& tasks, const Handler& handler, const PoolOptions& options) {
  if (tasks.empty()) return {};
  const int requested = default_workers(options.workers);
  if (requested == 1 && options.in_process_single && !options.deadline) return run_in_process(tasks, handler, options);
  const int workers = static_cast<int>(std::min<std::size_t>(requested, tasks.size()));
  join_tbb_threads_before_fork();
  InterruptScope interrupts(/*in_process=*/false);
  Pool pool(tasks, handler, options, interrupts);
  return pool.run(workers);
}

}  // namespace granary::run
