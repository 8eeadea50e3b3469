// Depthwise 3x3 (dilation 1) for AVX-512, reading the unpadded input plane directly with
// masked loads (masked-off lanes are zero and never touch memory, so padding costs nothing and
// no padded copy of the plane is made), with bias, ReLU and the ReLU6 clamp in the store.
//
// Why: the padded-copy plane kernel (depthwise.inl) vectorizes over the columns of one output
// row, so 7- and 14-wide MobileNetV2 planes use 7/16 and 14/16 lanes, each row pays loop
// overhead, stride 2 deinterleaves poorly, and ReLU6's clamp is a second pass. MobileNetV2's
// 17 depthwise layers took 1.51 ms of a 5.4 ms run (1 thread, batch 1, 2026-11-25; 960 @7x7:
// 0.068 ms, 12 GFLOP/s).
//
// Stride 1 with "same" width (padLeft + padRight == 2, so outW == w): output pixel
// p = oy*outW + ox reads input p + (ky - padTop)*w + (kx - padLeft), a constant offset per
// tap, so 16 consecutive pixels of the flattened plane (wrapping across rows) are one masked
// load per tap. A lane's mask bit says its tap lies inside the image: rowOk[ky] & colOk[kx],
// computed once per layer for every 16-pixel chunk (dwMasks). 7x7 planes fill 49/64 lanes,
// 14x14 196/208.
// Stride 2: per output row, 16 outputs at a time; each tap row is loaded as 32 (+1) input
// floats starting at 2*ox0 - padLeft and split into even / odd lanes with permutes:
//   kx = 0: even[l], kx = 1: odd[l], kx = 2: even[l + 1] (the 33rd float feeds lane 15).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstdlib>

#include "kernels/conv/conv_isa.h"

// GCC 12 flags _mm512_undefined_ps() placeholders inside _mm512_max_ps / _mm512_min_ps as
// maybe-uninitialized (a false positive, as in sgemm_ukernel_avx512.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {
namespace {

// Stride-1 planes at least this wide run by rows (plane3x3s1Rows), narrower ones flattened.
constexpr int64_t kRowModeMinW = 32;
// Flattened stride 1: per 16-pixel chunk, the mask of each of the 9 taps (its row and column
// inside the image) and of the store (pixels inside the plane).
constexpr int64_t kMasksPerChunk = 10;

// Lanes j in [0, 16) with 0 <= p + j < w.
inline __mmask16 rangeMask(int64_t p, int64_t w) {
  const int64_t lo = p < 0 ? -p : 0;
  int64_t hi = w - p;
  if (hi > 16) hi = 16;
  if (hi <= lo) return 0;
  return static_cast<__mmask16>((uint32_t(1) << hi) - (uint32_t(1) << lo));
}

// acc = act(acc): max(0, acc) and min(clamp, acc) keep a NaN (the second operand is returned
// when either is NaN), as the scalar paths do.
inline __m512 activate(__m512 acc, bool relu, bool clamp, __m512 clampV) {
  if (relu) acc = _mm512_max_ps(_mm512_setzero_ps(), acc);
  if (clamp) acc = _mm512_min_ps(clampV, acc);
  return acc;
}

// Masked loads at addresses that may lie before the plane (padding): computed as integers so
// no out-of-range pointer is formed; only unmasked lanes are read.
inline __m512 loadMasked(__mmask16 m, const float* base, int64_t off) {
  const float* p = reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(base) +
                                                  static_cast<uintptr_t>(off * 4));
  return _mm512_maskz_loadu_ps(m, p);
}

// The 9 taps of one channel's filter, each broadcast to a vector.
inline void broadcastTaps(const float* w, __m512* wv) {
  for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[t]);
}

// vpermt2ps indices picking the even / odd floats of a 32-float pair of vectors (stride 2).
inline __m512i evenLanes() { return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30); }
inline __m512i oddLanes() { return _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31); }

void plane3x3s1(const Conv2dShape& s, const float* in, const float* w, float bias,
                bool relu, float clampMax, const uint16_t* masks, float* out) {
  const int64_t npix = s.outH * s.outW;
  const int64_t chunks = (npix + 15) / 16;
  __m512 wv[9];
  broadcastTaps(w, wv);
  const __m512 bv = _mm512_set1_ps(bias), cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  int64_t off[9];
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx) off[ky * 3 + kx] = (ky - s.padTop) * s.w + (kx - s.padLeft);
  for (int64_t c = 0; c < chunks; ++c) {
    const uint16_t* m = masks + c * kMasksPerChunk;  // 9 taps, then the store mask
    const int64_t p0 = c * 16;
    __m512 acc0 = bv, acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps();
    for (int kx = 0; kx < 3; ++kx) {
      acc0 = _mm512_fmadd_ps(loadMasked(m[kx], in, p0 + off[kx]), wv[kx], acc0);
      acc1 = _mm512_fmadd_ps(loadMasked(m[3 + kx], in, p0 + off[3 + kx]), wv[3 + kx], acc1);
      acc2 = _mm512_fmadd_ps(loadMasked(m[6 + kx], in, p0 + off[6 + kx]), wv[6 + kx], acc2);
    }
    __m512 acc = _mm512_add_ps(_mm512_add_ps(acc0, acc1), acc2);
    _mm512_mask_storeu_ps(out + p0, m[9], activate(acc, relu, clamp, cv));
  }
}

// The same for two channels at once (planes in + k*inStride, out + k*outStride): each tap
// mask is read into a mask register once for both, and the loop overhead is shared (7x7 and
// 14x14 planes are only 4 and 13 chunks long).
void plane3x3s1Pair(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                    const float* bias, bool relu, float clampMax, const uint16_t* masks,
                    float* out, int64_t outStride) {
  const int64_t npix = s.outH * s.outW;
  const int64_t chunks = (npix + 15) / 16;
  __m512 wa[9], wb[9];
  broadcastTaps(w, wa);
  broadcastTaps(w + 9, wb);
  const __m512 ba = _mm512_set1_ps(bias ? bias[0] : 0.0f), bb = _mm512_set1_ps(bias ? bias[1] : 0.0f);
  const __m512 cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  int64_t off[9];
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx) off[ky * 3 + kx] = (ky - s.padTop) * s.w + (kx - s.padLeft);
  const float* in1 = in + inStride;
  for (int64_t c = 0; c < chunks; ++c) {
    const uint16_t* m = masks + c * kMasksPerChunk;
    const int64_t p0 = c * 16;
    __m512 a0 = ba, a1 = _mm512_setzero_ps(), b0 = bb, b1 = _mm512_setzero_ps();
    for (int t = 0; t < 9; ++t) {
      const __mmask16 k = m[t];
      if (t & 1) {
        a1 = _mm512_fmadd_ps(loadMasked(k, in, p0 + off[t]), wa[t], a1);
        b1 = _mm512_fmadd_ps(loadMasked(k, in1, p0 + off[t]), wb[t], b1);
      } else {
        a0 = _mm512_fmadd_ps(loadMasked(k, in, p0 + off[t]), wa[t], a0);
        b0 = _mm512_fmadd_ps(loadMasked(k, in1, p0 + off[t]), wb[t], b0);
      }
    }
    _mm512_mask_storeu_ps(out + p0, m[9], activate(_mm512_add_ps(a0, a1), relu, clamp, cv));
    _mm512_mask_storeu_ps(out + outStride + p0, m[9], activate(_mm512_add_ps(b0, b1), relu, clamp, cv));
  }
}

// Flattened stride 1, pad 1, for a compile-time width W (7, 14, 28, 56: MobileNet-style planes):
// chunks follow the 64-byte grid of the input plane instead of its first pixel, so every input
// read is an aligned vector V[j] (no loads split across cache lines), and each tap vector is
// cut from two of them with valignd, whose shift is a constant because W is. The rows above
// and below the plane read as zeros (V's lanes outside the plane are masked off); only the
// wrap of the left / right tap into the neighbouring row needs a mask, kept as a vector of
// each lane's column. Why: the flattened kernel's 9 unaligned masked loads per chunk mostly
// split across two lines, and they, not the FMAs, set its pace (~15 cycles a chunk without the
// stores). MobileNetV2 in-run step minima, 1 thread, 2026-11-25 (CONVNODE_DW_GRID=0 / 1):
// 192 @28 0.043 -> 0.031 ms, 576 @14 0.029 -> 0.022, 384 @14 0.019 -> 0.015, 960 @7 0.016 ->
// 0.013; the 17 depthwise steps -0.066 ms in all. Only the vectors some tap reads are loaded
// (gridNeeds: 7 for W = 56, not the 11 between the top and bottom taps): 144 @56 0.107 -> 0.083
// ms. 112-wide rows keep the row kernel (0.070 vs 0.080 ms for 32 @112): they start on lines,
// so its centre taps are aligned, and it shares loads between two output rows.
constexpr int floorDiv16(int v) { return v >= 0 ? v / 16 : -((15 - v) / 16); }

// The chunk-relative aligned vectors a width-W plane's taps read: V[c + QMIN(W) + k], k < NQ(W),
// of which only those some tap uses (gridNeeds) are loaded.
template <int W> constexpr int gridQMin() { return floorDiv16(-W - 1); }
template <int W> constexpr int gridNQ() { return floorDiv16(W + 1) + 1 - gridQMin<W>() + 1; }
template <int W> constexpr bool gridNeeds(int k) {
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      const int off = dy * W + dx, q = floorDiv16(off), r = off - 16 * q;
      if (q - gridQMin<W>() == k || (r != 0 && q + 1 - gridQMin<W>() == k)) return true;
    }
  return false;
}

template <int W, int OFF>
__attribute__((always_inline)) inline __m512 tapFromAligned(const __m512* v) {
  // v[k] holds V[c + gridQMin<W>() + k]; OFF is the tap's pixel offset relative to the chunk.
  constexpr int q = floorDiv16(OFF) - gridQMin<W>();
  constexpr int r = OFF - 16 * floorDiv16(OFF);
  if constexpr (r == 0) return v[q];
  else return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v[q + 1]), _mm512_castps_si512(v[q]), r));
}

template <int W, int K>
__attribute__((always_inline)) inline void loadGrid(__m512* v, const float* ab, int64_t sh, int64_t npix, int64_t c) {
  if constexpr (K < gridNQ<W>()) {
    if constexpr (gridNeeds<W>(K)) {
      const int64_t j = c + gridQMin<W>() + K;
      const int64_t lo = 16 * j - sh;  // pixel of lane 0
      if (lo >= 0 && lo + 16 <= npix) {
        v[K] = _mm512_load_ps(ab + 16 * j);
      } else {
        const __mmask16 m = rangeMask(lo, npix);
        const float* p = reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(ab) + static_cast<uintptr_t>(j * 64));
        v[K] = m ? _mm512_maskz_load_ps(m, p) : _mm512_setzero_ps();
      }
    }
    loadGrid<W, K + 1>(v, ab, sh, npix, c);
  }
}

template <int W>
void planes3x3s1Grid(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                     const float* bias, bool relu, float clampMax, float* out, int64_t outStride,
                     int64_t count) {
  const int64_t npix = s.h * W;
  const __m512 cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  // Each lane's column for a chunk grid starting sh pixels before the plane, per sh.
  alignas(64) int32_t oxInit[16][16];
  for (int h = 0; h < 16; ++h)
    for (int l = 0; l < 16; ++l) oxInit[h][l] = static_cast<int32_t>((((l - h) % W) + W) % W);
  const __m512i step = _mm512_set1_epi32(16 % W), wv32 = _mm512_set1_epi32(W), last = _mm512_set1_epi32(W - 1);
  const __m512i zero32 = _mm512_setzero_si512();
  for (int64_t pl = 0; pl < count; ++pl) {
    const float* x = in + pl * inStride;
    float* y = out + pl * outStride;
    const float* ab = reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(x) & ~uintptr_t(63));
    const int64_t sh = x - ab;  // pixel 0 sits in lane sh of V[0]
    const int64_t chunks = (npix + sh + 15) / 16;
    __m512 wv[9];
    broadcastTaps(w + pl * 9, wv);
    const __m512 bv = _mm512_set1_ps(bias ? bias[pl] : 0.0f);
    __m512i ox = _mm512_load_si512(oxInit[sh]);
    for (int64_t c = 0; c < chunks; ++c) {
      const __mmask16 left = _mm512_cmpneq_epi32_mask(ox, zero32);
      const __mmask16 right = _mm512_cmpneq_epi32_mask(ox, last);
      __m512 v[gridNQ<W>()];
      loadGrid<W, 0>(v, ab, sh, npix, c);
      __m512 a0 = bv, a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps();
      a0 = _mm512_mask3_fmadd_ps(tapFromAligned<W, -W - 1>(v), wv[0], a0, left);
      a0 = _mm512_fmadd_ps(tapFromAligned<W, -W>(v), wv[1], a0);
      a0 = _mm512_mask3_fmadd_ps(tapFromAligned<W, -W + 1>(v), wv[2], a0, right);
      a1 = _mm512_mask3_fmadd_ps(tapFromAligned<W, -1>(v), wv[3], a1, left);
      a1 = _mm512_fmadd_ps(tapFromAligned<W, 0>(v), wv[4], a1);
      a1 = _mm512_mask3_fmadd_ps(tapFromAligned<W, 1>(v), wv[5], a1, right);
      a2 = _mm512_mask3_fmadd_ps(tapFromAligned<W, W - 1>(v), wv[6], a2, left);
      a2 = _mm512_fmadd_ps(tapFromAligned<W, W>(v), wv[7], a2);
      a2 = _mm512_mask3_fmadd_ps(tapFromAligned<W, W + 1>(v), wv[8], a2, right);
      const __m512 acc = activate(_mm512_add_ps(_mm512_add_ps(a0, a1), a2), relu, clamp, cv);
      const int64_t p0 = 16 * c - sh;
      if (p0 >= 0 && p0 + 16 <= npix) {
        _mm512_storeu_ps(y + p0, acc);
      } else {
        float* q = reinterpret_cast<float*>(reinterpret_cast<uintptr_t>(y) + static_cast<uintptr_t>(p0 * 4));
        _mm512_mask_storeu_ps(q, rangeMask(p0, npix), acc);
      }
      ox = _mm512_add_epi32(ox, step);
      ox = _mm512_mask_sub_epi32(ox, _mm512_cmpge_epi32_mask(ox, wv32), ox, wv32);
    }
  }
}

// CONVNODE_DW_GRID=0 turns the grid kernel off (A/B runs, tests of the pair kernel).
bool gridOn() {
  static const bool on = [] { const char* e = std::getenv("CONVNODE_DW_GRID"); return !e || e[0] != '0'; }();
  return on;
}

// Stride 1, wide rows (outW >= kRowModeMinW): two output rows at a time, 16 columns at a
// time: each of the 4 input rows they read is loaded once (3 shifted vectors) and feeds both
// (12 loads per 32 outputs instead of 18). Chunks whose taps all lie inside the row use plain
// loads (the flattened chunks of a wide plane mostly straddle a row edge, so they would all
// pay masks).
template <bool MASKED>
inline void rowPairChunk(const float* const* rows, const bool* ok, bool two, int64_t b,
                         const __mmask16* m, const __m512* wv, __m512& accT, __m512& accB) {
  __m512 t1 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
  for (int r = 0; r < 4; ++r) {
    if (!ok[r]) continue;
    __m512 v[3];
    for (int kx = 0; kx < 3; ++kx)
      v[kx] = MASKED ? loadMasked(m[kx], rows[r], b + kx) : _mm512_loadu_ps(rows[r] + b + kx);
    if (r <= 2) {
      __m512& a = (r & 1) ? t1 : accT;
      for (int kx = 0; kx < 3; ++kx) a = _mm512_fmadd_ps(v[kx], wv[r * 3 + kx], a);
    }
    if (r >= 1 && two) {
      __m512& a = (r & 1) ? accB : b1;
      for (int kx = 0; kx < 3; ++kx) a = _mm512_fmadd_ps(v[kx], wv[(r - 1) * 3 + kx], a);
    }
  }
  accT = _mm512_add_ps(accT, t1);
  accB = _mm512_add_ps(accB, b1);
}

void plane3x3s1Rows(const Conv2dShape& s, const float* in, const float* w, float bias,
                    bool relu, float clampMax, float* out) {
  __m512 wv[9];
  broadcastTaps(w, wv);
  const __m512 bv = _mm512_set1_ps(bias), cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  const int64_t pl = s.padLeft;
  for (int64_t oy = 0; oy < s.outH; oy += 2) {
    const bool two = oy + 1 < s.outH;
    const float* rows[4];
    bool ok[4];
    for (int r = 0; r < 4; ++r) {
      const int64_t iy = oy - s.padTop + r;
      ok[r] = iy >= 0 && iy < s.h && (r < 3 || two);
      rows[r] = in + (ok[r] ? iy : 0) * s.w;
    }
    float* o = out + oy * s.outW;
    for (int64_t ox0 = 0; ox0 < s.outW; ox0 += 16) {
      const int64_t b = ox0 - pl;
      __m512 accT = bv, accB = bv;
      if (b >= 0 && b + 18 <= s.w) {
        rowPairChunk<false>(rows, ok, two, b, nullptr, wv, accT, accB);
      } else {
        const __mmask16 lim = rangeMask(ox0, s.outW);
        const __mmask16 m[3] = {static_cast<__mmask16>(rangeMask(b, s.w) & lim),
                                static_cast<__mmask16>(rangeMask(b + 1, s.w) & lim),
                                static_cast<__mmask16>(rangeMask(b + 2, s.w) & lim)};
        rowPairChunk<true>(rows, ok, two, b, m, wv, accT, accB);
      }
      accT = activate(accT, relu, clamp, cv);
      accB = activate(accB, relu, clamp, cv);
      if (ox0 + 16 <= s.outW) {
        _mm512_storeu_ps(o + ox0, accT);
        if (two) _mm512_storeu_ps(o + s.outW + ox0, accB);
      } else {
        const __mmask16 sm = rangeMask(ox0, s.outW);
        _mm512_mask_storeu_ps(o + ox0, sm, accT);
        if (two) _mm512_mask_storeu_ps(o + s.outW + ox0, sm, accB);
      }
    }
  }
}

// Stride 2, two output rows a pass: input row r (0..4 below the pass's first window row) feeds
// the top output row through kernel row r (r <= 2) and the bottom one through r - 2 (r >= 2);
// t0, t1, t2 are the row's taps kx = 0, 1, 2 for the 16 outputs.
inline void s2RowTaps(int r, __m512 t0, __m512 t1, __m512 t2, const __m512* wv, __m512& accT, __m512& accB) {
  if (r <= 2) {
    accT = _mm512_fmadd_ps(t0, wv[r * 3], accT);
    accT = _mm512_fmadd_ps(t1, wv[r * 3 + 1], accT);
    accT = _mm512_fmadd_ps(t2, wv[r * 3 + 2], accT);
  }
  if (r >= 2) {
    accB = _mm512_fmadd_ps(t0, wv[(r - 2) * 3], accB);
    accB = _mm512_fmadd_ps(t1, wv[(r - 2) * 3 + 1], accB);
    accB = _mm512_fmadd_ps(t2, wv[(r - 2) * 3 + 2], accB);
  }
}

inline void s2StoreRowPair(const Conv2dShape& s, int64_t oy, int64_t ox0, bool two, __m512 accT, __m512 accB,
                           bool relu, bool clamp, __m512 cv, float* out) {
  const __mmask16 sm = rangeMask(ox0, s.outW);
  _mm512_mask_storeu_ps(out + oy * s.outW + ox0, sm, activate(accT, relu, clamp, cv));
  if (two) _mm512_mask_storeu_ps(out + (oy + 1) * s.outW + ox0, sm, activate(accB, relu, clamp, cv));
}

// Each stride-2 pass reads 4 new input rows, 2 apart from its outputs' rows: a pattern the
// hardware prefetchers follow poorly once the input is in DRAM (MobileNetV2's 96 @112 at
// batch 8, 38.5 MB: 6.99 ms, slower than the same layer at stride 1). Fetch the rows that the
// pass kPrefetchPasses ahead adds. Measured (1 thread, min of 20, 2026-11-25), 96 @112 batch 8
// / 4 / 1: none 6.99 / 2.33 / 0.204 ms; 1 pass ahead 2.86 / 0.90 / 0.141; 2 passes 2.36 / 0.81
// / 0.147; 4 passes 2.35 / 0.77 / 0.147.
inline void s2PrefetchAhead(const Conv2dShape& s, const float* in, int64_t oy) {
  constexpr int kPrefetchPasses = 2;
  for (int64_t r = 4 * kPrefetchPasses + 1; r <= 4 * kPrefetchPasses + 4; ++r) {
    const int64_t iy = oy * 2 - s.padTop + r;
    if (iy < 0 || iy >= s.h) continue;
    for (int64_t x = 0; x < s.w; x += 16) _mm_prefetch(reinterpret_cast<const char*>(in + iy * s.w + x), _MM_HINT_T0);
  }
}

// The stride-2 plane loop shared by both row readers below: two output rows per pass (their
// windows share input row 2*oy + 2 - padTop: 5 rows read and split instead of 6), 16 outputs
// at a time. Reader: newPass() at each pass, chunk(ox0) at each 16 outputs, then
// taps(r, row, t) for each of the pass's input rows inside the plane, giving t[kx] = tap kx's
// inputs for the 16 outputs.
template <class Reader>
__attribute__((always_inline)) inline void planeS2Passes(const Conv2dShape& s, const float* in, const float* w,
                                                         float bias, bool relu, float clampMax, float* out,
                                                         Reader& rd) {
  __m512 wv[9];
  broadcastTaps(w, wv);
  const __m512 bv = _mm512_set1_ps(bias), cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  for (int64_t oy = 0; oy < s.outH; oy += 2) {
    const bool two = oy + 1 < s.outH;
    s2PrefetchAhead(s, in, oy);
    rd.newPass();
    for (int64_t ox0 = 0; ox0 < s.outW; ox0 += 16) {
      rd.chunk(ox0);
      __m512 accT = bv, accB = bv;
      for (int r = 0; r < (two ? 5 : 3); ++r) {
        const int64_t iy = oy * 2 - s.padTop + r;
        if (iy < 0 || iy >= s.h) continue;
        __m512 t[3];
        rd.taps(r, in + iy * s.w, t);
        s2RowTaps(r, t[0], t[1], t[2], wv, accT, accB);
      }
      s2StoreRowPair(s, oy, ox0, two, accT, accB, relu, clamp, cv, out);
    }
  }
}

// Any stride-2 plane: per row and 16 outputs, 3 masked loads (columns 2*ox0 - padLeft ..
// + 32, the third for its first float only) and 3 permutes.
struct S2RowsMasked {
  explicit S2RowsMasked(const Conv2dShape& shape) : s(shape) {}
  const Conv2dShape& s;
  const __m512i evenIdx = evenLanes(), oddIdx = oddLanes();
  const __m512i nextIdx = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  int64_t b = 0;
  __mmask16 ma = 0, mb = 0, mc = 0;
  void newPass() {}
  void chunk(int64_t ox0) {
    b = 2 * ox0 - s.padLeft;
    ma = rangeMask(b, s.w);
    mb = rangeMask(b + 16, s.w);
    mc = rangeMask(b + 32, s.w) & 1;
  }
  void taps(int /*r*/, const float* row, __m512* t) const {
    const __m512 a = loadMasked(ma, row, b), bb = loadMasked(mb, row, b + 16);
    const __m512 cc = loadMasked(mc, row, b + 32);
    t[0] = _mm512_permutex2var_ps(a, evenIdx, bb);
    t[1] = _mm512_permutex2var_ps(a, oddIdx, bb);
    t[2] = _mm512_permutex2var_ps(t[0], nextIdx, cc);
  }
};

void plane3x3s2(const Conv2dShape& s, const float* in, const float* w, float bias,
                bool relu, float clampMax, float* out) {
  S2RowsMasked rd(s);
  planeS2Passes(s, in, w, bias, relu, clampMax, out, rd);
}

// Stride 2, padding 1 on the left, rows a multiple of 16 floats (MobileNetV2's 96 @112): each
// input row is read as pairs of vectors at 32-float steps. For the 16 outputs at ox0, columns
// 2*ox0 .. 2*ox0 + 31 split into even (tap kx = 1) and odd (kx = 2) lanes, and kx = 0 (column
// 2*ox - 1) is the odd vector moved up one lane with the previous chunk's last odd column
// (valignd), zero at the left edge. S2RowsMasked instead loads 3 masked vectors a row and
// permutes 3 times. 96 @112 -> 56 alone, rows on 64-byte lines (1 thread, min of 3000,
// 2026-11-25): 0.121 -> 0.102 ms; MobileNetV2's fused expansion + this layer, mean of 20000
// step runs: 0.351 -> 0.332 ms. It first required 64-byte-aligned rows; with unaligned loads it
// takes any input (same speed on aligned rows), and a batch-8 input from the heap (38.5 MB,
// DRAM-bound) ran 4.6-5.3 ms with S2RowsMasked against 2.6-3.0 ms here at every 16-byte
// offset. CONVNODE_DW_S2_PAIRS=0 turns it off.
struct S2RowsPairs {
  explicit S2RowsPairs(const Conv2dShape& shape) : s(shape) {}
  const Conv2dShape& s;
  const __m512i evenIdx = evenLanes(), oddIdx = oddLanes();
  int64_t b = 0;
  __mmask16 ma = 0, mb = 0;
  __m512 prevOdd[5];  // per input row of the pass: the previous chunk's odd vector
  void newPass() {
    for (int r = 0; r < 5; ++r) prevOdd[r] = _mm512_setzero_ps();
  }
  void chunk(int64_t ox0) {
    b = 2 * ox0;  // a multiple of 32 floats
    ma = rangeMask(b, s.w);
    mb = rangeMask(b + 16, s.w);
  }
  void taps(int r, const float* row, __m512* t) {
    const __m512 a = ma == 0xFFFF ? _mm512_loadu_ps(row + b) : _mm512_maskz_loadu_ps(ma, row + b);
    const __m512 bb = mb == 0xFFFF ? _mm512_loadu_ps(row + b + 16) : loadMasked(mb, row, b + 16);
    t[1] = _mm512_permutex2var_ps(a, evenIdx, bb);
    t[2] = _mm512_permutex2var_ps(a, oddIdx, bb);
    t[0] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(t[2]), _mm512_castps_si512(prevOdd[r]), 15));
    prevOdd[r] = t[2];
  }
};

void plane3x3s2Pairs(const Conv2dShape& s, const float* in, const float* w, float bias,
                     bool relu, float clampMax, float* out) {
  S2RowsPairs rd(s);
  planeS2Passes(s, in, w, bias, relu, clampMax, out, rd);
}

bool s2PairsSuits(const Conv2dShape& s) {
  static const bool on = [] { const char* e = std::getenv("CONVNODE_DW_S2_PAIRS"); return !e || e[0] != '0'; }();
  return on && s.padLeft == 1 && s.w % 16 == 0;
}

// Stride 2 with outW <= 7 (MobileNetV2's 576 @14 -> 7): two output rows per vector, row oy
// in lanes [0, outW) and row oy + 1 in [outW, 2 outW), so one masked store writes both (they
// are adjacent in the plane). Each input row (w + padLeft <= 16) is one masked load of columns
// [-padLeft, 16 - padLeft); tap (ky, kx) is one vpermt2ps of the two rows it reads for the two
// output rows: lane l < outW takes column 2l + kx of row 2oy - padTop + ky, lane outW + l the
// same column of the row two below. Per row pair: 5 loads, 9 permutes, 9 FMAs for 2 outW
// outputs (plane3x3s2: 15 loads, 15 permutes, 18 FMAs, half the lanes idle). MobileNetV2,
// plan steps alone, 1 thread, min of 300, 2026-11-25 (bench/ab-plan-builds.ts, ENVA/ENVB): 576 @14 -> 7
// 0.0298 -> 0.0211 ms alone, 0.130 -> 0.122 fused with its expansion. CONVNODE_DW_S2_NARROW=0
// turns it off.
bool narrowS2On() {
  static const bool on = [] { const char* e = std::getenv("CONVNODE_DW_S2_NARROW"); return !e || e[0] != '0'; }();
  return on;
}

// `count` planes (in + k*inStride -> out + k*outStride, weights w + 9k, bias + k): the lane
// permutations are set up once for all of them (per plane they cost as much as a 7x7 plane's
// 4 row pairs: 576 @14 -> 7, 1 thread, min of 3000, 2026-11-25: 19.3 -> 9.8 us; MobileNetV2's
// fused 1x1 96 -> 576 + this layer: 0.111 -> 0.102 ms).
void planes3x3s2Narrow(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                       const float* bias, bool relu, float clampMax, float* out, int64_t outStride,
                       int64_t count) {
  const int64_t outW = s.outW, pl = s.padLeft;
  alignas(64) int32_t idx[3][16];
  for (int kx = 0; kx < 3; ++kx)
    for (int l = 0; l < 16; ++l) {
      const int64_t j = l < outW ? l : l - outW;  // output column of the lane
      idx[kx][l] = static_cast<int32_t>((l < outW ? 0 : 16) + ((2 * j + kx) & 15));
    }
  const __m512i ix0 = _mm512_load_si512(idx[0]), ix1 = _mm512_load_si512(idx[1]), ix2 = _mm512_load_si512(idx[2]);
  const __m512 cv = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  const __mmask16 colMask = rangeMask(-pl, s.w);
  for (int64_t p = 0; p < count; ++p) {
    const float* x = in + p * inStride;
    float* y = out + p * outStride;
    __m512 wv[9];
    broadcastTaps(w + p * 9, wv);
    const __m512 bv = _mm512_set1_ps(bias ? bias[p] : 0.0f);
    auto row = [&](int64_t iy) -> __m512 {
      if (iy < 0 || iy >= s.h) return _mm512_setzero_ps();
      return loadMasked(colMask, x + iy * s.w, -pl);
    };
    for (int64_t oy = 0; oy < s.outH; oy += 2) {
      const bool two = oy + 1 < s.outH;
      const int64_t top = 2 * oy - s.padTop;
      __m512 r[5];
      for (int k = 0; k < 5; ++k) r[k] = (k < 3 || two) ? row(top + k) : _mm512_setzero_ps();
      __m512 acc0 = bv, acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps();
      for (int ky = 0; ky < 3; ++ky) {
        const __m512 a = r[ky], b = r[ky + 2];
        acc0 = _mm512_fmadd_ps(_mm512_permutex2var_ps(a, ix0, b), wv[ky * 3], acc0);
        acc1 = _mm512_fmadd_ps(_mm512_permutex2var_ps(a, ix1, b), wv[ky * 3 + 1], acc1);
        acc2 = _mm512_fmadd_ps(_mm512_permutex2var_ps(a, ix2, b), wv[ky * 3 + 2], acc2);
      }
      const __m512 acc = activate(_mm512_add_ps(_mm512_add_ps(acc0, acc1), acc2), relu, clamp, cv);
      const int64_t lanes = two ? 2 * outW : outW;
      _mm512_mask_storeu_ps(y + oy * outW, static_cast<__mmask16>((1u << lanes) - 1u), acc);
    }
  }
}

bool narrowS2Suits(const Conv2dShape& s) {
  return s.strideH == 2 && s.strideW == 2 && s.outW <= 7 && s.w + s.padLeft <= 16 && narrowS2On();
}

}  // namespace

bool dw3x3Avx512Eligible(const Conv2dShape& s) {
  if (s.kh != 3 || s.kw != 3 || s.dilationH != 1 || s.dilationW != 1) return false;
  if (s.strideH == 1 && s.strideW == 1) return s.outW == s.w;
  return s.strideH == 2 && s.strideW == 2;
}

int64_t dw3x3Avx512MaskCount(const Conv2dShape& s) {
  if (s.strideH != 1 || s.outW >= kRowModeMinW) return 0;
  return (s.outH * s.outW + 15) / 16 * kMasksPerChunk;
}

void dw3x3Avx512Masks(const Conv2dShape& s, uint16_t* masks) {
  const int64_t npix = s.outH * s.outW;
  const int64_t chunks = (npix + 15) / 16;
  for (int64_t c = 0; c < chunks; ++c) {
    uint16_t* m = masks + c * kMasksPerChunk;
    for (int i = 0; i < kMasksPerChunk; ++i) m[i] = 0;
    for (int l = 0; l < 16; ++l) {
      const int64_t p = c * 16 + l;
      if (p >= npix) break;
      const int64_t oy = p / s.outW, ox = p % s.outW;
      const uint16_t bit = static_cast<uint16_t>(1u << l);
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) {
          const int64_t iy = oy - s.padTop + ky, ix = ox - s.padLeft + kx;
          if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) m[ky * 3 + kx] |= bit;
        }
      m[9] |= bit;
    }
  }
}

bool dw3x3Avx512PairEligible(const Conv2dShape& s) {
  return s.strideH == 1 && s.outW < kRowModeMinW;
}

bool gridSuits(const Conv2dShape& s) {
  return gridOn() && s.strideH == 1 && s.strideW == 1 && s.padTop == 1 && s.padLeft == 1 &&
         s.outH == s.h && s.outW == s.w && (s.w == 28 || s.w == 14 || s.w == 7 || s.w == 56);
}

bool dw3x3Avx512PlanesEligible(const Conv2dShape& s) { return gridSuits(s) || narrowS2Suits(s); }

void dw3x3PlanesAvx512(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                       const float* bias, bool relu, float clampMax, float* out, int64_t outStride,
                       int64_t count) {
  if (s.strideH == 2) planes3x3s2Narrow(s, in, inStride, w, bias, relu, clampMax, out, outStride, count);
  else if (s.w == 28) planes3x3s1Grid<28>(s, in, inStride, w, bias, relu, clampMax, out, outStride, count);
  else if (s.w == 14) planes3x3s1Grid<14>(s, in, inStride, w, bias, relu, clampMax, out, outStride, count);
  else if (s.w == 56) planes3x3s1Grid<56>(s, in, inStride, w, bias, relu, clampMax, out, outStride, count);
  else planes3x3s1Grid<7>(s, in, inStride, w, bias, relu, clampMax, out, outStride, count);
}

void dw3x3PairAvx512(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                     const float* bias, bool relu, float clampMax, const uint16_t* masks,
                     float* out, int64_t outStride) {
  plane3x3s1Pair(s, in, inStride, w, bias, relu, clampMax, masks, out, outStride);
}

void dw3x3PlaneAvx512(const Conv2dShape& s, const float* in, const float* w, float bias,
                      bool relu, float clampMax, const uint16_t* masks, float* out) {
  if (s.strideH == 1 && s.outW >= kRowModeMinW) plane3x3s1Rows(s, in, w, bias, relu, clampMax, out);
  else if (s.strideH == 1) plane3x3s1(s, in, w, bias, relu, clampMax, masks, out);
  else if (narrowS2Suits(s)) planes3x3s2Narrow(s, in, 0, w, &bias, relu, clampMax, out, 0, 1);
  else if (s2PairsSuits(s)) plane3x3s2Pairs(s, in, w, bias, relu, clampMax, out);
  else plane3x3s2(s, in, w, bias, relu, clampMax, out);
}

}  // namespace convnode
#endif
