#include "core/threading.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sched.h>
#endif

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

// Why: libgomp keeps one worker pool per master thread, and once the workers of all pools
// outnumber the CPUs (gomp_managed_threads > gomp_available_cpus) every barrier wait in every
// pool spins only 100 times ("throttled", ~2 us here) before sleeping on a futex, instead of
// GOMP_SPINCOUNT (10000 = ~230 us of PAUSE on this Zen 5). Eager ops on the JS thread (the
// trace at InferenceSession.create included) and async plan runs on the executor thread are two
// masters: with 2 threads on 2 cores that is 3 managed threads, so plan runs, unlike eager
// ops, slept and woke at nearly every one of their parallel regions (perf: 2 context switches
// per region). 2-core dev VM, 2026-11-25, 7x7/s2 stem conv 3->64 @112, 2 threads, executor
// thread, 1000 runs, machine quiet: throttled median 1.44 ms (1 thread 1.32), spinning 0.70.
// Releasing the JS thread's idle pool before each async run (and the executor's before a
// sync run, which runs on the JS thread: releaseExecutorThreadPool) gives plan runs the same
// waiting policy as eager ops. It also shares eager ops' weakness on an oversubscribed
// machine: with another tenant busy on the second core, ResNet-18 at 2 threads took 48 ms
// spinning vs 18 ms with futex waits (1 thread: 17 ms); GOMP_SPINCOUNT=1000 (~23 us) gave
// 20.7 ms there. Freeing the pool joins its threads (~0.1 ms) only when its master ran
// parallel regions since.
// CONVNODE_KEEP_CALLER_POOL=1 opts out: with both pools kept, libgomp throttles every wait to
// ~100 spins, which is the better policy when other processes keep the cores busy (same
// machine, contended: ResNet-18 2 threads 17.0 ms kept vs 20.6 released, MobileNetV2 7.7 vs
// 10.0; quiet: 11.8 vs 10.0 and 6.35 vs 2.9-3.2).
bool keepIdleThreadPools() {
  static const bool keep = [] {
    const char* v = std::getenv("CONVNODE_KEEP_CALLER_POOL");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return keep;
}

void releaseCallerThreadPool() {
  if (keepIdleThreadPools()) return;
// omp_pause_resource_all is OpenMP 5.0; GCC >= 9 has it while still reporting _OPENMP 201511.
#if defined(CONVNODE_OPENMP) && \
    (_OPENMP >= 201811 || (defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 9))
  if (!omp_in_parallel()) omp_pause_resource_all(omp_pause_soft);
#endif
}

// Why: with as many kernel threads as cores, Linux sometimes leaves the OpenMP master and its
// worker on one CPU. A thread is placed where it is created or woken, and when the other CPU
// is busy at that instant (the session thread's poll window, a libuv waiter, another process),
// both land on one CPU; from then on each sleeps at every barrier (~23 us of spinning, then a
// futex) while the other runs, each wake-up puts the sleeper back beside its waker, and the
// load balancer does not move threads that ran within the last 0.5 ms. MobileNetV2, batch 1,
// 2 threads, 2-core dev VM, blocks of 12 runs on fresh sessions (2026-11-25): ~1 block in 10
// ran at 4-6 ms instead of 1.8 (1 thread: 3.2), master and worker reporting the same CPU
// after every run until it cleared by itself; 30-60 voluntary context switches per run
// instead of ~0.5. The check costs one parallel region of sched_getcpu calls per run; a
// thread found sharing moves itself by narrowing its affinity to a free CPU (the kernel
// migrates it at once) and restoring its mask.
void teamCpus(int threads, int* cpu) {
  for (int i = 0; i < threads; ++i) cpu[i] = -1;  // a team may come out smaller
#if defined(CONVNODE_OPENMP) && defined(__linux__)
#pragma omp parallel num_threads(threads)
  { cpu[omp_get_thread_num()] = sched_getcpu(); }
#elif defined(__linux__)
  cpu[0] = sched_getcpu();
#endif
}

int spreadTeamAcrossCpus(int threads) {
#if defined(CONVNODE_OPENMP) && defined(__linux__)
  if (threads < 2 || threads > kMaxTeamCpus || omp_in_parallel()) return 0;
  int cpu[kMaxTeamCpus];
  teamCpus(threads, cpu);
  bool shared = false;
  for (int i = 1; i < threads && !shared; ++i)
    for (int j = 0; j < i; ++j)
      if (cpu[i] >= 0 && cpu[i] == cpu[j]) shared = true;
  if (!shared) return 0;
  // Targets, planned here so that two movers never pick the same CPU: each member sitting on an
  // earlier member's CPU gets the next allowed CPU no member uses (none left: it stays).
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return 0;
  int target[kMaxTeamCpus];
  int next = 0;
  for (int i = 0; i < threads; ++i) {
    target[i] = -1;
    bool sharing = false;
    for (int j = 0; j < i; ++j) sharing = sharing || (cpu[i] >= 0 && cpu[i] == cpu[j]);
    if (!sharing) continue;
    for (; next < CPU_SETSIZE && target[i] < 0; ++next) {
      bool used = false;
      for (int j = 0; j < threads; ++j) used = used || cpu[j] == next;
      if (CPU_ISSET(next, &allowed) && !used) target[i] = next;
    }
  }
  std::atomic<int> moved{0};
#pragma omp parallel num_threads(threads)
  {
    const int me = omp_get_thread_num();
    cpu_set_t mine;
    if (target[me] >= 0 && sched_getaffinity(0, sizeof(mine), &mine) == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(target[me], &one);
      // Narrowing moves the thread at once; restoring its own mask lets it go anywhere again.
      if (sched_setaffinity(0, sizeof(one), &one) == 0) {
        sched_setaffinity(0, sizeof(mine), &mine);
        moved.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  return moved.load();
#else
  (void)threads;
  return 0;
#endif
}

bool openmpEnabled() {
#if defined(CONVNODE_OPENMP)
  return true;
#else
  return false;
#endif
}

}  // namespace convnode
