// Shifted-view conv product (conv_shifted.h) compiled for AVX-512: blocks of up to 8 output
// channels x 3 zmm of pixels, or 6 x 4 (24 accumulators + pixel vectors + 1 broadcast <= 29 of
// the 32 zmm). The last vector of a row is a masked load (masked loads are as cheap as plain
// ones on Zen 5; it is masked stores that are slow, and the kernel stores only full vectors).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernels/conv/conv_shifted.h"

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {
namespace {
struct Lanes {
  using V = __m512;
  static constexpr int kW = 16;
  static constexpr int kMi = 8;
  static constexpr int kNv(int mi) { return mi <= 6 ? 4 : 3; }
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p, int64_t rem) {
    if (rem >= 16) return _mm512_loadu_ps(p);
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << rem) - 1u), p);
  }
  static V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
};
}  // namespace
}  // namespace convnode

#define SHIFTED_PRODUCT_NAME shiftedProductAvx512
#define SHIFTED_ADJOINT_NAME shiftedAdjointAvx512
#include "kernels/conv/shifted.inl"
#endif
