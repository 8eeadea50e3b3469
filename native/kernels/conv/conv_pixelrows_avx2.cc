// The 7 x 16 micro-kernel of the pixels-as-rows convolution (conv_pixelrows.h), AVX2 + FMA:
// the AVX-512 7 x 64 tile scaled to 16 ymm. 7 pixels x 2 ymm of 8 output channels = 14
// accumulators; per tap 1 weight vector in a register, the 2nd read by its 7 FMAs as a memory
// operand, 7 broadcasts (14 + 1 + 1 = 16 ymm). The store transposes each 8 x 8 block in
// registers (unpack, shuffle, 128-bit permute: 24 shuffles per 8 channels).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

#include "kernels/conv/conv_pixelrows.h"

#pragma GCC target("avx2,fma")

namespace convnode {

namespace {

constexpr int kMr = kPixelRowsMr;
constexpr int kNv = 2;
constexpr int kPrefetchTaps = 16;

template <int SW, bool PF>
__attribute__((always_inline)) inline void taps(int64_t kc, const float* a, int64_t lda,
                                                const int64_t* koff, const float* b,
                                                __m256 (&acc)[kMr][kNv]) {
  for (int64_t k = 0; k < kc; ++k) {
    const float* ak = SW == 0 ? a + k * lda : a + koff[k];
    const __m256 b0 = _mm256_load_ps(b);
    if (PF) _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchTaps * 16), _MM_HINT_T0);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m256 ai = _mm256_broadcast_ss(ak + i * (SW == 0 ? 1 : SW));
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      // The second weight vector as a memory operand (asm: see the AVX-512 kernel).
      __asm__("vfmadd231ps %[m], %[a], %[c]"
              : [c] "+x"(acc[i][1])
              : [a] "x"(ai), [m] "m"(*reinterpret_cast<const __m256*>(b + 8)));
    }
    b += 16;
  }
}

inline __m256i laneMask(int64_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n < 0 ? 0 : n > 8 ? 8 : n)), idx);
}

}  // namespace

void f32_conv_pixelrows_ukernel_7x16__avx2_fma(int64_t kc, const PixelRowsA& a, const float* b,
                                               float* ct, bool first, bool last, float* y,
                                               int64_t ldy, int64_t mr, int64_t nr,
                                               const PixelRowsUkParams& p, bool prefetchB) {
  __m256 acc[kMr][kNv];
  if (first) {
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 2
      for (int v = 0; v < kNv; ++v) acc[i][v] = _mm256_setzero_ps();
  } else {
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 2
      for (int v = 0; v < kNv; ++v) acc[i][v] = _mm256_load_ps(ct + i * 16 + 8 * v);
  }
  if (!a.koff) {
    if (prefetchB) taps<0, true>(kc, a.a, a.lda, nullptr, b, acc);
    else taps<0, false>(kc, a.a, a.lda, nullptr, b, acc);
  } else if (a.sw == 1) {
    if (prefetchB) taps<1, true>(kc, a.a, 0, a.koff, b, acc);
    else taps<1, false>(kc, a.a, 0, a.koff, b, acc);
  } else {
    if (prefetchB) taps<2, true>(kc, a.a, 0, a.koff, b, acc);
    else taps<2, false>(kc, a.a, 0, a.koff, b, acc);
  }
  if (!last) {
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 2
      for (int v = 0; v < kNv; ++v) _mm256_store_ps(ct + i * 16 + 8 * v, acc[i][v]);
    return;
  }
  const __m256i rows = laneMask(mr);
  const __m256 zero = _mm256_setzero_ps();
  const __m256 cmax = _mm256_set1_ps(p.clampMax);
#pragma GCC unroll 2
  for (int v = 0; v < kNv; ++v) {
    if (8 * v >= nr) break;
    const __m256 bias = p.bias ? _mm256_maskload_ps(p.bias + 8 * v, laneMask(nr - 8 * v)) : zero;
    __m256 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) r[i] = _mm256_add_ps(acc[i][v], bias);
    r[7] = zero;
    __m256 t[8], u[8], o[8];
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      t[4 * h + 0] = _mm256_unpacklo_ps(r[4 * h + 0], r[4 * h + 1]);
      t[4 * h + 1] = _mm256_unpackhi_ps(r[4 * h + 0], r[4 * h + 1]);
      t[4 * h + 2] = _mm256_unpacklo_ps(r[4 * h + 2], r[4 * h + 3]);
      t[4 * h + 3] = _mm256_unpackhi_ps(r[4 * h + 2], r[4 * h + 3]);
      u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
      u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // u[q] holds rows 0-3 and u[q + 4] rows 4-7 of channels q (low 128 bits) and 4 + q (high).
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      o[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);
      o[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
    }
    const int64_t cols = nr - 8 * v < 8 ? nr - 8 * v : 8;
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c) {
      if (c >= cols) break;
      float* yc = y + (8 * v + c) * ldy;
      __m256 val = o[c];
      if (p.accumulate) val = _mm256_add_ps(val, _mm256_maskload_ps(yc, rows));
      if (p.relu) val = _mm256_max_ps(zero, val);   // max(0, NaN) = NaN, as torch.relu
      if (p.clamp) val = _mm256_min_ps(cmax, val);  // min(c, NaN) = NaN
      if (mr == kMr) {
        const __m128 lo = _mm256_castps256_ps128(val), hi = _mm256_extractf128_ps(val, 1);
        _mm_storeu_ps(yc, lo);
        _mm_storel_pi(reinterpret_cast<__m64*>(yc + 4), hi);
        _mm_store_ss(yc + 6, _mm_movehl_ps(hi, hi));
      } else {
        _mm256_maskstore_ps(yc, rows, val);
      }
    }
  }
}

}  // namespace convnode
#endif
