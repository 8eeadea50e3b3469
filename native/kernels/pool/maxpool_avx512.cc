// Max-pool plane kernel compiled for AVX-512 (16 output columns per instruction).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define MAXPOOL_PLANE_NAME maxPoolPlaneAvx512
#include "kernels/pool/maxpool.inl"
#endif

#if defined(__x86_64__)
#include <immintrin.h>

namespace convnode {

// 2x2 and 3x3 windows, stride 1 or 2 (both axes), no dilation, on a -inf padded plane with no
// NaN in it (the caller checks: vmaxps returns its second operand when either is NaN, so it
// would not propagate one). Per output row: the vertical max of the K input rows over whole
// vectors, then the horizontal max of K (stride 2: even / odd lanes picked by one vpermt2ps
// each), stored straight into the output row with a lane mask. The .inl's vectorized-by-GCC
// version ran the stride-2 pick and the short rows of GoogLeNet's 14x14 / 28x28 planes in
// scalar code (perf, 2026-11-25: vcomiss / jp loops). 1 thread, min of 1000-3000 eager calls,
// 2026-11-25:
//   480 @28 -> 14 (3x3/s2, ceil) 0.378 -> 0.101 ms;  512 @14 (3x3/s1) 0.116 -> 0.079;
//   192 @56 -> 28 (3x3/s2) 0.255 -> 0.126;  64 @112 -> 56 (3x3/s2, pad 1) 0.187 -> 0.147;
//   832 @14 -> 7 (2x2/s2, ceil) 0.064 -> 0.046 (with the fused copy below).
// vm holds >= 2 * roundUp(outW, 16) + 16 floats; the plane buffer must be readable for that
// many floats past the start of its last row.
template <int K>
void maxPoolPlaneK(const Pool2dShape& s, const float* pad, int64_t pw, float* vm, float* out) {
  const int64_t outW = s.outW, ow = (outW + 15) / 16 * 16;
  const bool s2 = s.strideW == 2;
  const int64_t vcols = s2 ? 2 * ow + 16 : ow + 16;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    const float* r0 = pad + oy * s.strideH * pw;
    const float* r1 = r0 + pw;
    const float* r2 = r1 + pw;
    for (int64_t x = 0; x < vcols; x += 16) {
      __m512 v = _mm512_max_ps(_mm512_loadu_ps(r0 + x), _mm512_loadu_ps(r1 + x));
      if (K == 3) v = _mm512_max_ps(v, _mm512_loadu_ps(r2 + x));
      _mm512_storeu_ps(vm + x, v);
    }
    float* o = out + oy * outW;
    for (int64_t ox = 0; ox < outW; ox += 16) {
      __m512 m;
      if (s2) {
        const __m512 a = _mm512_loadu_ps(vm + 2 * ox), b = _mm512_loadu_ps(vm + 2 * ox + 16);
        m = _mm512_max_ps(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
        if (K == 3) {
          const __m512 c = _mm512_loadu_ps(vm + 2 * ox + 2), d = _mm512_loadu_ps(vm + 2 * ox + 18);
          m = _mm512_max_ps(m, _mm512_permutex2var_ps(c, even, d));
        }
      } else {
        m = _mm512_max_ps(_mm512_loadu_ps(vm + ox), _mm512_loadu_ps(vm + ox + 1));
        if (K == 3) m = _mm512_max_ps(m, _mm512_loadu_ps(vm + ox + 2));
      }
      const int64_t left = outW - ox;
      const __mmask16 k = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
      _mm512_mask_storeu_ps(o + ox, k, m);
    }
  }
}

void maxPoolPlaneSmallAvx512(const Pool2dShape& s, const float* pad, int64_t pw, float* vm,
                             float* out) {
  if (s.kh == 2) maxPoolPlaneK<2>(s, pad, pw, vm, out);
  else maxPoolPlaneK<3>(s, pad, pw, vm, out);
}

// Copies the h x w input plane into the interior of the padded plane (rows at padH, columns at
// padW, stride pw) with masked vector moves, and says whether it held a NaN. One call per
// plane instead of a memcpy per row plus a separate NaN pass: GoogLeNet's 14x14 planes are 14
// rows of 14 floats (1 thread, min of 3000 eager calls, 2026-11-25: 512 @14 3x3/s1 0.079 ->
// 0.067 ms, 480 @28 3x3/s2 0.101 -> 0.086, 192 @56 3x3/s2 0.126 -> 0.111).
bool maxPoolCopyPlaneAvx512(const float* in, int64_t h, int64_t w, float* pad, int64_t pw,
                            int64_t padH, int64_t padW) {
  __mmask16 nan = 0;
  for (int64_t iy = 0; iy < h; ++iy) {
    const float* src = in + iy * w;
    float* dst = pad + (iy + padH) * pw + padW;
    for (int64_t x = 0; x < w; x += 16) {
      const int64_t left = w - x;
      const __mmask16 k = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
      const __m512 v = _mm512_maskz_loadu_ps(k, src + x);
      nan |= _mm512_mask_cmp_ps_mask(k, v, v, _CMP_UNORD_Q);
      _mm512_mask_storeu_ps(dst + x, k, v);
    }
  }
  return nan != 0;
}

}  // namespace convnode
#endif
