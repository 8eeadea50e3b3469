#include "plan/executor.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace convnode {

namespace {

struct Executor {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::function<void()>> jobs;

  Executor() {
    std::thread([this] { loop(); }).detach();
  }

  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [this] { return !jobs.empty(); });
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();
    }
  }
};

// Intentionally never destroyed: the thread may still be parked in wait() at process exit.
Executor& executor() {
  static Executor* instance = new Executor();
  return *instance;
}

}  // namespace

void submitToExecutor(std::function<void()> job) {
  Executor& e = executor();
  {
    std::lock_guard<std::mutex> lock(e.mutex);
    e.jobs.push_back(std::move(job));
  }
  e.ready.notify_one();
}

}  // namespace convnode
