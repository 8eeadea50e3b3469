// The 7 x 64 micro-kernel of the pixels-as-rows convolution (conv_pixelrows.h), AVX-512.
//
// Register tile: 7 pixels x 4 zmm of 16 output channels = 28 accumulators. Per tap: 3 weight
// vectors loaded into registers, the 4th read by its 7 FMAs as a memory operand, and 7 pixel
// values broadcast (28 accumulators + 3 weights + 1 broadcast = 32 zmm).
// The store transposes each 7 x 16 block in registers (unpack, shuffle, 2-source permute:
// 24 shuffles per 16 channels) so that every channel's 7 pixels go out as one masked store.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "kernels/conv/conv_pixelrows.h"

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {

namespace {

inline __mmask16 laneMask(int64_t n) {
  if (n >= 16) return 0xFFFF;
  if (n <= 0) return 0;
  return static_cast<__mmask16>((1u << n) - 1u);
}

// Weights are prefetched this many taps ahead when the tile streams them (4 lines a tap).
constexpr int kPrefetchTaps = 16;

// The k loop: SW = 0 reads tap k's pixels at a + k*lda + i (a column matrix, or the input
// of a stride-1 1x1 conv); SW = 1 or 2 at a + koff[k] + i*SW (the implicit column matrix of
// a padded input, no copy per tap).
template <int NV, int SW, bool PF>
__attribute__((always_inline)) inline void taps(int64_t kc, const float* a, int64_t lda, const int64_t* koff, const float* b,
                 const float* next, int64_t nextLines, __m512 (&acc)[kPixelRowsMr][NV]) {
  constexpr int MR = kPixelRowsMr;
  for (int64_t k = 0; k < kc; ++k) {
    const float* ak = SW == 0 ? a + k * lda : a + koff[k];
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < (NV == 4 ? 3 : NV); ++v) bv[v] = _mm512_load_ps(b + 16 * v);
    if (PF) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchTaps * 64 + 16 * v), _MM_HINT_T0);
    }
    // Non-temporal: each layer's weights stream in once per run, and kept in the caches they
    // evicted the activations the next layers read (as for SGEMM's far prefetch). ResNet-50
    // plans, builds interleaved (bench/ab-plan-builds.ts WHOLE, 1 thread, medians of 120-150
    // runs, 2026-11-25): 28.61 -> 28.07, 27.29 -> 26.94, 26.88 -> 26.60 ms; GoogLeNet 8.14
    // -> 8.06; MobileNetV2 and ResNet-18 even; each layer alone even (sum of ResNet-50's
    // pixels-as-rows steps 13.29 vs 13.35 ms).
    if (k < nextLines) _mm_prefetch(reinterpret_cast<const char*>(next + 16 * k), _MM_HINT_NTA);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(ak[i * (SW == 0 ? 1 : SW)]);
      if (NV < 4) {
        // Narrow tail panels (cout % 64 in 1..48): every weight vector fits in a register.
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        continue;
      }
#pragma GCC unroll 4
      for (int v = 0; v < NV - 1; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
      // The last weight vector as the FMA's memory operand (asm: the compiler would load it
      // into a 33rd register and spill an accumulator instead). A/B in one process vs the
      // intrinsic form, which spilled acc[6][3] (a load + store per tap), 1 thread, min ms
      // (2026-11-25): 2048->512 @7 0.420/0.433 -> 0.417/0.423 (x1.30 -> x1.33 over the 14x32
      // path), 3x3/s2 128->128 @28 x1.18/1.20 -> x1.22/1.20.
      __asm__("vfmadd231ps %[m], %[a], %[c]"
              : [c] "+v"(acc[i][NV - 1])
              : [a] "v"(ai), [m] "m"(*reinterpret_cast<const __m512*>(b + 16 * (NV - 1))));
    }
    b += 64;
  }
}


// The tile for NV vectors of 16 channels (NV = 4 unless this is a narrow last panel).
template <int NV>
void tile7xNV(int64_t kc, const PixelRowsA& a, const float* b, float* ct, bool first, bool last,
              float* y, int64_t ldy, int64_t mr, int64_t nr, const PixelRowsUkParams& p,
              bool prefetchB) {
  constexpr int MR = kPixelRowsMr;
  __m512 acc[MR][NV];
  if (first) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  } else {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_load_ps(ct + i * 64 + 16 * v);
  }
  if (!a.koff) {
    if (prefetchB) taps<NV, 0, true>(kc, a.a, a.lda, nullptr, b, p.prefetchNext, p.prefetchLines, acc);
    else taps<NV, 0, false>(kc, a.a, a.lda, nullptr, b, p.prefetchNext, p.prefetchLines, acc);
  } else if (a.sw == 1) {
    if (prefetchB) taps<NV, 1, true>(kc, a.a, 0, a.koff, b, p.prefetchNext, p.prefetchLines, acc);
    else taps<NV, 1, false>(kc, a.a, 0, a.koff, b, p.prefetchNext, p.prefetchLines, acc);
  } else {
    if (prefetchB) taps<NV, 2, true>(kc, a.a, 0, a.koff, b, p.prefetchNext, p.prefetchLines, acc);
    else taps<NV, 2, false>(kc, a.a, 0, a.koff, b, p.prefetchNext, p.prefetchLines, acc);
  }
  if (!last) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) _mm512_store_ps(ct + i * 64 + 16 * v, acc[i][v]);
    return;
  }

  // The transposes' lane selections: after unpack + shuffle, u[q] holds rows 0-3 and u[q + 4]
  // rows 4-7 of channels q, 4 + q, 8 + q, 12 + q (one per 128-bit lane); lo joins the first two
  // lanes (channels q | 4 + q, 8 rows each), hi the last two (8 + q | 12 + q).
  const __m512i lo = _mm512_set_epi32(23, 22, 21, 20, 7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0);
  const __m512i hi = _mm512_set_epi32(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8);
  const __mmask16 rowsLo = static_cast<__mmask16>((1u << mr) - 1u);
  const __mmask16 rowsHi = static_cast<__mmask16>(rowsLo << 8);
  const __m512 zero = _mm512_setzero_ps();
  const __m512 cmax = _mm512_set1_ps(p.clampMax);
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    if (16 * v >= nr) break;
    const __mmask16 cols = laneMask(nr - 16 * v);
    const __m512 bias = p.bias ? _mm512_maskz_loadu_ps(cols, p.bias + 16 * v) : zero;
    __m512 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) r[i] = _mm512_add_ps(acc[i][v], bias);
    r[7] = zero;
    __m512 t[8], u[8];
#pragma GCC unroll 4
    for (int h = 0; h < 2; ++h) {
      t[4 * h + 0] = _mm512_unpacklo_ps(r[4 * h + 0], r[4 * h + 1]);
      t[4 * h + 1] = _mm512_unpackhi_ps(r[4 * h + 0], r[4 * h + 1]);
      t[4 * h + 2] = _mm512_unpacklo_ps(r[4 * h + 2], r[4 * h + 3]);
      t[4 * h + 3] = _mm512_unpackhi_ps(r[4 * h + 2], r[4 * h + 3]);
      u[4 * h + 0] = _mm512_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * h + 1] = _mm512_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
      u[4 * h + 2] = _mm512_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
      u[4 * h + 3] = _mm512_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    float* yv = y + 16 * v * ldy;
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
#pragma GCC unroll 2
      for (int half = 0; half < 2; ++half) {
        // Channels c0 (lanes 0-7) and c1 (lanes 8-15) of this 16-channel block.
        const int c0 = q + 8 * half, c1 = q + 4 + 8 * half;
        __m512 o = _mm512_permutex2var_ps(u[q], half ? hi : lo, u[q + 4]);
        const __mmask16 m0 = c0 < nr - 16 * v ? rowsLo : 0;
        const __mmask16 m1 = c1 < nr - 16 * v ? rowsHi : 0;
        float* y0 = yv + c0 * ldy;
        float* y1 = yv + c1 * ldy - 8;  // lanes 8-15 land on y[c1*ldy + 0..7]
        if (p.accumulate) {
          __m512 old = _mm512_maskz_loadu_ps(m0, y0);
          old = _mm512_mask_loadu_ps(old, m1, y1);
          o = _mm512_add_ps(o, old);
        }
        if (p.relu) o = _mm512_max_ps(zero, o);  // max(0, NaN) = NaN, as torch.relu
        if (p.clamp) o = _mm512_min_ps(cmax, o);  // min(c, NaN) = NaN
        _mm512_mask_storeu_ps(y0, m0, o);
        _mm512_mask_storeu_ps(y1, m1, o);
      }
    }
  }
}

}  // namespace

void f32_conv_pixelrows_ukernel_7x64__avx512f(int64_t kc, const PixelRowsA& a, const float* b,
                                              float* ct, bool first, bool last, float* y,
                                              int64_t ldy, int64_t mr, int64_t nr,
                                              const PixelRowsUkParams& p, bool prefetchB) {
  // A last panel of cout % 64 channels runs only the vectors it needs: 96 channels were 2
  // full 64-wide panels of work (75% useful), now 64 + 32.
  if (nr > 48) tile7xNV<4>(kc, a, b, ct, first, last, y, ldy, mr, nr, p, prefetchB);
  else if (nr > 32) tile7xNV<3>(kc, a, b, ct, first, last, y, ldy, mr, nr, p, prefetchB);
  else if (nr > 16) tile7xNV<2>(kc, a, b, ct, first, last, y, ldy, mr, nr, p, prefetchB);
  else tile7xNV<1>(kc, a, b, ct, first, last, y, ldy, mr, nr, p, prefetchB);
}

}  // namespace convnode
#endif
