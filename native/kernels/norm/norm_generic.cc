#include <algorithm>
#include <cmath>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/norm/norm.h"

namespace convnode {

void batchNormInferenceGeneric(int64_t n, int64_t c, int64_t inner, const float* x,
                               const float* mean, const float* var, const float* gamma,
                               const float* beta, float eps, float* y) {
  const int64_t jobs = n * c;
  const int threads = threadsFor(jobs, inner);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t ch = job % c;
    const float scale = (gamma ? gamma[ch] : 1.0f) / std::sqrt(var[ch] + eps);
    const float shift = (beta ? beta[ch] : 0.0f) - mean[ch] * scale;
    const float* src = x + job * inner;
    float* dst = y + job * inner;
    for (int64_t i = 0; i < inner; ++i) dst[i] = src[i] * scale + shift;
  }
  (void)threads;
}

// Plane-wise: each (image, channel) job sums the squares of its window's planes into a
// per-thread row (contiguous, vectorized), then scales its plane. The channel-strided loop
// this replaces walked `inner` floats apart for every channel of every pixel.
// beta = 0.75 (AlexNet, GoogLeNet) uses d^0.75 = sqrt(d * sqrt(d)) instead of pow.
__attribute__((optimize("no-math-errno"))) void lrnGeneric(int64_t n, int64_t c, int64_t inner,
                                                          int64_t size, float alpha, float beta,
                                                          float k, const float* x, float* y) {
  const int64_t before = size / 2;
  const int64_t after = (size - 1) / 2;
  const float alphaOverSize = alpha / static_cast<float>(size);
  const int64_t jobs = n * c;
  const int threads = threadsFor(jobs, inner * (size + 8));
  AlignedFloats scratch = allocFloats(static_cast<size_t>(inner * threads));
  if (!scratch) return;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    float* __restrict acc = scratch.get() + omp_get_thread_num() * inner;
#pragma omp for schedule(static)
#else
    float* __restrict acc = scratch.get();
#endif
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t b = job / c, ch = job % c;
      const int64_t lo = std::max<int64_t>(0, ch - before);
      const int64_t hi = std::min<int64_t>(c - 1, ch + after);
      for (int64_t i = 0; i < inner; ++i) acc[i] = 0.0f;
      for (int64_t j = lo; j <= hi; ++j) {
        const float* __restrict src = x + (b * c + j) * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += src[i] * src[i];
      }
      const float* __restrict src = x + job * inner;
      float* __restrict dst = y + job * inner;
      if (beta == 0.75f) {
        for (int64_t i = 0; i < inner; ++i) {
          const float d = k + alphaOverSize * acc[i];
          dst[i] = src[i] / std::sqrt(d * std::sqrt(d));
        }
      } else {
        for (int64_t i = 0; i < inner; ++i) dst[i] = src[i] / std::pow(k + alphaOverSize * acc[i], beta);
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
