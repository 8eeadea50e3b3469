// One process-wide thread count. Every parallel region names it explicitly (num_threads),
// because omp_set_num_threads only affects the calling thread, and kernels also run on
// libuv workers and worker_threads.
#pragma once
#include <cstdint>

#if defined(CONVNODE_OPENMP)
#include <omp.h>
#endif

namespace convnode {

int numThreads();
void setNumThreads(int n);
bool openmpEnabled();

// Threads worth using for `work` independent items of roughly `costPerItem` flops: small jobs
// stay on one thread, since waking the pool costs more than it saves.
inline int threadsFor(int64_t work, int64_t costPerItem = 1) {
  int n = numThreads();
  if (work * costPerItem < 32768 || work < 2) return 1;
  return static_cast<int>(n < work ? n : work);
}

}  // namespace convnode
