#include <algorithm>
#include <cmath>

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

void lrnGeneric(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
                float k, const float* x, float* y) {
  const int64_t before = size / 2;
  const int64_t after = (size - 1) / 2;
  const float alphaOverSize = alpha / static_cast<float>(size);
  const int threads = threadsFor(n * inner, c * 4);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
#endif
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < inner; ++i) {
      const float* src = x + b * c * inner + i;
      float* dst = y + b * c * inner + i;
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t lo = std::max<int64_t>(0, ch - before);
        const int64_t hi = std::min<int64_t>(c - 1, ch + after);
        float sum = 0.0f;
        for (int64_t j = lo; j <= hi; ++j) sum += src[j * inner] * src[j * inner];
        dst[ch * inner] = src[ch * inner] / std::pow(k + alphaOverSize * sum, beta);
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
