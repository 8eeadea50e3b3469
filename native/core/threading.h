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

// Frees the calling thread's OpenMP worker pool (no-op when it has none or is inside a parallel
// region). Called by a thread that hands its parallel work to another master (async session
// runs go to the executor thread; a sync run frees the executor's pool, through a job on it),
// so the process keeps one pool's worth of threads: see threading.cc.
void releaseCallerThreadPool();
// CONVNODE_KEEP_CALLER_POOL=1: idle pools are kept (releaseCallerThreadPool does nothing).
bool keepIdleThreadPools();

// Moves OpenMP team threads that share a CPU with another member of the team onto CPUs the
// team leaves free (Linux; a no-op elsewhere and with one thread); returns how many moved.
// Called at the start of every plan run: see threading.cc for the scheduler behaviour it works
// around.
int spreadTeamAcrossCpus(int threads);
// The CPU each member of an OpenMP team of `threads` (<= kMaxTeamCpus) runs on, -1 where unknown
// (not Linux, or a smaller team), from a parallel region on the calling thread's pool.
constexpr int kMaxTeamCpus = 64;
void teamCpus(int threads, int* cpu);

// Threads worth using for `work` independent items of roughly `costPerItem` flops: small jobs
// stay on one thread, since waking the pool costs more than it saves.
inline int threadsFor(int64_t work, int64_t costPerItem = 1) {
  int n = numThreads();
  if (work * costPerItem < 32768 || work < 2) return 1;
  return static_cast<int>(n < work ? n : work);
}

// The calling thread's contiguous, even share [*begin, *end) of `n` items inside an OpenMP
// parallel region; all of them outside one (or without OpenMP).
inline void threadShare(int64_t n, int64_t* begin, int64_t* end) {
#if defined(CONVNODE_OPENMP)
  const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
  *begin = n * t / nt;
  *end = n * (t + 1) / nt;
#else
  *begin = 0;
  *end = n;
#endif
}

}  // namespace convnode
