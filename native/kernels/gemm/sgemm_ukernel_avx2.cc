// AVX2+FMA SGEMM micro-kernel 6x16 and packing. 6 rows x 2 ymm = 12 accumulators (FMA latency
// 4 x 2 pipes needs >= 8 chains), 2 B loads + 6 broadcasts per 12 FMAs; 16 ymm registers in
// total, so the tile cannot grow further without spilling.
#if defined(__x86_64__)
// Headers first: inline functions they define must not be compiled for the target ISA (the
// linker could then keep that copy for baseline callers).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

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

void ukernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
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
    _mm_prefetch(reinterpret_cast<const char*>(a + 128 * kMr), _MM_HINT_T1);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMr;
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

void packA(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
           int64_t kc, float* dst) {
  packAImpl<kMr>(a, lda, trans, i0, p0, mc, kc, dst);
}
void packB(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
           int64_t nc, float* dst) {
  packBImpl<kNr>(b, ldb, trans, p0, j0, kc, nc, dst);
}

}  // namespace

void f32_gemm_ukernel_6x16__avx2_fma(int64_t kc, const float* a, const float* b, float* c,
                                     int64_t ldc, int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernel(kc, a, b, c, ldc, mr, nr, p);
}

const GemmKernelTable* gemmTableAvx2() {
  // kc x 16 B panel = 16 KiB at kc=256 in L1; mc x kc A block = 120 KiB in L2.
  static const GemmKernelTable table = {"f32_gemm_ukernel_6x16__avx2_fma", kMr, kNr, 120, 256,
                                        2048, f32_gemm_ukernel_6x16__avx2_fma, packA, packB, dotImpl, axpyImpl, dot4Impl};
  return &table;
}

}  // namespace convnode
#else
#include "kernels/gemm/sgemm_ukernel.h"
namespace convnode {
const GemmKernelTable* gemmTableAvx2() { return nullptr; }
}  // namespace convnode
#endif
