#include "plan/executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/cpu_features.h"
#include "core/threading.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace convnode {

namespace {

// Why the executor polls for a while before it sleeps: waking a thread parked on a futex costs
// a scheduler round trip, and on this 2-vCPU VM an idle vCPU must first be woken by the host
// (median ~40 us per hand-off). Back-to-back runs (a server loop, a benchmark) submit the next
// job within tens of microseconds of the last one's end, so polling briefly picks it up at
// once; an idle process still sleeps after the window. One-layer plan (run() and runSync()
// alternated, 2000 runs, 1 thread, 2026-11-25): run median 59 -> 33 us, runSync 51 -> 21 us;
// whole models within noise. CONVNODE_EXECUTOR_SPIN_US sets the window (0: sleep at once); it
// also sets the waiter's window below.
std::chrono::microseconds spinWindow() {
  static const std::chrono::microseconds window = [] {
    const char* v = std::getenv("CONVNODE_EXECUTOR_SPIN_US");
    const long long us = v ? std::atoll(v) : 200;
    return std::chrono::microseconds(us < 0 ? 0 : us);
  }();
  return window;
}

inline void cpuRelax() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

struct Executor {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::function<void()>> jobs;
  std::atomic<int> pending{0};  // jobs.size(), readable without the lock while polling
  bool sleeping = false;        // guarded by mutex: notify only a parked executor
  // Set before every job that may open parallel regions (more than one kernel thread),
  // cleared by the job that frees the pool (releaseExecutorThreadPool).
  std::atomic<bool> mayHoldPool{false};

  Executor() {
    std::thread([this] { loop(); }).detach();
  }

  void pollBriefly() {
    const auto window = spinWindow();
    if (window.count() == 0) return;
    const auto until = std::chrono::steady_clock::now() + window;
    while (pending.load(std::memory_order_acquire) == 0) {
      for (int i = 0; i < 64; ++i) cpuRelax();
      if (std::chrono::steady_clock::now() >= until) return;
    }
  }

  void loop() {
    for (;;) {
      pollBriefly();
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        sleeping = true;
        ready.wait(lock, [this] { return !jobs.empty(); });
        sleeping = false;
        job = std::move(jobs.front());
        jobs.pop_front();
        pending.fetch_sub(1, std::memory_order_relaxed);
      }
      if (numThreads() > 1) mayHoldPool.store(true, std::memory_order_relaxed);
      job();
    }
  }
};

std::atomic<Executor*> startedExecutor{nullptr};

// Intentionally never destroyed: the thread may still be parked in wait() at process exit.
Executor& executor() {
  static Executor* instance = [] {
    auto* e = new Executor();
    startedExecutor.store(e, std::memory_order_release);
    return e;
  }();
  return *instance;
}

}  // namespace

// The same hand-off on the way back: an async run's result goes executor -> the libuv thread
// awaiting it -> the JS thread, and with one kernel thread both of those sleep on the other
// vCPU, which the host has halted by the time the run ends (~40 us to wake it). Waking the
// waiter a poll window before the expected end (the previous run of the same plan) takes that
// wake off the critical path; the waiter then polls on the core the kernels leave idle.
// MobileNetV2, batch 1, 1 thread, 300 back-to-back run() calls, builds without / with it in
// alternating processes (2026-11-25), median: 3.329 -> 3.208, 3.317 -> 3.290, 3.317 -> 3.244
// ms; a one-conv plan, 2000 run() calls: 40.7 -> 37.3 us. With every core running kernel
// threads it would take a core from them, so it sleeps as before; likewise when the job has
// not started yet (queued behind other runs), and it never polls past the window after the
// expected end.
void awaitExecutorJob(std::future<void>& done, const std::atomic<bool>& started,
                      std::chrono::steady_clock::time_point expectedEnd) {
  const auto window = spinWindow();
  if (window.count() > 0 && numThreads() < availableCores() &&
      done.wait_until(expectedEnd - window) != std::future_status::ready &&
      started.load(std::memory_order_acquire)) {
    const auto giveUp = std::max(std::chrono::steady_clock::now(), expectedEnd) + window;
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      for (int i = 0; i < 64; ++i) cpuRelax();
      if (std::chrono::steady_clock::now() >= giveUp) break;
    }
  }
  done.wait();
}

void submitToExecutor(std::function<void()> job) {
  Executor& e = executor();
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(e.mutex);
    e.jobs.push_back(std::move(job));
    e.pending.fetch_add(1, std::memory_order_release);
    wake = e.sleeping;
  }
  if (wake) e.ready.notify_one();
}

void runOnExecutor(const std::function<void()>& job) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  submitToExecutor([&job, &done] {
    job();
    done.set_value();
  });
  finished.wait();
}

void releaseExecutorThreadPool() {
  Executor* started = startedExecutor.load(std::memory_order_acquire);
  if (started == nullptr || keepIdleThreadPools() ||
      !started->mayHoldPool.load(std::memory_order_relaxed)) return;
  runOnExecutor([started] {
    releaseCallerThreadPool();
    started->mayHoldPool.store(false, std::memory_order_relaxed);
  });
}

}  // namespace convnode
