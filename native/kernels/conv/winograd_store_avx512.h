// Shared by winograd43_avx512.cc and winograd22_avx512.cc (included after their AVX-512
// `#pragma GCC target`): writing one output row's worth of a vector of tiles into the plane.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace convnode {
namespace {

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
