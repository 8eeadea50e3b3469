// Shared by winograd43_avx512.cc and winograd22_avx512.cc (included after their AVX-512
// `#pragma GCC target`): reading 16 tiles' input windows with masked gathers, and writing one
// output row's worth of a vector of tiles into the plane.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace convnode {
namespace {

// Where 16 tiles t0 .. t0+15 (t = j*tw + tx: tile row ty0 + j, column tx; m outputs a side)
// read their ALPHA x ALPHA input windows from an h x w plane, for masked gathers: row r of
// every window at rowOff[r] + ix0 + c (column c), lanes outside the plane (the padding) or past
// the last tile (t >= n) masked off.
template <int ALPHA>
struct WinoTileWindows {
  __mmask16 live;
  __mmask16 rowOk[ALPHA];
  __m512i rowOff[ALPHA];
  __m512i ix0, wv;

  WinoTileWindows(int m, int64_t t0, int64_t n, int64_t tw, int64_t ty0, int64_t h, int64_t w,
                  int64_t padTop, int64_t padLeft) {
    const int64_t cnt = std::min<int64_t>(16, n - t0);
    live = static_cast<__mmask16>(cnt == 16 ? 0xffff : (1u << cnt) - 1);
    alignas(64) int32_t iyb[16], ixb[16];
    for (int l = 0; l < 16; ++l) {
      const int64_t t = t0 + std::min<int64_t>(l, cnt - 1);
      iyb[l] = static_cast<int32_t>(m * (ty0 + t / tw) - padTop);
      ixb[l] = static_cast<int32_t>(m * (t % tw) - padLeft);
    }
    const __m512i iy0 = _mm512_load_si512(iyb), hv = _mm512_set1_epi32(static_cast<int32_t>(h));
    const __m512i zero = _mm512_setzero_si512();
    ix0 = _mm512_load_si512(ixb);
    wv = _mm512_set1_epi32(static_cast<int32_t>(w));
    for (int r = 0; r < ALPHA; ++r) {
      const __m512i iy = _mm512_add_epi32(iy0, _mm512_set1_epi32(r));
      rowOk[r] = _mm512_mask_cmplt_epi32_mask(_mm512_cmpge_epi32_mask(iy, zero), iy, hv) & live;
      rowOff[r] = _mm512_mullo_epi32(iy, wv);
    }
  }

  // d[r] = column c of row r of every window (0 outside the plane).
  void column(const float* plane, int c, __m512* d) const {
    const __m512i ix = _mm512_add_epi32(ix0, _mm512_set1_epi32(c));
    const __mmask16 colOk =
        _mm512_mask_cmplt_epi32_mask(_mm512_cmpge_epi32_mask(ix, _mm512_setzero_si512()), ix, wv);
    for (int r = 0; r < ALPHA; ++r)
      d[r] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), rowOk[r] & colOk,
                                      _mm512_add_epi32(rowOff[r], ix), plane, 4);
  }
};

// The gathered input transform of F(2x2) and F(4x4): tiles t = j*tw + tx (tile row ty0 + j,
// column tx; j < nrows), 16 tiles per pass, each ALPHA x ALPHA window (windows M apart) gathered
// straight from the unpadded plane (the padding is the masked-off lanes), V = B^T d B in
// registers with BT (B^T along one axis: t = BT(d) for ALPHA values per lane), and stored 16
// tiles at a time: no padded copy of the plane, no index table, no passes through memory.
template <int ALPHA, int M, void (*BT)(const __m512*, __m512*)>
inline void winoInputTilesGathered(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                                   int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv) {
  const int64_t n = nrows * tw;
  for (int64_t t0 = 0; t0 < n; t0 += 16) {
    const WinoTileWindows<ALPHA> win(M, t0, n, tw, ty0, h, w, padTop, padLeft);
    __m512 W[ALPHA][ALPHA];  // W[i][c] = B^T[i] . d[.][c] (vertical pass), then the horizontal one
    for (int c = 0; c < ALPHA; ++c) {
      __m512 d[ALPHA], t[ALPHA];
      win.column(plane, c, d);
      BT(d, t);
      for (int i = 0; i < ALPHA; ++i) W[i][c] = t[i];
    }
    for (int i = 0; i < ALPHA; ++i) {
      __m512 o[ALPHA];
      BT(W[i], o);
      for (int k = 0; k < ALPHA; ++k) _mm512_mask_storeu_ps(v + (i * ALPHA + k) * ldv + t0, win.live, o[k]);
    }
  }
}

// `val` holds output row j of consecutive tiles tFirst, tFirst+1, ... (flattened t = j*tw + tx
// over the tile rows ty0.. of one plane), m lanes per tile, `tiles` of them live. Each run of
// those tiles inside one tile row is shifted down to lane 0 and stored with a column mask (the
// last tile of a row may hang over outW, the last tile row over outH); the residual add, ReLU
// (max(0, x), which keeps NaN as torch.relu) and clamp are applied on the way.
inline void winoStoreTileRow(__m512 val, int64_t tFirst, int64_t tiles, int m, int64_t j,
                             int64_t tw, int64_t ty0, float* y, int64_t outH, int64_t outW,
                             bool accumulate, bool relu, float clampMax) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int64_t t = tFirst, lane = 0;
  while (lane < m * tiles) {
    const int64_t tj = t / tw, tx = t % tw;
    const int64_t run = std::min<int64_t>(tw - tx, tiles - lane / m);
    const int64_t oy = m * (ty0 + tj) + j;
    const int64_t count = std::min<int64_t>(m * run, outW - m * tx);
    if (oy < outH && count > 0) {
      __m512 v = lane == 0 ? val : _mm512_permutexvar_ps(_mm512_add_epi32(iota, _mm512_set1_epi32(static_cast<int32_t>(lane))), val);
      const __mmask16 mask = static_cast<__mmask16>(count >= 16 ? 0xffff : (1u << count) - 1);
      float* dst = y + oy * outW + m * tx;
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, dst));
      if (relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);
      if (clampMax < __builtin_inff()) v = _mm512_min_ps(_mm512_set1_ps(clampMax), v);
      _mm512_mask_storeu_ps(dst, mask, v);
    }
    lane += m * run;
    t += run;
  }
}

}  // namespace
}  // namespace convnode
