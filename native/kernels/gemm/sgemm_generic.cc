
#include "core/threading.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

void sgemmGeneric(const GemmShape& s, const float* a, const float* b, float* c) {
  const int threads = threadsFor(s.m, s.n * s.k);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t i = 0; i < s.m; ++i) {
    float* crow = c + i * s.ldc;
    if (s.beta == 0.0f) {
      for (int64_t j = 0; j < s.n; ++j) crow[j] = 0.0f;
    } else if (s.beta != 1.0f) {
      for (int64_t j = 0; j < s.n; ++j) crow[j] *= s.beta;
    }
    if (!s.transB) {
      // C[i,:] += alpha * A[i,p] * B[p,:], B rows contiguous.
      for (int64_t p = 0; p < s.k; ++p) {
        const float av = s.alpha * (s.transA ? a[p * s.lda + i] : a[i * s.lda + p]);
        const float* brow = b + p * s.ldb;
        for (int64_t j = 0; j < s.n; ++j) crow[j] += av * brow[j];
      }
    } else {
      // B stored as [n, k]: each C[i,j] is a dot product of two contiguous rows (when !transA).
      for (int64_t j = 0; j < s.n; ++j) {
        const float* brow = b + j * s.ldb;
        float sum = 0.0f;
        if (!s.transA) {
          const float* arow = a + i * s.lda;
          for (int64_t p = 0; p < s.k; ++p) sum += arow[p] * brow[p];
        } else {
          for (int64_t p = 0; p < s.k; ++p) sum += a[p * s.lda + i] * brow[p];
        }
        crow[j] += s.alpha * sum;
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
