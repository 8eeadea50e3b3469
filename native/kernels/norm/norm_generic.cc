#include <new>
#include <algorithm>
#include <cmath>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/norm/norm.h"

namespace convnode {

namespace {
const NormPlaneFns& fnsFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512 && isaSupported(isa)) return normFnsAvx512();
  if (isa == Isa::Avx2 && isaSupported(isa)) return normFnsAvx2();
#endif
  (void)isa;
  return normFnsGeneric();
}
}  // namespace

void batchNormInference(Isa isa, int64_t n, int64_t c, int64_t inner, const float* x,
                        const float* mean, const float* var, const float* gamma,
                        const float* beta, float eps, float* y) {
  const NormPlaneFns& f = fnsFor(isa);
  const int64_t jobs = n * c;
  const int threads = threadsFor(jobs, inner);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t ch = job % c;
    const float scale = (gamma ? gamma[ch] : 1.0f) / std::sqrt(var[ch] + eps);
    const float shift = (beta ? beta[ch] : 0.0f) - mean[ch] * scale;
    f.affine(x + job * inner, y + job * inner, inner, scale, shift);
  }
  (void)threads;
}

void batchNormInferenceGeneric(int64_t n, int64_t c, int64_t inner, const float* x,
                               const float* mean, const float* var, const float* gamma,
                               const float* beta, float eps, float* y) {
  batchNormInference(Isa::Generic, n, c, inner, x, mean, var, gamma, beta, eps, y);
}

// Plane-wise: each (image, channel) job sums the squares of its window's planes into a
// per-thread row (contiguous, vectorized), then scales its plane. The channel-strided loop
// this replaced walked `inner` floats apart for every channel of every pixel.
void lrn(Isa isa, int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
         float k, const float* x, float* y) {
  const NormPlaneFns& f = fnsFor(isa);
  const int64_t before = size / 2;
  const int64_t after = (size - 1) / 2;
  const float alphaOverSize = alpha / static_cast<float>(size);
  const int64_t jobs = n * c;
  const int threads = threadsFor(jobs, inner * (size + 8));
  AlignedFloats scratch = allocFloats(static_cast<size_t>(inner * threads));
  if (!scratch) throw std::bad_alloc();  // the binding turns it into a JS Error
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    float* acc = scratch.get() + omp_get_thread_num() * inner;
#pragma omp for schedule(static)
#else
    float* acc = scratch.get();
#endif
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t b = job / c, ch = job % c;
      const int64_t lo = std::max<int64_t>(0, ch - before);
      const int64_t hi = std::min<int64_t>(c - 1, ch + after);
      std::fill(acc, acc + inner, 0.0f);
      for (int64_t j = lo; j <= hi; ++j) f.squareAccumulate(x + (b * c + j) * inner, acc, inner);
      f.lrnScale(x + job * inner, acc, y + job * inner, inner, k, alphaOverSize, beta);
    }
  }
  (void)threads;
}

void lrnGeneric(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
                float k, const float* x, float* y) {
  lrn(Isa::Generic, n, c, inner, size, alpha, beta, k, x, y);
}

}  // namespace convnode
