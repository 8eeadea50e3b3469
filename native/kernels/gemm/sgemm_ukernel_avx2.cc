// AVX2+FMA SGEMM micro-kernel 6x16 and packing. 6 rows x 2 ymm = 12 accumulators (FMA latency
// 4 x 2 pipes needs >= 8 chains), 2 B loads + 6 broadcasts per 12 FMAs; 16 ymm registers in
// total, so the tile cannot grow further without spilling.
#if defined(__x86_64__)
// Headers first: inline functions they define must not be compiled for the target ISA (the
// linker could then keep that copy for baseline callers).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/sgemm_ukernel.h"

#pragma GCC target("avx2,fma")

#include "kernels/gemm/sgemm_pack.inl"
#include "kernels/gemm/sgemm_ukernel.h"

namespace convnode {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

inline __m256i tailMask(int64_t nr, int v) {
  int64_t left = nr - 8 * v;
  if (left > 8) left = 8;
  if (left < 0) left = 0;
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left)), idx);
}

// AIN: A read in place (row i at a + i * p.aStride) instead of from a packed 6-wide panel.
template <bool AIN>
void ukernelImpl(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
                 int64_t nr, const GemmUkParams& p) {
  __m256 acc[kMr][2];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  // C rows are ldc apart: prefetch them while the k loop runs (as the AVX-512 kernel).
  for (int i = 0; i < kMr; ++i) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + kNr - 1), _MM_HINT_T0);
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    // A ~3 KB ahead into L2, for plans streaming cold prepacked weights (see the AVX-512
    // kernel): ResNet-18 plan, CONVNODE_ISA=avx2, 1 thread (2026-11-25) 23.1 -> 22.0 ms; hot
    // GEMMs (1024^3, 256x2304x196, 64x576x3136) unchanged within noise.
    if (!AIN) _mm_prefetch(reinterpret_cast<const char*>(a + 128 * kMr), _MM_HINT_T1);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m256 ai = _mm256_broadcast_ss(AIN ? a + i * p.aStride : a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += AIN ? 1 : kMr;
    b += kNr;
  }
  // Spill the tile once, so the clipped store loop below (runtime mr) indexes memory and the
  // compiler keeps the accumulators in registers throughout the k loop.
  alignas(32) float tile[kMr][kNr];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i) {
    _mm256_store_ps(tile[i], acc[i][0]);
    _mm256_store_ps(tile[i] + 8, acc[i][1]);
  }
  const __m256i mask[2] = {tailMask(nr, 0), tailMask(nr, 1)};
  const __m256 alpha = _mm256_set1_ps(p.alpha);
  const __m256 beta = _mm256_set1_ps(p.beta);
  const __m256 zero = _mm256_setzero_ps();
  __m256 cb[2];
  for (int v = 0; v < 2; ++v)
    cb[v] = p.colBias ? _mm256_maskload_ps(p.colBias + 8 * v, mask[v]) : zero;
  for (int i = 0; i < kMr; ++i) {
    if (i >= mr) break;
    float* crow = c + i * ldc;
    const __m256 rb = _mm256_set1_ps(p.rowBias ? p.rowBias[i] : 0.0f);
    for (int v = 0; v < 2; ++v) {
      __m256 r = _mm256_mul_ps(_mm256_load_ps(tile[i] + 8 * v), alpha);
      if (p.beta != 0.0f) r = _mm256_fmadd_ps(beta, _mm256_maskload_ps(crow + 8 * v, mask[v]), r);
      r = _mm256_add_ps(r, _mm256_add_ps(rb, cb[v]));
      if (p.relu) r = _mm256_max_ps(zero, r);
      if (p.clamp) r = _mm256_min_ps(_mm256_set1_ps(p.clampMax), r);  // min(c, NaN) = NaN
      _mm256_maskstore_ps(crow + 8 * v, mask[v], r);
    }
  }
}

void ukernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
             int64_t nr, const GemmUkParams& p) {
  ukernelImpl<false>(kc, a, b, c, ldc, mr, nr, p);
}
// A read in place for narrow products (sgemm.cc kAInPlaceMaxCols), as on AVX-512: 6 row streams
// of A, each line used for 16 k steps, instead of packing A once per column block.
// CONVNODE_ISA=avx2, 1 thread, medians of 300 (2026-11-25), packed -> in place: 512x49x4608
// 2.45 -> 2.28 ms, 2048x49x512 1.11 -> 1.02, 1024x64x1024 1.14 -> 1.08, 512x96x1024 0.87 ->
// 0.81, 512x48x2048 0.85 -> 0.79, 512x80x1024 0.71 vs 0.71; eager 1x1/s2 1024->2048 @14
// 2.38 -> 2.10 ms (batch 1), 17.7 -> 16.9 (batch 8); 3x3/s2 512->512 @14 even.
void ukernelAInPlace(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                     int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelImpl<true>(kc, a, b, c, ldc, mr, nr, p);
}

// 8 x 8 transpose of the rows r[0..7] in place (32-bit, 64-bit, then 128-bit interleaves).
inline void transpose8x8(__m256 r[8]) {
  __m256 t[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // r[4i + 2h + j]: rows 4i..4i+3 of column 4L + 2h + j in 128-bit lane L.
  for (int i = 0; i < 2; ++i)
    for (int h = 0; h < 2; ++h) {
      const __m256d x = _mm256_castps_pd(t[4 * i + h]), y = _mm256_castps_pd(t[4 * i + h + 2]);
      r[4 * i + 2 * h] = _mm256_castpd_ps(_mm256_unpacklo_pd(x, y));
      r[4 * i + 2 * h + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(x, y));
    }
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x20);
    t[4 + j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x31);
  }
  for (int j = 0; j < 8; ++j) r[j] = t[j];
}

inline __m256i laneMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Register-transpose packing (sgemm_pack.inl packATransposed) with 8 x 8 blocks. AVX2 kernels
// on the Zen 5 dev machine, 1 thread (2026-11-25): 1024 x 1024 in 6-row panels 0.210 ->
// 0.087-0.090 ms (min of 100) against the scalar gather; SGEMM 512x49x4608 2.83 -> 2.57 ms,
// 256^3 and 1024^3 unchanged (medians); eager 1x1 2048->512 @7 1.21 -> 1.09 ms, 3x3/s2 512 @14
// 2.54 -> 2.31 (min of 15).
struct Transpose8 {
  static constexpr int kWidth = 8;
  using Vec = __m256;
  using Mask = __m256i;
  static Mask mask(int n) { return laneMask(n); }
  static Vec load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Mask m, Vec v) { _mm256_maskstore_ps(p, m, v); }
  static Vec zero() { return _mm256_setzero_ps(); }
  static void transpose(Vec* r) { transpose8x8(r); }
};
template <int MR>
void packATransposing(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
                      int64_t kc, float* dst) {
  packATransposed<MR, Transpose8>(a, lda, trans, i0, p0, mc, kc, dst);
}

void packA(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
           int64_t kc, float* dst) {
  packATransposing<kMr>(a, lda, trans, i0, p0, mc, kc, dst);
}
void packB(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
           int64_t nc, float* dst) {
  packBTransposed<kNr, Transpose8>(b, ldb, trans, p0, j0, kc, nc, dst);
}

}  // namespace

void f32_gemm_ukernel_6x16__avx2_fma(int64_t kc, const float* a, const float* b, float* c,
                                     int64_t ldc, int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernel(kc, a, b, c, ldc, mr, nr, p);
}

const GemmKernelTable* gemmTableAvx2() {
  // kc x 16 B panel = 32 KiB at kc=512, still in L1; mc x kc A block = 240 KiB in L2. kc=512
  // rather than 256 halves the passes over C. CONVNODE_ISA=avx2 on the Zen 5 VM, 1 thread,
  // medians of alternating processes (2026-11-25), kc 256 -> 512: 1024^3 16.94-17.50 ->
  // 16.60-16.67 ms, 512^3 2.18-2.19 -> 2.16, 256x196x2304 2.26 -> 2.20-2.24, 512x49x4608
  // 2.47-2.48 -> 2.43-2.45, 64x3136x576 2.67-2.71 -> 2.65-2.67; 256^3 and whole plans even.
  static const GemmKernelTable table = {"f32_gemm_ukernel_6x16__avx2_fma", kMr, kNr, 120, 512,
                                        2048, f32_gemm_ukernel_6x16__avx2_fma, packA, packB, dotImpl, axpyImpl, dot4Impl,
                                        nullptr, false, ukernelAInPlace};
  return &table;
}

bool packRowPanels16Avx2(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst) {
  packATransposing<16>(a, lda, false, 0, 0, rows, k, dst);
  return true;
}

}  // namespace convnode
#else
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/sgemm_ukernel.h"
namespace convnode {
const GemmKernelTable* gemmTableAvx2() { return nullptr; }
bool packRowPanels16Avx2(const float*, int64_t, int64_t, int64_t, float*) { return false; }
}  // namespace convnode
#endif
