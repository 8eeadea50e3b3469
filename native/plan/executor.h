// The one native queue every async run goes through: a single thread executes runs one after
// another, each using the OpenMP pool, so concurrent session.run calls share the cores instead
// of multiplying threads (an async run's AsyncWorker only waits on a libuv pool thread).
#pragma once
#include <functional>

namespace convnode {

// Queues `job` to run on the executor thread (started on first use, lives for the process).
void submitToExecutor(std::function<void()> job);

}  // namespace convnode
