#pragma once
// The local executor: runs JSON task payloads through a handler in N worker processes.
//
// Why processes: HDF5 and netCDF-C are not thread-safe, and a crash in one task must not
// take the run down. Workers are forked by the caller's process AFTER it has loaded the
// shared read-only state (grid, metadata, mapping factors): they inherit it copy-on-write
// and never reload it. The parent must have no threads of its own running when it calls
// run_local (a forked child only has the forking thread); TBB's pool is joined before the
// first fork so that each worker gets a full TBB pool for the parallel loops of its tasks.
//
// Scheduling is dynamic: each worker gets the next task as soon as it returns a result, so
// long and short tasks balance. Results come back in task order. A worker that dies (signal,
// abort, exit) marks its task FAILED with the reason and is replaced; a handler that throws
// marks its task FAILED; other tasks carry on.
//
// A deadline (a Lambda invocation's) works like a second interrupt at that moment: running
// workers are killed and their tasks FAILED "stopped: <reason>"; unstarted tasks FAILED "not
// started: <reason>". Both are reported through on_result, so a plan records them.
//
// Interrupts (SIGINT/SIGTERM) during run_local: the first stops handing out tasks and waits
// for the running ones; the second kills the running workers. Unstarted tasks come back as
// CANCELLED. Outputs are atomic and tasks idempotent, so a rerun resumes.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace granary::run {

// Runs one payload; returns its result (an object with at least "status": SUCCESS, FAILED
// or SKIP, by convention). May throw: the executor turns that into a FAILED result.
using Handler = std::function<nlohmann::json(const nlohmann::json& payload)>;

struct PoolOptions {
  int workers = 0;              // worker processes; 0 = number of cores (capped by task count)
  bool in_process_single = true;  // workers == 1: run in this process (debuggable, no fork,
                                  // but a crash ends the run)
  // Called in the parent as each result arrives (completion order) with the task index.
  std::function<void(std::size_t index, const nlohmann::json& result)> on_result;
  // Called in the parent just before a task goes to a worker; the worker gets what it
  // returns (e.g. the payload plus keys that must be fresh when the task starts). What it
  // adds stays out of the results: a result that carries its task carries the planned
  // payload. A throw fails that task only.
  std::function<nlohmann::json(const nlohmann::json& payload)> prepare;
  // When set, tasks run in worker processes even with one worker (a task past the deadline
  // must be killable).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string deadline_reason = "the deadline passed";
};

struct PoolOutcome {
  std::vector<nlohmann::json> results;  // one per task, in task order
  bool interrupted = false;             // SIGINT/SIGTERM cut the run short
  bool deadline_passed = false;         // the deadline cut the run short
  int workers = 0;                      // worker processes used (0 = ran in-process)
  int workers_replaced = 0;             // workers that died and were replaced
};

// Results the executor itself produces have {"status", "error", "task": payload}. Every
// result that is an object gets "elapsed_seconds" (handler wall time) when it lacks one.
PoolOutcome run_local(const std::vector<nlohmann::json>& tasks, const Handler& handler,
                      const PoolOptions& options = {});

// Runs one payload through the handler in the calling process, catching exceptions.
nlohmann::json run_task_guarded(const Handler& handler, const nlohmann::json& payload);

// The worker count for a `-j` value: n > 0 as given, else the number of cores.
int default_workers(int requested);

}  // namespace granary::run
