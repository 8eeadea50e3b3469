// Max-pool plane kernel compiled for AVX-512 (16 output columns per instruction).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define MAXPOOL_PLANE_NAME maxPoolPlaneAvx512
#include "kernels/pool/maxpool.inl"
#endif

#if defined(__x86_64__)
// GCC 12's _mm512_max_ps expands _mm512_undefined_ps(), which -Wmaybe-uninitialized flags as a
// false positive once the row loop inlines differently (as in sgemm_ukernel_avx512.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

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

// Direct 2x2 / 3x3, stride 1 or 2 kernels: read the input planes in place (no padded copy, no
// scratch), 16 output columns at a time, everything in registers. The vertical max of the
// window's rows (clipped to the plane) is taken over 16 input columns with masked loads (lanes
// outside the plane read -inf, so padding and ceil-mode overhang need no buffer), the
// horizontal taps are lane shifts (valignd), and stride 2 picks even / odd lanes (vpermt2ps).
// The padded-plane kernel above copies each plane first and stores its column-max row only to
// read it back at +1 / +2 floats (a store-forwarding stall per row). Rows of at most 4
// vectors (w + padW <= 64) are loaded once each and kept in registers (maxPoolRows); wider
// planes take maxPoolDirect, which reloads the window rows per output row. GoogLeNet's pools,
// plan steps alone, 1 thread, min of 300 (2026-11-25), padded -> direct -> rows in registers
// ms (bench/ab-plan-builds.ts: CONVNODE_MAXPOOL_DIRECT=0 vs 1, then two builds):
//   512 @14 3x3/s1 0.063 -> 0.010 -> 0.011;  192 @28 3x3/s1 0.057 -> 0.048 -> 0.015;
//   192 @56 3x3/s2 0.097 -> 0.061 -> 0.039;  480 @28 3x3/s2 0.086 -> 0.049 -> 0.029;
//   832 @14 2x2/s2 0.043 -> 0.034 -> 0.012;  64 @112 3x3/s2 0.129 -> 0.070 (direct);
//   all 13 pools 0.902 -> 0.386 -> 0.265.
// NaN: vmaxps drops it, so every load is checked and a plane holding one fails the call.
namespace {

// Lanes i of a vector loaded at column `base` that fall inside [0, w).
inline __mmask16 colMask(int64_t base, int64_t w) {
  const int64_t lo = std::max<int64_t>(0, -base), hi = std::min<int64_t>(16, w - base);
  if (hi <= lo) return 0;
  const uint32_t upto = hi >= 16 ? 0xffffu : ((1u << hi) - 1u);
  return static_cast<__mmask16>(upto & ~((1u << lo) - 1u));
}

inline __m512 shiftIn(__m512 hi, __m512 lo, int n) {
  // lanes i -> (lo, hi)[i + n]; n is a compile-time constant at every call (inlined).
  const __m512i h = _mm512_castps_si512(hi), l = _mm512_castps_si512(lo);
  return _mm512_castsi512_ps(n == 1 ? _mm512_alignr_epi32(h, l, 1) : _mm512_alignr_epi32(h, l, 2));
}

// Input rows are software-prefetched this many output rows ahead. 2, 4 and 8 gave 5.04, 4.54
// and 4.95 ms on 2x2/s2 64 @224 at batch 8 (1 thread, 2026-11-25).
constexpr int64_t kPrefetchRows = 4;

// The S input rows that output row oy + kPrefetchRows adds to its window (top: output row oy's
// first input row), into L1 now. A row pair is only ~28 lines and the hardware prefetcher did
// not run ahead of it: from DRAM (batch 8, 103 MB in) 2x2/s2 64 @224 ran at 10 GB/s against
// ReLU's 35. Past the plane this reaches into the next one (planes are contiguous); a prefetch
// past the buffer does not fault.
template <int K, int S>
inline void prefetchRowsAhead(const float* in, int64_t w, int64_t top) {
  for (int64_t r = top + kPrefetchRows * S + K - S; r < top + kPrefetchRows * S + K; ++r)
    for (int64_t c = 0; c < w; c += 16) _mm_prefetch(reinterpret_cast<const char*>(in + r * w + c), _MM_HINT_T0);
}

// Planes whose padded rows fit NV <= 4 vectors (w + padW <= 64: GoogLeNet's 56-, 28-, 14- and
// 7-wide planes): each input row is loaded once, as NV vectors of columns [16j - padW,
// 16j - padW + 16) with -inf outside the plane, and kept in registers for the K output rows
// that read it (stride 2: the 1 row two output rows share). Needs ceil(outW/16) * S <= NV + 1.
template <int K, int S, int NV>
__mmask16 maxPoolRows(const Pool2dShape& s, const __mmask16* masks, const float* in, float* out) {
  __mmask16 nan = 0;  // a local (in a register), not the caller's: see maxPoolDirect
  const int64_t h = s.h, w = s.w, outW = s.outW;
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  const float* base = in - s.padW;
  auto load = [&](int64_t y, __m512* r) {
    if (y < 0 || y >= h) {
      for (int j = 0; j < NV; ++j) r[j] = ninf;
      return;
    }
    for (int j = 0; j < NV; ++j) {
      const __m512 x = _mm512_mask_loadu_ps(ninf, masks[j], base + y * w + 16 * j);
      nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
      r[j] = x;
    }
  };
  __m512 r0[NV], r1[NV], r2[NV];
  int64_t top = -s.padH;
  load(top, r0);
  load(top + 1, r1);
  if (K == 3) load(top + 2, r2);
  const int64_t chunks = (outW + 15) / 16;
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    // Not for rows of one vector (14x14 / 13x13 planes), where it cost more than it saved:
    // 2x2/s2 512 @14 batch 8 0.076 -> 0.097 ms; 256 @56 batch 8 1.52-1.85 -> 0.63 ms.
    if (NV > 1) prefetchRowsAhead<K, S>(in, w, top);
    __m512 v[NV + 2];
    for (int j = 0; j < NV; ++j) {
      v[j] = _mm512_max_ps(r0[j], r1[j]);
      if (K == 3) v[j] = _mm512_max_ps(v[j], r2[j]);
    }
    v[NV] = ninf;
    v[NV + 1] = ninf;
    float* o = out + oy * outW;
    for (int64_t c = 0; c < chunks; ++c) {
      __m512 m;
      if (S == 1) {
        const __m512 a = v[c], b = v[c + 1];
        m = _mm512_max_ps(a, shiftIn(b, a, 1));
        if (K == 3) m = _mm512_max_ps(m, shiftIn(b, a, 2));
      } else {
        const __m512 a = v[2 * c], b = v[2 * c + 1];
        m = _mm512_max_ps(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
        if (K == 3) m = _mm512_max_ps(m, _mm512_permutex2var_ps(shiftIn(b, a, 2), even, shiftIn(v[2 * c + 2], b, 2)));
      }
      const int64_t left = outW - 16 * c;
      const __mmask16 k = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
      _mm512_mask_storeu_ps(o + 16 * c, k, m);
    }
    if (oy + 1 == s.outH) break;
    top += S;
    if (S == 1) {
      for (int j = 0; j < NV; ++j) r0[j] = r1[j];
      if (K == 3) {
        for (int j = 0; j < NV; ++j) r1[j] = r2[j];
        load(top + 2, r2);
      } else {
        load(top + 1, r1);
      }
    } else if (K == 3) {
      for (int j = 0; j < NV; ++j) r0[j] = r2[j];
      load(top + 1, r1);
      load(top + 2, r2);
    } else {
      load(top, r0);
      load(top + 1, r1);
    }
  }
  return nan;
}

// General width: output rows in turn, 16 output columns at a time; masks[j] = the lanes of
// input columns [16j - padW, 16j - padW + 16) inside the plane.
template <int K, int S>
__mmask16 maxPoolDirect(const Pool2dShape& s, const __mmask16* masks, const float* in, float* out) {
  // The NaN mask is a local: accumulated through a reference into the caller's (when this is
  // not inlined) every load's check became a store and reload, 2x slower (64 @112 3x3/s2).
  __mmask16 nan = 0;
  const int64_t h = s.h, w = s.w, outW = s.outW;
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    const int64_t top = oy * S - s.padH;
    const int64_t r0 = std::max<int64_t>(0, top), r1 = std::min<int64_t>(h, top + K);
    const float* base = in - s.padW;
    prefetchRowsAhead<K, S>(in, w, top);
    // Vertical max of rows [r0, r1) over input column block j (-inf outside the plane).
    auto column = [&](int64_t j) -> __m512 {
      const __mmask16 k = masks[j];
      __m512 v = ninf;
      for (int64_t r = r0; r < r1; ++r) {
        const __m512 x = _mm512_mask_loadu_ps(ninf, k, base + r * w + 16 * j);
        nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        v = _mm512_max_ps(v, x);
      }
      return v;
    };
    float* o = out + oy * outW;
    int64_t j = 0;
    __m512 a = column(0);
    for (int64_t ox = 0; ox < outW; ox += 16) {
      __m512 m;
      if (S == 1) {
        const __m512 b = column(j + 1);
        m = _mm512_max_ps(a, shiftIn(b, a, 1));
        if (K == 3) m = _mm512_max_ps(m, shiftIn(b, a, 2));
        a = b;
        j += 1;
      } else {
        const __m512 b = column(j + 1), c = column(j + 2);
        m = _mm512_max_ps(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
        if (K == 3) m = _mm512_max_ps(m, _mm512_permutex2var_ps(shiftIn(b, a, 2), even, shiftIn(c, b, 2)));
        a = c;
        j += 2;
      }
      const int64_t left = outW - ox;
      const __mmask16 k = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
      _mm512_mask_storeu_ps(o + ox, k, m);
    }
  }
  return nan;
}

template <int K, int S>
bool maxPoolDirectPlanes(const Pool2dShape& s, const float* x, float* y, int64_t p0, int64_t p1) {
  const int64_t chunks = (s.outW + 15) / 16;
  const int64_t rowVectors = (s.w + s.padW + 15) / 16;
  const int64_t blocks = std::max(chunks * S + 1, rowVectors);
  std::vector<__mmask16> masks(static_cast<size_t>(blocks));
  for (int64_t j = 0; j < blocks; ++j) masks[j] = colMask(16 * j - s.padW, s.w);
  using RowsFn = __mmask16 (*)(const Pool2dShape&, const __mmask16*, const float*, float*);
  RowsFn rows = nullptr;
  if (chunks * S <= rowVectors + 1) {
    if (rowVectors == 1) rows = maxPoolRows<K, S, 1>;
    else if (rowVectors == 2) rows = maxPoolRows<K, S, 2>;
    else if (rowVectors == 3) rows = maxPoolRows<K, S, 3>;
    else if (rowVectors == 4) rows = maxPoolRows<K, S, 4>;
  }
  __mmask16 nan = 0;
  for (int64_t p = p0; p < p1; ++p) {
    const float* in = x + p * s.h * s.w;
    float* out = y + p * s.outH * s.outW;
    nan |= rows ? rows(s, masks.data(), in, out) : maxPoolDirect<K, S>(s, masks.data(), in, out);
  }
  return nan == 0;
}

}  // namespace

bool maxPoolDirectAvx512(const Pool2dShape& s, const float* x, float* y, int64_t p0, int64_t p1) {
  if (s.kh == 2) return s.strideW == 1 ? maxPoolDirectPlanes<2, 1>(s, x, y, p0, p1) : maxPoolDirectPlanes<2, 2>(s, x, y, p0, p1);
  return s.strideW == 1 ? maxPoolDirectPlanes<3, 1>(s, x, y, p0, p1) : maxPoolDirectPlanes<3, 2>(s, x, y, p0, p1);
}

}  // namespace convnode
#endif
