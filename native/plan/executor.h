// The one native queue every async run goes through: a single thread executes runs one after
// another, each using the OpenMP pool, so concurrent session.run calls share the cores instead
// of multiplying threads (an async run's AsyncWorker only waits on a libuv pool thread).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <future>

namespace convnode {

// Queues `job` to run on the executor thread (started on first use, lives for the process).
void submitToExecutor(std::function<void()> job);

// Runs `job` on the executor thread, after the jobs queued before it, and waits for it.
void runOnExecutor(const std::function<void()>& job);

// Frees the executor thread's idle OpenMP pool (core/threading.cc, releaseCallerThreadPool),
// waiting for the jobs queued before; a no-op unless a job ran on the executor since the last
// release. For callers about to run parallel regions on their own thread (runSync).
void releaseExecutorThreadPool();

// Waits on another thread for `done`, set by a job on the executor once `started` is true and
// expected (from its plan's last run) to be done at `expectedEnd`: asleep until shortly before
// then, polling for the rest while a core is left idle by the kernel threads (see executor.cc).
void awaitExecutorJob(std::future<void>& done, const std::atomic<bool>& started,
                      std::chrono::steady_clock::time_point expectedEnd);

}  // namespace convnode
