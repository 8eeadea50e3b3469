#include "core/threading.h"

#include <atomic>

#include "core/cpu_features.h"

namespace convnode {

namespace {
std::atomic<int>& threadCount() {
  static std::atomic<int> count{availableCores()};
  return count;
}
}  // namespace

int numThreads() {
#if defined(CONVNODE_OPENMP)
  return threadCount().load(std::memory_order_relaxed);
#else
  return 1;
#endif
}

void setNumThreads(int n) { threadCount().store(n < 1 ? 1 : n, std::memory_order_relaxed); }

bool openmpEnabled() {
#if defined(CONVNODE_OPENMP)
  return true;
#else
  return false;
#endif
}

}  // namespace convnode
