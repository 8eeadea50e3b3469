// Threads and timing around the peak loops. Every thread runs the same loop; each pass is
// timed from before the fork to after the join, so a pass reports what a caller would see.
#include <chrono>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/bench/machine_limits.h"

namespace convnode {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The slice of [0, n) that thread `t` of `threads` owns. The same split is used to first-touch
// the arrays and to run the triad, so each thread streams memory it placed itself.
void sliceOf(int64_t n, int t, int threads, int64_t* begin, int64_t* end) {
  const int64_t chunk = (n + threads - 1) / threads;
  *begin = chunk * t < n ? chunk * t : n;
  *end = *begin + chunk < n ? *begin + chunk : n;
}

}  // namespace

PeakRun runFmaPeak(Isa isa, int64_t iterations, int passes) {
  void (*loop)(int64_t) = isa == Isa::Avx512 ? fmaPeakLoop12_avx512 : fmaPeakLoop12_avx2;
  const int64_t flopsPerRound =
      isa == Isa::Avx512 ? kFmaPeakFlopsPerRoundAvx512 : kFmaPeakFlopsPerRoundAvx2;
  PeakRun run;
  run.threads = numThreads();
  for (int p = 0; p < passes; ++p) {
    const auto start = std::chrono::steady_clock::now();
    int ran = 1;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(numThreads())
    {
      loop(iterations);
#pragma omp single
      ran = omp_get_num_threads();
    }
#else
    loop(iterations);
#endif
    run.seconds.push_back(secondsSince(start));
    run.threads = ran;
  }
  run.flopsPerPass = static_cast<double>(iterations) * static_cast<double>(flopsPerRound) * run.threads;
  return run;
}

bool runStreamTriad(int64_t elements, int passes, TriadRun* run) {
  AlignedFloats a = allocFloats(static_cast<size_t>(elements));
  AlignedFloats b = allocFloats(static_cast<size_t>(elements));
  AlignedFloats c = allocFloats(static_cast<size_t>(elements));
  if (!a || !b || !c) return false;
  float* pa = a.get();
  float* pb = b.get();
  float* pc = c.get();
  const float scalar = 3.0f;
  int threads = 1;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(numThreads())
  {
    const int t = omp_get_thread_num();
    const int n = omp_get_num_threads();
#pragma omp single
    threads = n;
    int64_t begin = 0, end = 0;
    sliceOf(elements, t, n, &begin, &end);
    for (int64_t i = begin; i < end; ++i) {
      pa[i] = 0.0f;
      pb[i] = 1.0f;
      pc[i] = 2.0f;
    }
  }
#else
  for (int64_t i = 0; i < elements; ++i) {
    pa[i] = 0.0f;
    pb[i] = 1.0f;
    pc[i] = 2.0f;
  }
#endif
  run->threads = threads;
  for (int p = 0; p < passes; ++p) {
    const auto start = std::chrono::steady_clock::now();
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(numThreads())
    {
      int64_t begin = 0, end = 0;
      sliceOf(elements, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
      streamTriadSlice(pa, pb, pc, scalar, begin, end);
    }
#else
    streamTriadSlice(pa, pb, pc, scalar, 0, elements);
#endif
    run->seconds.push_back(secondsSince(start));
  }
  run->bytesPerPass = 3.0 * static_cast<double>(elements) * sizeof(float);
  // Reading the output back keeps the stores observable, and lets the caller check the loop
  // really ran: every element is 1 + 3 * 2 = 7.
  run->check = static_cast<double>(pa[0]) + pa[elements / 2] + pa[elements - 1];
  return true;
}

}  // namespace convnode
