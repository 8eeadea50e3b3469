// Weight-gradient pieces compiled for AVX-512 (see backward_weight.inl): 16 lanes, a 6x4
// register block (24 accumulators + 7 operands of the 32 zmm; 10 loads per 24 FMAs).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/conv/backward_weight_isa.h"

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {
namespace {
struct Lanes {
  using V = __m512;
  static constexpr int kW = 16;
  static constexpr int kMi = 6;
  static constexpr int kNj = 4;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V loadFirst(const float* p, int64_t count) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1u), p);
  }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V loadPart(const float* p) { return _mm512_loadu_ps(p); }
  static void storePart(float* p, V v) { _mm512_storeu_ps(p, v); }
  // Rows of 8..24 floats (LeNet) without masked stores: the last vector is stored overlapping
  // the previous one. Masked stores made this copy 3x slower (perf, 2026-11-25, Zen 5).
  static void copy(float* d, const float* s, int64_t len) {
    if (len >= 16) {
      int64_t i = 0;
      for (; i + 16 <= len; i += 16) _mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));
      if (i < len) _mm512_storeu_ps(d + len - 16, _mm512_loadu_ps(s + len - 16));
    } else if (len >= 8) {
      _mm256_storeu_ps(d, _mm256_loadu_ps(s));
      _mm256_storeu_ps(d + len - 8, _mm256_loadu_ps(s + len - 8));
    } else {
      for (int64_t i = 0; i < len; ++i) d[i] = s[i];
    }
  }
};
}  // namespace
}  // namespace convnode

#define BWD_WEIGHT_TABLE bwdWeightAvx512
#include "kernels/conv/backward_weight.inl"
#endif
