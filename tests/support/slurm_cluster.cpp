#include "support/slurm_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "util/error.hpp"

namespace granary::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const char* const kDaemons[] = {"munged", "slurmctld", "slurmd"};
const char* const kClients[] = {"sbatch", "squeue", "scontrol", "scancel", "sinfo"};

// PATH plus the sbin directories, which a non-login root shell may not have on PATH.
std::optional<fs::path> find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

fs::path require_program(const std::string& name) {
  auto p = find_program(name);
  if (!p) fail("{} not found (install slurm-wlm and munge: scripts/install-deps.sh)", name);
  return *p;
}

// A port nobody listens on now, on loopback (the kernel picks it).
int free_loopback_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) fail("cannot make a socket to find a free port");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(s);
    fail("cannot bind a loopback port");
  }
  close(s);
  return ntohs(a.sin_port);
}

std::string tail_of(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  if (!in) return "(no " + file.filename().string() + ")";
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "  " + all[i] + "\n";
  return out;
}

bool exited(pid_t pid) {
  if (pid <= 0) return true;
  return waitpid(pid, nullptr, WNOHANG) == pid;
}

// SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it either way.
void terminate(pid_t& pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(50ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  pid = -1;
}

std::string user_name() {
  const passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : std::to_string(geteuid());
}

}  // namespace

std::string SlurmCluster::why_unavailable() {
  std::vector<std::string> missing;
  for (const char* p : kDaemons)
    if (!find_program(p)) missing.push_back(p);
  for (const char* p : kClients)
    if (!find_program(p)) missing.push_back(p);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return "Slurm test cluster unavailable: " + list + " not installed (scripts/install-deps.sh installs slurm-wlm and munge)";
  }
  if (geteuid() != 0) return "Slurm test cluster unavailable: slurmd must run as root (the CI runs the tests as root)";
  return "";
}

bool SlurmCluster::available() { return why_unavailable().empty(); }

SlurmCluster::SlurmCluster(std::chrono::seconds startup_timeout) {
  if (!available()) fail("{}", why_unavailable());
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  cpus_ = n > 0 ? static_cast<int>(n) : 1;
  for (const char* sub : {"state", "spool", "log"}) fs::create_directories(dir() / sub);
  // munged wants a key only its user can read; any 1024 random bytes will do.
  {
    std::random_device rd;
    std::string key(1024, '\0');
    for (auto& c : key) c = static_cast<char>(rd());
    const fs::path key_file = dir() / "munge.key";
    std::ofstream(key_file, std::ios::binary) << key;
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  }
  try {
    munged_ = spawn({require_program("munged").string(), "--foreground", "--force", "--socket=" + (dir() / "munge.sock").string(),
                     "--key-file=" + (dir() / "munge.key").string(), "--pid-file=" + (dir() / "munged.pid").string(),
                     "--log-file=" + (dir() / "log" / "munged.log").string(), "--seed-file=" + (dir() / "munged.seed").string(),
                     "--num-threads=2"},
                    "munged.out");
    const auto munge_deadline = std::chrono::steady_clock::now() + 10s;
    while (!fs::exists(dir() / "munge.sock")) {
      if (exited(munged_)) {
        munged_ = -1;
        fail("munged exited at startup:\n{}", log_tails());
      }
      if (std::chrono::steady_clock::now() > munge_deadline) fail("munged made no socket within 10 s:\n{}", log_tails());
      std::this_thread::sleep_for(50ms);
    }
    // A free port can be taken by someone else (another test's cluster or client) before the
    // daemon binds it: then the daemon exits with "Address already in use", and new ports
    // are tried (three times at most).
    for (int attempt = 1;; ++attempt) {
      ctld_port_ = free_loopback_port();
      do slurmd_port_ = free_loopback_port();
      while (slurmd_port_ == ctld_port_);
      write_config();
      const std::string conf = (dir() / "slurm.conf").string();
      slurmctld_ = spawn({require_program("slurmctld").string(), "-D", "-f", conf}, "slurmctld.out");
      slurmd_ = spawn({require_program("slurmd").string(), "-D", "-f", conf, "-N", "localhost"}, "slurmd.out");
      try {
        wait_until_idle(startup_timeout);
        break;
      } catch (const Error& e) {
        if (attempt == 3 || std::string(e.what()).find("Address already in use") == std::string::npos) throw;
        terminate(slurmd_, 1000ms);  // it runs no job yet
        terminate(slurmctld_, 1000ms);
        fs::remove_all(dir() / "state");
        fs::create_directories(dir() / "state");
      }
    }
  } catch (...) {
    stop();
    throw;
  }
}

SlurmCluster::~SlurmCluster() { stop(); }

void SlurmCluster::write_config() {
  const fs::path d = dir();
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  // slurmd drains a node that claims more memory than it has; 80% of it leaves room.
  const long real_memory_mb = pages > 0 && page > 0 ? std::max(64L, pages / 1024 * page / 1024 * 8 / 10) : 64;
  std::ofstream conf(d / "slurm.conf");
  conf << "# A single-node test cluster on loopback (tests/support/slurm_cluster.cpp).\n"
       << "ClusterName=granarytest\n"
       << "SlurmctldHost=localhost(127.0.0.1)\n"
       << "SlurmctldPort=" << ctld_port_ << "\n"
       << "SlurmdPort=" << slurmd_port_ << "\n"
       << "AuthType=auth/munge\n"
       << "CredType=cred/munge\n"
       << "AuthInfo=socket=" << (d / "munge.sock").string() << "\n"
       << "CommunicationParameters=NoInAddrAny\n"
       << "SlurmUser=root\nSlurmdUser=root\n"
       << "StateSaveLocation=" << (d / "state").string() << "\n"
       << "SlurmdSpoolDir=" << (d / "spool").string() << "\n"
       << "SlurmctldPidFile=" << (d / "slurmctld.pid").string() << "\n"
       << "SlurmdPidFile=" << (d / "slurmd.pid").string() << "\n"
       << "SlurmctldLogFile=" << (d / "log" / "slurmctld.log").string() << "\n"
       << "SlurmdLogFile=" << (d / "log" / "slurmd.log").string() << "\n"
       << "ProctrackType=proctrack/linuxproc\n"
       << "TaskPlugin=task/none\n"
       << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
       << "JobAcctGatherType=jobacct_gather/none\n"
       << "AccountingStorageType=accounting_storage/none\n"
       << "JobCompType=jobcomp/none\n"
       << "MpiDefault=none\nSwitchType=switch/none\n"
       << "SchedulerType=sched/backfill\n"
       << "SchedulerParameters=batch_sched_delay=0\n"  // schedule when a job arrives, not every 3 s
       << "MailProg=/bin/true\n"
       << "MinJobAge=600\n"  // keeps finished jobs in scontrol (no accounting database)
       << "ReturnToService=2\n"
       << "SlurmctldTimeout=30\nSlurmdTimeout=30\n"
       << "KillWait=2\n"
       << "NodeName=localhost NodeAddr=127.0.0.1 CPUs=" << cpus_ << " RealMemory=" << real_memory_mb << " State=UNKNOWN\n"
       << "PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n";
  // slurmd always loads a cgroup plugin (22.05) though nothing here uses cgroups. cgroup/v1's
  // init touches no file system, where autodetect would pick cgroup/v2 on a v2-only host and
  // its init sets up controllers and a systemd scope, which fails in containers and CI.
  std::ofstream(d / "cgroup.conf") << "CgroupPlugin=cgroup/v1\n";
}

pid_t SlurmCluster::spawn(const std::vector<std::string>& args, const std::string& log_name) {
  const std::string log = (dir() / "log" / log_name).string();
  const std::string conf = "SLURM_CONF=" + (dir() / "slurm.conf").string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).substr(0, 11) != "SLURM_CONF=") env_strings.emplace_back(*e);
  env_strings.push_back(conf);
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) fail("cannot fork to start {}", args[0]);
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The daemons die with the test process, even
    // when it crashes before the destructor runs.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    if (null >= 0) dup2(null, STDIN_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

void SlurmCluster::wait_until_idle(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    for (pid_t* p : {&munged_, &slurmctld_, &slurmd_}) {
      if (exited(*p)) {
        *p = -1;
        fail("a Slurm test daemon exited at startup (last sinfo: \"{}\"):\n{}", last, log_tails());
      }
    }
    // Bounded: sinfo retries a controller that is not there yet (or exited) for about 10 s.
    const auto r = run("timeout 3 sinfo -h -N -o %t 2>&1");
    last = r.out;
    while (!last.empty() && std::isspace(static_cast<unsigned char>(last.back()))) last.pop_back();
    if (r.exit_code == 0 && last == "idle") return;
    std::this_thread::sleep_for(100ms);
  }
  fail("the Slurm test node was not idle within {} s (last sinfo: \"{}\"):\n{}", timeout.count(), last, log_tails());
}

std::string SlurmCluster::env() const { return "SLURM_CONF=" + (dir() / "slurm.conf").string() + " "; }

CommandResult SlurmCluster::run(const std::string& command) const { return run_command(env() + command); }

std::string SlurmCluster::submit(const fs::path& script, const std::string& extra_args) {
  const auto r = run("sbatch --parsable " + extra_args + " '" + script.string() + "'");
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (r.exit_code != 0 || id.empty()) fail("sbatch {} failed ({}): {}{}", script.string(), r.exit_code, r.err, r.out);
  return id;
}

bool SlurmCluster::wait(const std::string& job_id, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto r = run("squeue -h -j " + job_id + " -o %i");
    if (r.exit_code == 0 && r.out.find_first_not_of(" \n") == std::string::npos) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

void SlurmCluster::cancel(const std::string& job_id) {
  const auto r = run("scancel " + job_id);
  if (r.exit_code != 0) fail("scancel {} failed ({}): {}", job_id, r.exit_code, r.err);
}

std::vector<SlurmTask> SlurmCluster::tasks(const std::string& job_id) const {
  const auto r = run("scontrol -o show job " + job_id);
  std::vector<SlurmTask> tasks;
  if (r.exit_code != 0) return tasks;
  std::stringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("JobId=") == std::string::npos) continue;
    SlurmTask t;
    std::stringstream words(line);
    for (std::string w; words >> w;) {
      const auto eq = w.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
      if (key == "ArrayTaskId" && !value.empty() && value.find_first_not_of("0123456789") == std::string::npos)
        t.array_task_id = std::stol(value);
      else if (key == "JobState")
        t.state = value;
      else if (key == "ExitCode" && value.find(':') != std::string::npos) {
        t.exit_code = std::atoi(value.substr(0, value.find(':')).c_str());
        t.signal = std::atoi(value.substr(value.find(':') + 1).c_str());
      }
    }
    tasks.push_back(t);
  }
  std::sort(tasks.begin(), tasks.end(), [](const SlurmTask& a, const SlurmTask& b) { return a.array_task_id < b.array_task_id; });
  return tasks;
}

std::vector<pid_t> SlurmCluster::daemon_pids() const {
  std::vector<pid_t> pids;
  for (pid_t p : {munged_, slurmctld_, slurmd_})
    if (p > 0) pids.push_back(p);
  return pids;
}

void SlurmCluster::stop() {
  if (stopped_) return;
  stopped_ = true;
  // The jobs first, while slurmd can still kill their processes (bounded: a few seconds).
  if (slurmctld_ > 0 && slurmd_ > 0) {
    run("scancel -u " + user_name() + " 2>/dev/null");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto r = run("squeue -h -o %i 2>/dev/null");
      if (r.exit_code != 0 || r.out.find_first_not_of(" \n") == std::string::npos) break;
      std::this_thread::sleep_for(200ms);
    }
  }
  terminate(slurmd_, 5000ms);
  terminate(slurmctld_, 5000ms);
  terminate(munged_, 5000ms);
}

std::string SlurmCluster::log_tails() const {
  std::string out;
  for (const char* name : {"munged.out", "munged.log", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log"})
    out += fmt::format("--- {}:\n{}", name, tail_of(dir() / "log" / name, 15));
  return out;
}

}  // namespace granary::test
