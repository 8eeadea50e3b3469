// Max-pool 2x2/s2 backward compiled for AVX-512: 8 windows (16 input columns of both window
// rows) per step instead of one window per scalar iteration. LeNet-5 b64 (2026-11-25, 1 thread,
// in the training step): 175 -> 118 us (6x24x24, now bound by streaming x and dx, 884 KB each)
// and 111 -> 45 us (16x8x8) against the scalar branch-free loop.
//
// Lanes 2k and 2k+1 of a row vector are window k's left and right elements. With E0 / E1 the
// lanes of the top / bottom row equal to the window's maximum (or NaN when it is NaN), the
// first maximum in window order (a b / c e) takes the gradient:
//   a = E0 even; b = E0 odd and not a; c = E1 even and neither a nor b; e = none of a, b, c.
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
// GCC 12's _mm512_permutexvar_ps expands _mm512_undefined_ps(), which -Wmaybe-uninitialized
// flags as a false positive (as in sgemm_ukernel_avx512.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {

namespace {

// Lanes equal to m, or NaN where m is NaN (the forward returned the first NaN).
inline __mmask16 isMax(__m512 v, __m512 m, __mmask16 mNan) {
  return _mm512_cmp_ps_mask(v, m, _CMP_EQ_OQ) | (mNan & _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
}

// `pairs` (<= 8) windows of one window row: top / bottom input rows r0 / r1, outputs m / g.
inline void windows(const float* r0, const float* r1, const float* m, const float* g, float* d0,
                    float* d1, int64_t pairs, const __m512i dup) {
  const __mmask16 lanes = static_cast<__mmask16>((1u << (2 * pairs)) - 1u);
  const __mmask16 outs = static_cast<__mmask16>((1u << pairs) - 1u);
  const __m512 mv = _mm512_permutexvar_ps(dup, _mm512_maskz_loadu_ps(outs, m));
  const __m512 gv = _mm512_permutexvar_ps(dup, _mm512_maskz_loadu_ps(outs, g));
  const __mmask16 mNan = _mm512_cmp_ps_mask(mv, mv, _CMP_UNORD_Q);
  const unsigned e0 = isMax(_mm512_maskz_loadu_ps(lanes, r0), mv, mNan);
  const unsigned e1 = isMax(_mm512_maskz_loadu_ps(lanes, r1), mv, mNan);
  const unsigned takeA = e0 & 0x5555u;
  const unsigned takeB = e0 & 0xAAAAu & ~(takeA << 1);
  const unsigned top = takeA | (takeA << 1) | takeB | (takeB >> 1);  // both lanes of the window
  const unsigned takeC = e1 & 0x5555u & ~top;
  const unsigned takeE = 0xAAAAu & ~(top | (takeC << 1));
  const __m512 r0out = _mm512_maskz_mov_ps(static_cast<__mmask16>(takeA | takeB), gv);
  const __m512 r1out = _mm512_maskz_mov_ps(static_cast<__mmask16>(takeC | takeE), gv);
  if (lanes == 0xFFFF) {
    _mm512_storeu_ps(d0, r0out);
    _mm512_storeu_ps(d1, r1out);
  } else {
    _mm512_mask_storeu_ps(d0, lanes, r0out);
    _mm512_mask_storeu_ps(d1, lanes, r1out);
  }
}

}  // namespace

void maxPool2x2BackwardPlaneAvx512(const Pool2dShape& s, const float* x, const float* y,
                                   const float* dy, float* dx) {
  const __m512i dup = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    const float* r0 = x + 2 * oy * s.w;
    const float* m = y + oy * s.outW;
    const float* g = dy + oy * s.outW;
    float* d0 = dx + 2 * oy * s.w;
    for (int64_t ox = 0; ox < s.outW; ox += 8) {
      const int64_t pairs = s.outW - ox < 8 ? s.outW - ox : 8;
      windows(r0 + 2 * ox, r0 + s.w + 2 * ox, m + ox, g + ox, d0 + 2 * ox, d0 + s.w + 2 * ox, pairs, dup);
    }
  }
}

}  // namespace convnode
#endif
