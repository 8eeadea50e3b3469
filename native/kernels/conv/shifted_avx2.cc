// Shifted-view conv product (conv_shifted.h) compiled for AVX2 + FMA: blocks of 4 output
// channels x 3 ymm of pixels (12 accumulators + 3 pixel vectors + 1 broadcast = 16 ymm).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernels/conv/conv_shifted.h"

#pragma GCC target("avx2,fma")

namespace convnode {
namespace {
struct Lanes {
  using V = __m256;
  static constexpr int kW = 8;
  static constexpr int kMi = 4;
  static constexpr int kNv(int) { return 3; }
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p, int64_t rem) {
    if (rem >= 8) return _mm256_loadu_ps(p);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rem)), lane);
    return _mm256_maskload_ps(p, mask);
  }
  static V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};
}  // namespace
}  // namespace convnode

#define SHIFTED_PRODUCT_NAME shiftedProductAvx2
#define SHIFTED_ADJOINT_NAME shiftedAdjointAvx2
#include "kernels/conv/shifted.inl"
#endif
