// Activation dispatch: threads over contiguous chunks (a multiple of 64 floats, so no two
// threads share a cache line), each chunk run by the ISA's vectorized loop.
#include "core/threading.h"
#include "kernels/eltwise/eltwise.h"

namespace convnode {

void unary(Isa isa, UnaryOp op, float alpha, const float* x, float* y, int64_t count) {
  void (*fn)(UnaryOp, float, const float*, float*, int64_t) = unaryChunkGeneric;
#if defined(__x86_64__)
  if (isa == Isa::Avx512 && isaSupported(isa)) fn = unaryChunkAvx512;
  else if (isa == Isa::Avx2 && isaSupported(isa)) fn = unaryChunkAvx2;
#endif
  // Memory-bound: a second thread only pays off beyond ~256 KiB.
  const int threads = count >= (1 << 16) ? numThreads() : 1;
  const int64_t chunk = ((count + threads - 1) / threads + 63) / 64 * 64;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int t = 0; t < threads; ++t) {
    const int64_t begin = t * chunk;
    const int64_t end = begin + chunk < count ? begin + chunk : count;
    if (begin < end) fn(op, alpha, x + begin, y + begin, end - begin);
  }
  (void)isa;
}

void softmax(Isa isa, bool logSoftmax, int64_t outer, int64_t dim, int64_t inner, const float* x,
             float* y) {
  if (inner != 1) return softmaxGeneric(logSoftmax, outer, dim, inner, x, y);
  void (*row)(bool, const float*, float*, int64_t) = softmaxRowGeneric;
#if defined(__x86_64__)
  if (isa == Isa::Avx512 && isaSupported(isa)) row = softmaxRowAvx512;
  else if (isa == Isa::Avx2 && isaSupported(isa)) row = softmaxRowAvx2;
#endif
  const int threads = threadsFor(outer, dim * 16);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t o = 0; o < outer; ++o) row(logSoftmax, x + o * dim, y + o * dim, dim);
  (void)threads;
  (void)isa;
}

}  // namespace convnode
