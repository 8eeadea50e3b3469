// Weight-gradient pieces compiled for AVX2 + FMA (see backward_weight.inl): 8 lanes, a 3x3
// register block (9 accumulators + 4 operands of the 16 ymm).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/conv/backward_weight_isa.h"

#pragma GCC target("avx2,fma")

namespace convnode {
namespace {
struct Lanes {
  using V = __m256;
  static constexpr int kW = 8;
  static constexpr int kMi = 3;
  static constexpr int kNj = 3;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V loadFirst(const float* p, int64_t count) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lane));
  }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V loadPart(const float* p) { return _mm256_loadu_ps(p); }
  static void storePart(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void copy(float* d, const float* s, int64_t len) {
    int64_t i = 0;
    for (; i + 8 <= len; i += 8) _mm256_storeu_ps(d + i, _mm256_loadu_ps(s + i));
    for (; i < len; ++i) d[i] = s[i];
  }
};
}  // namespace
}  // namespace convnode

#define BWD_WEIGHT_TABLE bwdWeightAvx2
#include "kernels/conv/backward_weight.inl"
#endif
