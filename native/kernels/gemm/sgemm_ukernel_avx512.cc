// AVX-512 SGEMM micro-kernels and packing. Compiled for AVX-512 in this file only; the driver
// calls it through gemmTableAvx512() after cpuid said the CPU has it.
//
// Register tile MR x (16*NV): MR*NV zmm accumulators, NV zmm of B loaded per k step, MR
// broadcasts of A. 14x32 keeps 28 of the 32 zmm as accumulators (enough independent FMA
// chains to cover 2 FMA pipes x 4-cycle latency = 8 in flight, with margin) and needs 16
// loads per 28 FMAs, below Zen 5's two 512-bit loads per cycle.
#if defined(__x86_64__)
// Headers first: inline functions they define must not be compiled for the target ISA (the
// linker could then keep that copy for baseline callers).
// GCC 12's _mm512_max_ps expands _mm512_undefined_ps(), which -Wmaybe-uninitialized flags as a
// false positive (a self-initialized placeholder the mask never reads).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/sgemm_ukernel.h"

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

#include "kernels/gemm/sgemm_pack.inl"
#include "kernels/gemm/sgemm_ukernel.h"

namespace convnode {
namespace {

inline __mmask16 tailMask(int64_t nr, int v) {
  const int64_t left = nr - 16 * v;
  if (left >= 16) return 0xFFFF;
  if (left <= 0) return 0;
  return static_cast<__mmask16>((1u << left) - 1u);
}

// 16 x 16 transpose of the rows r[0..15] in place (4 stages: 32-bit, 64-bit, 128-bit, 256-bit
// interleaves).
inline void transpose16x16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    for (int h = 0; h < 2; ++h) {
      const __m512d x = _mm512_castps_pd(t[4 * i + h]), y = _mm512_castps_pd(t[4 * i + h + 2]);
      r[4 * i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
      r[4 * i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
    }
  }
  // r[4i + j] now holds, in each 128-bit lane L, rows 4i..4i+3 of column 4L + j.
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      t[8 * i + j] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + 4 + j], 0x88);
      t[8 * i + 4 + j] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + 4 + j], 0xDD);
    }
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
  }
}

// Register-transpose packing (sgemm_pack.inl packATransposed) with 16 x 16 blocks. 1024 x
// 1024 packed in 14-row panels, 1 thread (2026-11-25): 0.228 -> 0.096 ms against the scalar
// gather; A is packed once per column block of C, so 1024^3 SGEMM had spent 3.7% of its time
// packing.
struct Transpose16 {
  static constexpr int kWidth = 16;
  using Vec = __m512;
  using Mask = __mmask16;
  static Mask mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static Vec load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Mask m, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
  static Vec zero() { return _mm512_setzero_ps(); }
  static void transpose(Vec* r) { transpose16x16(r); }
};
template <int MR>
void packATransposing(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
                      int64_t kc, float* dst) {
  packATransposed<MR, Transpose16>(a, lda, trans, i0, p0, mc, kc, dst);
}

template <int NR>
void packBTransposing(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
                      int64_t nc, float* dst) {
  packBTransposed<NR, Transpose16>(b, ldb, trans, p0, j0, kc, nc, dst);
}

// NVB: zmm per k step in the packed B panel (its width / 16). A panel's last columns (nr <=
// 16 * (NV - 1): N = 196 leaves 4 columns in the last 32-wide panel, 4 in the last 48-wide one)
// run the same kernel with fewer B vectors, so the tail costs what it computes: 3x3 64->64
// @56 Winograd (64 x 196 x 64 products) fills 94% of its vectors instead of 82-88%.
// AIN: A read in place (row i at a + i * p.aStride) instead of from a packed MR-wide panel.
template <int MR, int NV, bool FAR = false, int NVB = NV, bool AIN = false>
void ukernelAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                   int64_t mr, int64_t nr, const GemmUkParams& p) {
  if constexpr (NV > 1) {
    if (nr <= 16 * (NV - 1)) return ukernelAvx512<MR, NV - 1, FAR, NVB, AIN>(kc, a, b, c, ldc, mr, nr, p);
  }
  constexpr int NR = 16 * NV;
  // B rows: NVB vectors apart in a packed panel, or p.bStride floats apart when the driver
  // hands B in place (unaligned rows, hence the unaligned loads: as fast on aligned data).
  const int64_t bStride = p.bStride ? p.bStride : 16 * NVB;
  __m512 acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();

  // Bring the C tile toward L1 while the k loop runs (its rows are ldc apart: 14 separate
  // lines that would otherwise miss at the store). Best of 9 at 1024^3 / 2048^3, 1 thread,
  // 4 alternating runs on the shared Zen 5 VM: 171-219 vs 115-200, 147-197 vs 134-179 GFLOP/s.
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NR - 1), _MM_HINT_T0);
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
    if (!AIN) _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MR), _MM_HINT_T0);
    if (FAR) {
      // Prepacked A (conv weights, Winograd U) streamed from DRAM/L3 once per call: the
      // hardware prefetcher alone leaves the kernel waiting on it. 64 k-steps ahead (3.5 KiB
      // for 14 rows, 7 KiB for 28), both lines a 28-row step reads. Measured (2026-11-25, 1
      // thread, caches flushed between calls, min of 60): 3x3 512->512 @7 Winograd F(2x2)
      // 1.07 -> 0.75 ms, im2col prepacked 1.65 -> 1.37 ms, F(4x4) 256->256 @14 0.73 -> 0.55
      // ms. Not on the default kernel: with A packed per call (already in L2) it cost 1.5% at
      // 1024^3 (242 -> 238 GFLOP/s). Non-temporal hint rather than into L2: a run streams each
      // layer's weights once (ResNet-18: ~50 MB of Winograd U for its three 512-channel layers),
      // and left in the caches they evicted the activations and scratch the next layers read.
      // Whole plans, builds interleaved (bench/ab-plan-builds.ts WHOLE, 1 thread, medians of
      // 150-200 runs, 2026-11-25): ResNet-18 9.04 -> 8.90, 8.99 -> 8.76, 8.87 -> 8.67, 9.85 ->
      // 9.64 ms; GoogLeNet 9.63 -> 9.53; VGG-16 68.8 -> 68.4; ResNet-50, MobileNetV2 and
      // AlexNet even. Each layer alone (weights staying in L3 between calls) is unchanged.
      _mm_prefetch(reinterpret_cast<const char*>(a + 64 * MR), _MM_HINT_NTA);
      if (MR * 4 > 64) _mm_prefetch(reinterpret_cast<const char*>(a + 64 * MR + 16), _MM_HINT_NTA);
    }
    if (p.farB) {
      // The same for a prepacked B panel (its 16*NVB floats a step, 32 steps ahead; past the
      // panel's end this reaches into the next one, which follows it in memory). 3x3 256->256
      // @14 Winograd with U^T as B, caches flushed before each call, 1 thread: see
      // conv_winograd.cc winoTransposed. Non-temporal for the same reason as A above (whole
      // plans, interleaved, medians of 150: ResNet-18 9.56 -> 9.24, 9.17 -> 9.12, 9.35 ->
      // 9.21, 8.67 -> 8.63 ms, GoogLeNet 8.85 -> 8.74, ResNet-50 even; each layer alone even).
#pragma GCC unroll 4
      for (int v = 0; v < NVB; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(b + 32 * bStride + 16 * v), _MM_HINT_NTA);
    }
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(AIN ? a[i * p.aStride] : a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += AIN ? 1 : MR;
    b += bStride;
  }

  // Spill the tile once, so the clipped store loop below (runtime mr) indexes memory and the
  // compiler keeps the accumulators in registers throughout the k loop.
  alignas(64) float tile[MR][NR];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_store_ps(tile[i] + 16 * v, acc[i][v]);
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) mask[v] = tailMask(nr, v);
  const __m512 alpha = _mm512_set1_ps(p.alpha);
  const __m512 beta = _mm512_set1_ps(p.beta);
  const __m512 zero = _mm512_setzero_ps();
  __m512 cb[NV];
  for (int v = 0; v < NV; ++v)
    cb[v] = p.colBias ? _mm512_maskz_loadu_ps(mask[v], p.colBias + 16 * v) : zero;
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    if (i >= mr) break;
    float* crow = c + i * ldc;
    const __m512 rb = _mm512_set1_ps(p.rowBias ? p.rowBias[i] : 0.0f);
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m512 r = _mm512_mul_ps(_mm512_load_ps(tile[i] + 16 * v), alpha);
      if (p.beta != 0.0f) r = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(mask[v], crow + 16 * v), r);
      r = _mm512_add_ps(r, _mm512_add_ps(rb, cb[v]));
      if (p.relu) r = _mm512_max_ps(zero, r);  // max(0, NaN) = NaN, as torch.relu
      if (p.clamp) r = _mm512_min_ps(_mm512_set1_ps(p.clampMax), r);  // min(c, NaN) = NaN
      _mm512_mask_storeu_ps(crow + 16 * v, mask[v], r);
    }
  }
}

constexpr int kMr = 14;
constexpr int kNv = 2;

void ukernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
             int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<kMr, kNv>(kc, a, b, c, ldc, mr, nr, p);
}
void packA(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
           int64_t kc, float* dst) {
  packATransposing<kMr>(a, lda, trans, i0, p0, mc, kc, dst);
}
void packB(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
           int64_t nc, float* dst) {
  packBTransposing<16 * kNv>(b, ldb, trans, p0, j0, kc, nc, dst);
}

}  // namespace

// Exported under XNNPACK-style names so profiles and tables say which kernel ran.
void f32_gemm_ukernel_14x32__avx512f(int64_t kc, const float* a, const float* b, float* c,
                                     int64_t ldc, int64_t mr, int64_t nr,
                                     const GemmUkParams& p) {
  ukernel(kc, a, b, c, ldc, mr, nr, p);
}
// The same with a far prefetch of A, for prepacked A streamed from memory (see FAR above).
static void ukernel14x32Stream(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<kMr, kNv, true>(kc, a, b, c, ldc, mr, nr, p);
}

// A read in place: 14 row streams of A, each line used for 16 k steps, instead of packing A.
// Packing reads and writes A once per column block, and with <= 3 column tiles (n <= 96) that
// pass costs more than it saves. 1 thread, medians of 200 (2026-11-25, /tmp harness, A and B
// row-major, B in place): 2048x49x512 0.582 -> 0.504 ms, 512x49x4608 1.36 -> 1.19, 1024x64x1024
// 0.590 -> 0.530, 512x96x1024 0.437 -> 0.402; 512x128x1024 0.563 vs 0.555, 512x196x1024 0.909
// vs 0.931 (even or worse from 4 column tiles on).
static void ukernel14x32AInPlace(int64_t kc, const float* a, const float* b, float* c,
                                 int64_t ldc, int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<kMr, kNv, false, kNv, true>(kc, a, b, c, ldc, mr, nr, p);
}

// Narrow variant for products with few columns (Winograd's per-image tile counts: 16 tiles at
// 14x14): 28 rows x 1 zmm keeps 28 accumulators with NR = 16, so N = 16 fills every lane where
// the 14x32 tile would leave half of them idle. One B load + 28 broadcasts per 28 FMAs is
// heavier on loads than 14x32 (16 per 28), so the driver picks it only when it fills tiles
// clearly better.
void f32_gemm_ukernel_28x16__avx512f(int64_t kc, const float* a, const float* b, float* c,
                                     int64_t ldc, int64_t mr, int64_t nr,
                                     const GemmUkParams& p) {
  ukernelAvx512<28, 1>(kc, a, b, c, ldc, mr, nr, p);
}
static void ukernel28x16Stream(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<28, 1, true>(kc, a, b, c, ldc, mr, nr, p);
}
static void packA28(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
             int64_t kc, float* dst) {
  packATransposing<28>(a, lda, trans, i0, p0, mc, kc, dst);
}
static void packB16(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
             int64_t nc, float* dst) {
  packBTransposing<16>(b, ldb, trans, p0, j0, kc, nc, dst);
}

static void ukernel8x48(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                        int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<8, 3>(kc, a, b, c, ldc, mr, nr, p);
}
static void ukernel8x48Stream(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                              int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernelAvx512<8, 3, true>(kc, a, b, c, ldc, mr, nr, p);
}
static void packA8(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
                   int64_t kc, float* dst) {
  packATransposing<8>(a, lda, trans, i0, p0, mc, kc, dst);
}
static void packB48(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
                    int64_t nc, float* dst) {
  packBTransposing<48>(b, ldb, trans, p0, j0, kc, nc, dst);
}
const GemmKernelTable* gemmTableAvx512Wide() {
  static const GemmKernelTable table = {"f32_gemm_ukernel_8x48__avx512f", 8, 48, 336, 256, 480,
                                        ukernel8x48, packA8, packB48, dotImpl, axpyImpl, dot4Impl,
                                        ukernel8x48Stream, true};
  return &table;
}

const GemmKernelTable* gemmTableAvx512Narrow() {
  static const GemmKernelTable table = {"f32_gemm_ukernel_28x16__avx512f", 28, 16, 336, 256, 512,
                                        f32_gemm_ukernel_28x16__avx512f, packA28, packB16, dotImpl, axpyImpl, dot4Impl,
                                        ukernel28x16Stream, true};
  return &table;
}

// The 14x32 kernel's table with cache blocks mc x kc (A) and nc (B columns).
static GemmKernelTable table14x32(int mc, int kc, int nc) {
  return {"f32_gemm_ukernel_14x32__avx512f", kMr, 16 * kNv, mc, kc, nc,
          f32_gemm_ukernel_14x32__avx512f, packA, packB, dotImpl, axpyImpl, dot4Impl,
          ukernel14x32Stream, true, ukernel14x32AInPlace};
}

const GemmKernelTable* gemmTableAvx512() {
  // Blocks (Zen 5: 48 KiB L1d, 1 MiB L2 per core): the kc x 32 B micro-panel (32 KiB at
  // kc=256) stays in L1 while the ir loop streams 14-row A panels from the mc x kc block
  // (mc=336: 336 KiB) held in L2. nc=512 measured 3-6% faster than 1024 or 2048 at 2048^3
  // (2026-11-24, Zen 5 VM, /tmp gemmbench, 1 thread).
  static const GemmKernelTable table = table14x32(336, 256, 512);
  return &table;
}

const GemmKernelTable* gemmTableAvx512Large() {
  // The 14x32 kernel with deeper k blocks for large products: kc=512 halves the passes over C
  // (each reads and writes its tiles) and the calls per A panel; mc=168 keeps the A block at
  // 336 KiB in L2; nc=1024 packs A once per 1024 columns instead of per 512. The B micro-panel
  // (64 KiB) no longer fits L1 and is read from L2, which the kernel's 2 loads per 28 FMAs
  // allow. 1 thread, median of 30, same process (2026-11-25, with the transposing packA):
  // 1024^3 255 -> 266 GFLOP/s, 2048^3 243.5 -> 256, 1024x49x2048 171 -> 175-180.
  static const GemmKernelTable table = table14x32(168, 512, 1024);
  return &table;
}

bool packRowPanels64Avx512(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst) {
  packATransposing<64>(a, lda, false, 0, 0, rows, k, dst);
  return true;
}

}  // namespace convnode
#else
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/sgemm_ukernel.h"
namespace convnode {
const GemmKernelTable* gemmTableAvx512() { return nullptr; }
const GemmKernelTable* gemmTableAvx512Narrow() { return nullptr; }
const GemmKernelTable* gemmTableAvx512Wide() { return nullptr; }
const GemmKernelTable* gemmTableAvx512Large() { return nullptr; }
bool packRowPanels64Avx512(const float*, int64_t, int64_t, int64_t, float*) { return false; }
}  // namespace convnode
#endif
