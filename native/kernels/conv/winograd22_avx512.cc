// Winograd F(2x2,3x3) input/output transforms compiled for avx512 (tiles as vector lanes).
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
void wino22InputTilesAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                            int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                            int64_t ldv, float* tmp);
void wino22OutputTilesAvx512(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                             float bias, float* y, int64_t outH, int64_t outW, bool accumulate,
                             bool relu, float clampMax);
}  // namespace
}  // namespace convnode

#define WINO_TABLE_NAME wino22Avx512
#define WINO_INPUT_TILES wino22InputTilesAvx512
#define WINO_OUTPUT_TILES wino22OutputTilesAvx512
#include "kernels/conv/winograd22.inl"
#include "kernels/conv/winograd_avx512.h"

namespace convnode {
namespace {

// B^T d along one axis (winograd22.inl) on 16 tiles at once.
inline void bt4(const __m512* d, __m512* t) {
  t[0] = _mm512_sub_ps(d[0], d[2]);
  t[1] = _mm512_add_ps(d[1], d[2]);
  t[2] = _mm512_sub_ps(d[2], d[1]);
  t[3] = _mm512_sub_ps(d[1], d[3]);
}

// The input transform, 4x4 windows gathered (winoInputTilesGathered). 3x3 512->512 @7
// (16 tiles a channel), batch 1, 1 thread: the input transform 86 -> ~40 us against
// winograd22.inl's padded copy + index table + four passes through memory.
void wino22InputTilesAvx512(const float* plane, int64_t h, int64_t w, int64_t padTop,
                            int64_t padLeft, int64_t ty0, int64_t nrows, int64_t tw, float* v,
                            int64_t ldv, float* /*tmp*/) {
  winoInputTilesGathered<4, 2, bt4>(plane, h, w, padTop, padLeft, ty0, nrows, tw, v, ldv);
}

// Output transform, 16 tiles per pass: Y = A^T M A in registers (+ bias), each output row's two
// columns interleaved by one lane permute per 8 tiles, stored with the fused epilogue.
void wino22OutputTilesAvx512(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                             float bias, float* y, int64_t outH, int64_t outW, bool accumulate,
                             bool relu, float clampMax) {
  const int64_t n = nrows * tw;
  const __m512 biasV = _mm512_set1_ps(bias);
  alignas(64) int32_t lanes[2][16];  // out[2t + q] = o_q[8k + t], k = 0, 1
  for (int k = 0; k < 2; ++k)
    for (int l = 0; l < 16; ++l) lanes[k][l] = 16 * (l % 2) + 8 * k + l / 2;
  const __m512i idx[2] = {_mm512_load_si512(lanes[0]), _mm512_load_si512(lanes[1])};
  for (int64_t t0 = 0; t0 < n; t0 += 16) {
    const int64_t cnt = std::min<int64_t>(16, n - t0);
    const __mmask16 live = static_cast<__mmask16>(cnt == 16 ? 0xffff : (1u << cnt) - 1);
    __m512 S[2][4];  // S[j][c] = A^T[j] . m[(.)*4 + c]
    for (int c = 0; c < 4; ++c) {
      __m512 r[4];
      for (int q = 0; q < 4; ++q) r[q] = _mm512_maskz_loadu_ps(live, m + (q * 4 + c) * ldm + t0);
      S[0][c] = _mm512_add_ps(_mm512_add_ps(r[0], r[1]), r[2]);
      S[1][c] = _mm512_sub_ps(_mm512_sub_ps(r[1], r[2]), r[3]);
    }
    for (int j = 0; j < 2; ++j) {
      const __m512* c = S[j];
      const __m512 o0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c[0], c[1]), c[2]), biasV);
      const __m512 o1 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(c[1], c[2]), c[3]), biasV);
      for (int k = 0; k < 2; ++k) {
        if (8 * k >= cnt) break;
        winoStoreTileRow(_mm512_permutex2var_ps(o0, idx[k], o1), t0 + 8 * k,
                         std::min<int64_t>(8, cnt - 8 * k), 2, j, tw, ty0, y, outH, outW,
                         accumulate, relu, clampMax);
      }
    }
  }
}

}  // namespace
}  // namespace convnode
#endif
