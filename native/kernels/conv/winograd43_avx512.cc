// Winograd F(4x4,3x3) input/output transforms compiled for avx512 (tiles as vector lanes).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
// GCC 12 flags _mm512_undefined_ps() placeholders inside some intrinsics as maybe-uninitialized
// (a false positive, as in sgemm_ukernel_avx512.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace convnode {
namespace {
void wino43InputTilesAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                            int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                            int64_t ldv, float* tmp);
void wino43InputRowsAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                           int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                           int64_t ldv, float* tmp);
void wino43InputAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                       int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv, float* tmp);
void wino43OutputTilesAvx512(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                             float bias, float* y, int64_t outH, int64_t outW, bool accumulate,
                             bool relu, float clampMax);
void wino43OutputTilesTAvx512(const float* m, int64_t ldm, int64_t ldt, int64_t nch,
                              const float* bias, int64_t ty0, int64_t nrows, int64_t tw, float* y,
                              int64_t planeOut, int64_t outH, int64_t outW, bool accumulate,
                              bool relu, float clampMax);
}  // namespace
}  // namespace convnode

#define WINO_TABLE_NAME wino43Avx512
#define WINO_INPUT_TILES wino43InputAvx512
#define WINO_OUTPUT_TILES wino43OutputTilesAvx512
#define WINO_OUTPUT_TILES_T wino43OutputTilesTAvx512
#include "kernels/conv/winograd43.inl"
#include "kernels/conv/winograd_avx512.h"

namespace convnode {
namespace {

// B^T d along one axis (winograd43.inl's WINO_BT) on 16 tiles at once.
inline void bt6(const __m512* d, __m512* t) {
  const __m512 d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3], d4 = d[4], d5 = d[5];
  const __m512 four = _mm512_set1_ps(4.0f), five = _mm512_set1_ps(5.0f), two = _mm512_set1_ps(2.0f);
  t[0] = _mm512_fmadd_ps(four, d0, _mm512_fnmadd_ps(five, d2, d4));
  t[1] = _mm512_fnmadd_ps(four, _mm512_add_ps(d1, d2), _mm512_add_ps(d3, d4));
  t[2] = _mm512_fmadd_ps(four, _mm512_sub_ps(d1, d2), _mm512_sub_ps(d4, d3));
  t[3] = _mm512_fmadd_ps(two, _mm512_sub_ps(d3, d1), _mm512_sub_ps(d4, d2));
  t[4] = _mm512_fmadd_ps(two, _mm512_sub_ps(d1, d3), _mm512_sub_ps(d4, d2));
  t[5] = _mm512_fmadd_ps(four, d1, _mm512_fnmadd_ps(five, d3, d5));
}

// o = A^T r along one axis (winograd43.inl's WINO_AT) on 16 lanes, + bias when BIAS.
template <bool BIAS>
inline void at6(const __m512* r, __m512 bias, __m512* o) {
  const __m512 p12 = _mm512_add_ps(r[1], r[2]), q12 = _mm512_sub_ps(r[1], r[2]);
  const __m512 p34 = _mm512_add_ps(r[3], r[4]), q34 = _mm512_sub_ps(r[3], r[4]);
  o[0] = _mm512_add_ps(_mm512_add_ps(r[0], p12), p34);
  o[1] = _mm512_fmadd_ps(_mm512_set1_ps(2.0f), q34, q12);
  o[2] = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), p34, p12);
  o[3] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8.0f), q34, q12), r[5]);
  if (BIAS)
    for (int j = 0; j < 4; ++j) o[j] = _mm512_add_ps(o[j], bias);
}

// The input transform, 6x6 windows gathered (winoInputTilesGathered). Replaces the row and
// plane variants of winograd43.inl, which copy each row into a padded buffer and then run 4-5
// auto-vectorized passes.
void wino43InputTilesAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                            int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                            int64_t ldv, float* /*tmp*/) {
  winoInputTilesGathered<6, 4, bt6>(plane, h, w, padTop, padLeft, ty0, nrows, tw, v, ldv);
}

// The same contract, tiles of one tile row at a time (16 per pass): the six input rows of the
// tile row are read with masked loads straight from the plane (masked-off lanes are the zero
// padding), the vertical pass of B^T runs on whole rows, and the stride-4 tile columns come out
// of two lane permutes and a blend per phase (columns 4tx+4 and 4tx+5 are phases 0 and 1 moved
// by one tile). Gathers (above) cost ~20 cycles per 16 lanes here, 36 per pass.
void wino43InputRowsAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                           int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                           int64_t ldv, float* /*tmp*/) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i wv = _mm512_set1_epi32(static_cast<int32_t>(w));
  const __m512i zero = _mm512_setzero_si512();
  // idx[c] picks phase c of tiles 0..7 of a 32-column pair of vectors, in lanes 0..7 and again
  // in lanes 8..15: a blend of two permutes then gives the phase of 16 tiles.
  __m512i idx[4];
  for (int c = 0; c < 4; ++c) {
    alignas(64) int32_t lanes[16];
    for (int l = 0; l < 16; ++l) lanes[l] = 4 * (l & 7) + c;
    idx[c] = _mm512_load_si512(lanes);
  }
  alignas(64) float Wbuf[6][5][16];  // vertical pass: Wbuf[i][q] = B^T[i] . rows[.][16q ..]
  for (int64_t j = 0; j < nrows; ++j) {
    const int64_t iyTop = 4 * (ty0 + j) - padTop;
    for (int64_t tx0 = 0; tx0 < tw; tx0 += 16) {
      const int64_t cnt = std::min<int64_t>(16, tw - tx0);
      const __mmask16 live = static_cast<__mmask16>(cnt == 16 ? 0xffff : (1u << cnt) - 1);
      const int64_t col0 = 4 * tx0 - padLeft;
      __mmask16 colOk[5];
      for (int q = 0; q < 5; ++q) {
        const __m512i ci = _mm512_add_epi32(iota, _mm512_set1_epi32(static_cast<int32_t>(col0 + 16 * q)));
        colOk[q] = _mm512_mask_cmplt_epi32_mask(_mm512_cmpge_epi32_mask(ci, zero), ci, wv);
      }
      for (int q = 0; q < 5; ++q) {
        __m512 d[6];
        for (int r = 0; r < 6; ++r) {
          const int64_t iy = iyTop + r;
          d[r] = (iy < 0 || iy >= h) ? _mm512_setzero_ps()
                                     : _mm512_maskz_loadu_ps(colOk[q], plane + iy * w + col0 + 16 * q);
        }
        __m512 t[6];
        bt6(d, t);
        for (int i = 0; i < 6; ++i) _mm512_store_ps(Wbuf[i][q], t[i]);
      }
      float* vt = v + j * tw + tx0;
      for (int i = 0; i < 6; ++i) {
        const __m512 a0 = _mm512_load_ps(Wbuf[i][0]), a1 = _mm512_load_ps(Wbuf[i][1]);
        const __m512 a2 = _mm512_load_ps(Wbuf[i][2]), a3 = _mm512_load_ps(Wbuf[i][3]);
        const __m512 a4 = _mm512_load_ps(Wbuf[i][4]);
        __m512 p[6];
        for (int c = 0; c < 4; ++c)
          p[c] = _mm512_mask_mov_ps(_mm512_permutex2var_ps(a0, idx[c], a1), 0xff00,
                                    _mm512_permutex2var_ps(a2, idx[c], a3));
        p[4] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(a4), _mm512_castps_si512(p[0]), 1));
        const __m512i a4s = _mm512_alignr_epi32(_mm512_castps_si512(a4), _mm512_castps_si512(a4), 1);
        p[5] = _mm512_castsi512_ps(_mm512_alignr_epi32(a4s, _mm512_castps_si512(p[1]), 1));
        __m512 o[6];
        bt6(p, o);
        for (int k = 0; k < 6; ++k) _mm512_mask_storeu_ps(vt + (i * 6 + k) * ldv, live, o[k]);
      }
    }
  }
}

// Output transform, 16 tiles per pass: Y = A^T M A in registers (+ bias), the four columns of
// each tile interleaved back into rows by two levels of lane permutes, then stored into the
// plane with the fused epilogue (winoStoreTileRow). Replaces winograd43.inl's passes through a
// scratch row and the separate fused-store pass.
void wino43OutputTilesAvx512(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                             float bias, float* y, int64_t outH, int64_t outW, bool accumulate,
                             bool relu, float clampMax) {
  const int64_t n = nrows * tw;
  const __m512 biasV = _mm512_set1_ps(bias);
  // Level 1: [o_a[0..7], o_b[0..7]] (half 0) or [o_a[8..15], o_b[8..15]] (half 1).
  // Level 2: out[4t + q] = o_q[4k + t] for the four tiles 4k..4k+3 of a half (k = 0, 1).
  alignas(64) int32_t l1[2][16], l2[2][16];
  for (int l = 0; l < 16; ++l) {
    for (int h = 0; h < 2; ++h) l1[h][l] = 8 * h + (l < 8 ? l : 16 + l - 8);
    for (int k = 0; k < 2; ++k) l2[k][l] = 8 * (l % 4) + 4 * k + l / 4;
  }
  const __m512i i1[2] = {_mm512_load_si512(l1[0]), _mm512_load_si512(l1[1])};
  const __m512i i2[2] = {_mm512_load_si512(l2[0]), _mm512_load_si512(l2[1])};
  for (int64_t t0 = 0; t0 < n; t0 += 16) {
    const int64_t cnt = std::min<int64_t>(16, n - t0);
    const __mmask16 live = static_cast<__mmask16>(cnt == 16 ? 0xffff : (1u << cnt) - 1);
    __m512 S[4][6];  // S[j][c] = A^T[j] . m[(.)*6 + c]
    for (int c = 0; c < 6; ++c) {
      __m512 r[6];
      for (int q = 0; q < 6; ++q) r[q] = _mm512_maskz_loadu_ps(live, m + (q * 6 + c) * ldm + t0);
      __m512 col[4];
      at6<false>(r, biasV, col);
      for (int j = 0; j < 4; ++j) S[j][c] = col[j];
    }
    for (int j = 0; j < 4; ++j) {
      __m512 o[4];
      at6<true>(S[j], biasV, o);
      for (int h = 0; h < 2; ++h) {
        if (8 * h >= cnt) break;
        const __m512 x01 = _mm512_permutex2var_ps(o[0], i1[h], o[1]);
        const __m512 x23 = _mm512_permutex2var_ps(o[2], i1[h], o[3]);
        for (int k = 0; k < 2; ++k) {
          const int64_t first = 8 * h + 4 * k;
          if (first >= cnt) break;
          winoStoreTileRow(_mm512_permutex2var_ps(x01, i2[k], x23), t0 + first,
                           std::min<int64_t>(4, cnt - first), 4, j, tw, ty0, y, outH, outW,
                           accumulate, relu, clampMax);
        }
      }
    }
  }
}

// r[k] -> r[c] (lane k): a 16 x 16 transpose in three rounds of lane shuffles (32-bit pairs,
// 64-bit pairs, then 128-bit quarters).
inline void transpose16(__m512* r) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  __m512 u[16];  // u[4i + c]: quarter L = column 4L + c of rows 4i .. 4i+3
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 1]), d = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  for (int c = 0; c < 4; ++c) {
    const __m512 a02 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);   // quarters 0, 2
    const __m512 b02 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 a13 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xdd);   // quarters 1, 3
    const __m512 b13 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xdd);
    r[c] = _mm512_shuffle_f32x4(a02, b02, 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(a02, b02, 0xdd);
    r[4 + c] = _mm512_shuffle_f32x4(a13, b13, 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(a13, b13, 0xdd);
  }
}

// Output transform from the transposed products (M^T), 16 channels as the lanes: Y = A^T M A
// (+ bias) gives a tile's 16 outputs as 16 vectors of channels; a transpose turns them into one
// vector per channel (its quarters are the tile's 4 output rows). Four horizontally adjacent
// tiles are kept per channel, so each output row is stored as one 16-column vector (with the
// fused epilogue, masked at the right edge) rather than four 4-column pieces. 3x3 64->64 @56:
// 72 -> ~50 us.
void wino43OutputTilesTAvx512(const float* m, int64_t ldm, int64_t ldt, int64_t nch,
                              const float* bias, int64_t ty0, int64_t nrows, int64_t tw, float* y,
                              int64_t planeOut, int64_t outH, int64_t outW, bool accumulate,
                              bool relu, float clampMax) {
  const __mmask16 chMask = static_cast<__mmask16>(nch >= 16 ? 0xffff : (1u << nch) - 1);
  const __m512 biasV = bias ? _mm512_maskz_loadu_ps(chMask, bias) : _mm512_setzero_ps();
  const __m512 zero = _mm512_setzero_ps(), clampV = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
  alignas(64) float group[16][4][16];  // [channel][tile of the group][its 16 outputs]
  for (int64_t tj = 0; tj < nrows; ++tj) {
    for (int64_t tx0 = 0; tx0 < tw; tx0 += 4) {
      const int64_t g = std::min<int64_t>(4, tw - tx0);
      for (int64_t i = 0; i < g; ++i) {
        const float* mt = m + (tj * tw + tx0 + i) * ldt;
        __m512 S[4][6];
        for (int c = 0; c < 6; ++c) {
          __m512 r[6];
          for (int q = 0; q < 6; ++q) r[q] = _mm512_maskz_loadu_ps(chMask, mt + (q * 6 + c) * ldm);
          __m512 col[4];
          at6<false>(r, biasV, col);
          for (int j = 0; j < 4; ++j) S[j][c] = col[j];
        }
        __m512 o[16];  // o[4j + q]: output (row j, column q) of the tile, lanes = channels
        for (int j = 0; j < 4; ++j) at6<true>(S[j], biasV, o + 4 * j);
        transpose16(o);  // o[ch]: quarter j = output row j of channel ch
        for (int64_t ch = 0; ch < nch; ++ch) _mm512_store_ps(group[ch][i], o[ch]);
      }
      // Row j of the group, per channel: quarter j of each of its tiles, side by side.
      const int64_t cols = std::min<int64_t>(4 * g, outW - 4 * tx0);
      const __mmask16 colMask = static_cast<__mmask16>(cols >= 16 ? 0xffff : (1u << cols) - 1);
      const int64_t rows = std::min<int64_t>(4, outH - 4 * (ty0 + tj));
      float* base = y + 4 * (ty0 + tj) * outW + 4 * tx0;
      for (int64_t ch = 0; ch < nch; ++ch) {
        const __m512 t0 = _mm512_load_ps(group[ch][0]), t1 = _mm512_load_ps(group[ch][1]);
        const __m512 t2 = _mm512_load_ps(group[ch][2]), t3 = _mm512_load_ps(group[ch][3]);
        __m512 row[4];
        // shuffle_f32x4 picks quarters by constant: [t0.j, t0.j, t1.j, t1.j], then [., ., t2/3.j].
#define WINO_ROW(J)                                                                        \
  {                                                                                        \
    const __m512 a = _mm512_shuffle_f32x4(t0, t1, (J) | ((J) << 2) | ((J) << 4) | ((J) << 6)); \
    const __m512 b = _mm512_shuffle_f32x4(t2, t3, (J) | ((J) << 2) | ((J) << 4) | ((J) << 6)); \
    row[J] = _mm512_shuffle_f32x4(a, b, 0x88);                                             \
  }
        WINO_ROW(0)
        WINO_ROW(1)
        WINO_ROW(2)
        WINO_ROW(3)
#undef WINO_ROW
        float* dstCh = base + ch * planeOut;
        for (int64_t j = 0; j < rows; ++j) {
          __m512 v = row[j];
          float* dst = dstCh + j * outW;
          if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(colMask, dst));
          if (relu) v = _mm512_max_ps(zero, v);
          if (clamp) v = _mm512_min_ps(clampV, v);
          _mm512_mask_storeu_ps(dst, colMask, v);
        }
      }
    }
  }
}

// Tile rows of >= 7 tiles: the row variant. Fewer (14x14 and below: 4 tiles a row): gathers, so
// that each store covers 16 tiles; the row variant's 4-lane stores, 36 rows of V apart (16 KB
// at 256 channels, one L1 set), took 245 us for 3x3 256->256 @14 against 49 us gathered.
void wino43InputAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                       int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv, float* tmp) {
  if (tw >= 7) wino43InputRowsAvx512(plane, h, w, padTop, padLeft, ty0, nrows, tw, v, ldv, tmp);
  else wino43InputTilesAvx512(plane, h, w, padTop, padLeft, ty0, nrows, tw, v, ldv, tmp);
}

}  // namespace
}  // namespace convnode
#endif
