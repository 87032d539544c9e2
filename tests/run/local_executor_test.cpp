#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <mutex>

#include <tbb/parallel_for.h>

#include "run/framing.hpp"
#include "run/local_executor.hpp"
#include "support/test_support.hpp"

namespace granary::run {
namespace {
using nlohmann::json;

std::vector<json> numbered_tasks(int n) {
  std::vector<json> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back({{"i", i}});
  return tasks;
}

// Crashing on purpose must not leave core files behind.
void no_core_dumps() {
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
}

TEST(RunFraming, RoundTripsLargeMessagesAndReportsEof) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string big(3'000'000, 'x');
  big[12345] = '\0';  // binary-safe
  std::thread writer([&] {
    EXPECT_TRUE(send_frame(sv[0], big));
    EXPECT_TRUE(send_frame(sv[0], ""));
    // A torn frame: header promises 100 bytes, the peer closes after 3.
    const unsigned char header[8] = {100, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(::send(sv[0], header, 8, 0), 8);
    ASSERT_EQ(::send(sv[0], "abc", 3, 0), 3);
    close(sv[0]);
  });
  auto first = recv_frame(sv[1]);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, big);
  auto second = recv_frame(sv[1]);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, "");
  EXPECT_FALSE(recv_frame(sv[1]));
  writer.join();
  EXPECT_FALSE(send_frame(sv[1], "to nobody"));  // peer gone: false, no SIGPIPE
  close(sv[1]);
}

TEST(RunLocalExecutor, ReturnsResultsInTaskOrderFromWorkerProcesses) {
  // Later tasks finish first (shorter sleeps), so completion order differs from task order.
  const int n = 12;
  std::vector<std::size_t> completion;
  PoolOptions options;
  options.workers = 3;
  options.on_result = [&](std::size_t index, const json&) { completion.push_back(index); };
  auto outcome = run_local(numbered_tasks(n), [](const json& p) {
    int i = p.at("i").get<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * (12 - i)));
    return json{{"status", "SUCCESS"}, {"square", i * i}, {"pid", static_cast<long>(getpid())}};
  }, options);
  ASSERT_EQ(outcome.results.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(outcome.workers, 3);
  EXPECT_FALSE(outcome.interrupted);
  std::set<long> pids;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(outcome.results[i].at("status"), "SUCCESS");
    EXPECT_EQ(outcome.results[i].at("square").get<int>(), i * i);
    EXPECT_TRUE(outcome.results[i].contains("elapsed_seconds"));
    pids.insert(outcome.results[i].at("pid").get<long>());
  }
  EXPECT_EQ(pids.count(static_cast<long>(getpid())), 0u) << "tasks must run in forked workers";
  EXPECT_GT(pids.size(), 1u);
  EXPECT_LE(pids.size(), 3u);
  EXPECT_EQ(completion.size(), static_cast<std::size_t>(n));
  EXPECT_NE(completion, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

TEST(RunLocalExecutor, WorkersInheritStateLoadedBeforeTheRun) {
  // Stands in for mapping factors: loaded once in the parent, read in every worker.
  std::vector<double> shared(1'000'000);
  for (std::size_t k = 0; k < shared.size(); ++k) shared[k] = static_cast<double>(k);
  PoolOptions options;
  options.workers = 2;
  auto outcome = run_local(numbered_tasks(4), [&](const json& p) {
    auto i = p.at("i").get<std::size_t>();
    return json{{"status", "SUCCESS"}, {"value", shared[i * 1000]}};
  }, options);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(outcome.results[i].at("value").get<double>(), i * 1000.0);
}

// Distinct threads that ran a short TBB loop.
int tbb_threads_used() {
  std::set<std::thread::id> ids;
  std::mutex m;
  tbb::parallel_for(0, 400, [&](int) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    std::lock_guard lock(m);
    ids.insert(std::this_thread::get_id());
  });
  return static_cast<int>(ids.size());
}

TEST(RunLocalExecutor, WorkersGetAFullTbbPoolAfterTheParentUsedTbb) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs at least 2 cores";
  ASSERT_GT(tbb_threads_used(), 1);  // the parent now has TBB worker threads
  PoolOptions options;
  options.workers = 1;
  options.in_process_single = false;
  auto outcome = run_local(numbered_tasks(1), [](const json&) {
    return json{{"status", "SUCCESS"}, {"threads", tbb_threads_used()}};
  }, options);
  EXPECT_GT(outcome.results[0].at("threads").get<int>(), 1) << "TBB loops in a worker ran serially";
  EXPECT_GT(tbb_threads_used(), 1);  // and the parent can still use TBB afterwards
}

TEST(RunLocalExecutor, HandlerExceptionFailsOnlyItsTask) {
  PoolOptions options;
  options.workers = 2;
  auto outcome = run_local(numbered_tasks(6), [](const json& p) -> json {
    if (p.at("i") == 3) throw std::runtime_error("bad input for task 3");
    return {{"status", "SUCCESS"}};
  }, options);
  for (int i = 0; i < 6; ++i) {
    if (i == 3) {
      EXPECT_EQ(outcome.results[i].at("status"), "FAILED");
      EXPECT_EQ(outcome.results[i].at("error"), "bad input for task 3");
      EXPECT_EQ(outcome.results[i].at("task").at("i"), 3);
    } else {
      EXPECT_EQ(outcome.results[i].at("status"), "SUCCESS") << i;
    }
  }
  EXPECT_EQ(outcome.workers_replaced, 0);
}

TEST(RunLocalExecutor, CrashedWorkersFailTheirTaskAndAreReplaced) {
  PoolOptions options;
  options.workers = 2;
  // Successful tasks take a little while, so work remains whenever a worker dies and every
  // death needs a replacement.
  auto outcome = run_local(numbered_tasks(20), [](const json& p) -> json {
    int i = p.at("i").get<int>();
    if (i == 2) {
      no_core_dumps();
      std::abort();
    }
    if (i == 5) {
      no_core_dumps();
      // As a crash inside an uninstrumented library would: under ASan, its SIGSEGV handler
      // would otherwise turn this into a report and SIGABRT.
      ::signal(SIGSEGV, SIG_DFL);
      ::raise(SIGSEGV);
    }
    if (i == 7) std::_Exit(4);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return {{"status", "SUCCESS"}, {"i", i}};
  }, options);
  ASSERT_EQ(outcome.results.size(), 20u);
  EXPECT_EQ(outcome.results[2].at("status"), "FAILED");
  EXPECT_NE(outcome.results[2].at("error").get<std::string>().find("worker killed by signal 6"), std::string::npos)
      << outcome.results[2].dump();
  EXPECT_EQ(outcome.results[5].at("status"), "FAILED");
  EXPECT_NE(outcome.results[5].at("error").get<std::string>().find("worker killed by signal 11"), std::string::npos)
      << outcome.results[5].dump();
  EXPECT_EQ(outcome.results[7].at("status"), "FAILED");
  EXPECT_NE(outcome.results[7].at("error").get<std::string>().find("exited with status 4"), std::string::npos);
  EXPECT_EQ(outcome.results[5].at("task").at("i"), 5);
  for (int i = 0; i < 20; ++i) {
    if (i == 2 || i == 5 || i == 7) continue;
    EXPECT_EQ(outcome.results[i].at("status"), "SUCCESS") << i;
    EXPECT_EQ(outcome.results[i].at("i"), i);
  }
  EXPECT_EQ(outcome.workers_replaced, 3);
}

TEST(RunLocalExecutor, MoreTasksThanWorkersAllRunOnTheSameWorkers) {
  PoolOptions options;
  options.workers = 2;
  auto outcome = run_local(numbered_tasks(40), [](const json& p) {
    return json{{"status", "SUCCESS"}, {"pid", static_cast<long>(getpid())}, {"i", p.at("i")}};
  }, options);
  std::set<long> pids;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(outcome.results[i].at("i"), i);
    pids.insert(outcome.results[i].at("pid").get<long>());
  }
  EXPECT_LE(pids.size(), 2u);  // workers are reused, not forked per task
}

TEST(RunLocalExecutor, FewerTasksThanWorkersStartsOnlyWhatIsNeeded) {
  PoolOptions options;
  options.workers = 8;
  auto outcome = run_local(numbered_tasks(2), [](const json&) { return json{{"status", "SUCCESS"}}; }, options);
  EXPECT_EQ(outcome.workers, 2);
  EXPECT_TRUE(run_local({}, [](const json&) { return json::object(); }, options).results.empty());
}

TEST(RunLocalExecutor, SingleWorkerRunsInProcessUnlessAskedNotTo) {
  PoolOptions options;
  options.workers = 1;
  auto handler = [](const json&) -> json {
    return {{"status", "SUCCESS"}, {"pid", static_cast<long>(getpid())}};
  };
  auto in_process = run_local(numbered_tasks(2), handler, options);
  EXPECT_EQ(in_process.workers, 0);
  EXPECT_EQ(in_process.results[1].at("pid").get<long>(), static_cast<long>(getpid()));
  options.in_process_single = false;
  auto forked = run_local(numbered_tasks(2), handler, options);
  EXPECT_EQ(forked.workers, 1);
  EXPECT_NE(forked.results[1].at("pid").get<long>(), static_cast<long>(getpid()));
}

// prepare runs in the parent as each task is handed out (e.g. to add fresh keys); what it
// adds reaches the handler but not the results, and a throw fails only that task.
TEST(RunLocalExecutor, PrepareAddsToTheTaskAsItStartsButNotToResults) {
  for (int workers : {1, 2}) {
    PoolOptions options;
    options.workers = workers;
    const pid_t parent = ::getpid();
    int prepared = 0;
    options.prepare = [&](const json& p) {
      EXPECT_EQ(::getpid(), parent);
      if (p.at("i") == 2) throw std::runtime_error("the keys could not be fetched");
      json q = p;
      q["secret"] = "fresh-" + std::to_string(++prepared);
      return q;
    };
    auto outcome = run_local(numbered_tasks(5), [](const json& p) -> json {
      if (p.at("i") == 4) throw std::runtime_error("task 4 fails");
      return {{"status", "SUCCESS"}, {"seen", p.at("secret")}};
    }, options);
    EXPECT_EQ(prepared, 4) << workers;  // once per task handed out, in order
    EXPECT_EQ(outcome.results[0].at("seen"), "fresh-1") << workers;
    EXPECT_EQ(outcome.results[3].at("seen"), "fresh-3") << workers;
    EXPECT_EQ(outcome.results[2].at("status"), "FAILED");
    EXPECT_EQ(outcome.results[2].at("error"), "could not prepare the task: the keys could not be fetched");
    EXPECT_EQ(outcome.results[4].at("status"), "FAILED");
    EXPECT_EQ(outcome.results[4].at("task"), json({{"i", 4}})) << "the planned task, without what prepare added";
  }
}

TEST(RunLocalExecutor, NonObjectResultIsAFailure) {
  PoolOptions options;
  options.workers = 1;
  auto outcome = run_local(numbered_tasks(1), [](const json&) { return json(42); }, options);
  EXPECT_EQ(outcome.results[0].at("status"), "FAILED");
  EXPECT_NE(outcome.results[0].at("error").get<std::string>().find("instead of a result object"), std::string::npos);
}

TEST(RunLocalExecutor, FirstInterruptStopsHandingOutTasksAndKeepsRunningOnes) {
  PoolOptions options;
  options.workers = 1;
  options.in_process_single = false;
  auto outcome = run_local(numbered_tasks(5), [](const json& p) -> json {
    if (p.at("i") == 1) {
      ::kill(getppid(), SIGINT);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // still finishes
    }
    return {{"status", "SUCCESS"}};
  }, options);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.results[0].at("status"), "SUCCESS");
  EXPECT_EQ(outcome.results[1].at("status"), "SUCCESS");
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(outcome.results[i].at("status"), "CANCELLED") << i;
    EXPECT_EQ(outcome.results[i].at("task").at("i"), i);
  }
  // The handlers are restored: a later run is not interrupted by this one's signal.
  EXPECT_FALSE(run_local(numbered_tasks(2), [](const json&) { return json{{"status", "SUCCESS"}}; }, options)
                   .interrupted);
}

TEST(RunLocalExecutor, SecondInterruptKillsRunningWorkers) {
  PoolOptions options;
  options.workers = 2;
  auto start = std::chrono::steady_clock::now();
  // Task 0 signals only once task 1 runs (the marker file), so that two tasks are running.
  test::TempDir dir;
  const auto marker = dir / "task-1-started";
  auto outcome = run_local(numbered_tasks(6), [&](const json& p) -> json {
    if (p.at("i") == 1) std::ofstream(marker).put('1');
    if (p.at("i") == 0) {
      while (!std::filesystem::exists(marker)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ::kill(getppid(), SIGINT);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      ::kill(getppid(), SIGINT);
    }
    std::this_thread::sleep_for(std::chrono::seconds(20));
    return {{"status", "SUCCESS"}};
  }, options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(outcome.interrupted);
  for (int i : {0, 1}) {
    EXPECT_EQ(outcome.results[i].at("status"), "FAILED");
    EXPECT_NE(outcome.results[i].at("error").get<std::string>().find("interrupted"), std::string::npos);
  }
  for (int i = 2; i < 6; ++i) EXPECT_EQ(outcome.results[i].at("status"), "CANCELLED");
}

TEST(RunLocalExecutor, InProcessInterruptStopsAfterTheCurrentTask) {
  PoolOptions options;
  options.workers = 1;
  auto outcome = run_local(numbered_tasks(4), [](const json& p) -> json {
    if (p.at("i") == 0) ::raise(SIGTERM);
    return {{"status", "SUCCESS"}};
  }, options);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.results[0].at("status"), "SUCCESS");
  EXPECT_EQ(outcome.results[1].at("status"), "CANCELLED");
  EXPECT_NE(outcome.results[1].at("error").get<std::string>().find("SIGTERM"), std::string::npos);
}

}  // namespace
}  // namespace granary::run
