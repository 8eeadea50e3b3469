// Convolution for layers with very few input channels (RGB stems: 7x7/s2 3->64, 11x11/s4
// 3->96), AVX-512: an implicit GEMM with no column matrix.
//
// Why: im2col makes these layers a [cout x cin*kh*kw] x [cin*kh*kw x pixels] GEMM whose
// column matrix (147 or 363 rows x 12544 / 3136 pixels) is written once, packed again into
// B panels and then read: 23% of the 7x7/s2 stem's time outside the micro-kernel (perf,
// 2026-11-25), for a layer ORT runs at 216 GFLOP/s.
// How: the zero-padded input is split once into its S column phases (S = stride),
//   Xp[ic][phase][row][j] = xpad[ic][row][j*S + phase],
// so that for every tap (ic, ky, kx) the 16 output pixels ox0 .. ox0+15 of output row oy read
// 16 consecutive floats: Xp[ic][(kx*dw) % S][oy*S + ky*dh][ox0 + (kx*dw) / S ...]. Each B
// vector of the micro-kernel is then one unaligned load at (pixel-group base + tap offset),
// i.e. the column matrix is never materialized. Register tile: 8 output channels (weights
// broadcast from an 8-row packed panel) x 3 groups of 16 pixels = 24 zmm accumulators; per tap
// 3 + 8 loads for 24 FMAs. Groups are 16 consecutive pixels of the output plane (see
// PixelGroup); 64 / 96 output channels are 8 / 12 full tiles.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv_isa.h"

#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace convnode {
namespace {

constexpr int kMr = 8;  // output channels per tile
constexpr int kNv = 3;  // 16-pixel groups per tile

// d[j] = row[j * S + o] for j in [lo, hi); S a compile-time constant so the loop vectorizes.
template <int S>
void copyStrided(const float* __restrict row, int64_t o, float* __restrict d, int64_t lo,
                 int64_t hi) {
  for (int64_t j = lo; j < hi; ++j) d[j] = row[j * S + o];
}

// One 16-pixel group of the B operand: lanes below `cut` read row pointer lo, the others
// (a group that wraps onto the next output row) read hi.
struct PixelGroup {
  const float* lo;
  const float* hi;
  __mmask16 loMask;  // lanes read from lo (0xFFFF: the whole group is on one row)
  __mmask16 hiMask;  // lanes read from hi
};

template <bool SPLIT>
inline __m512 loadGroup(const PixelGroup& g, int64_t o) {
  if (!SPLIT) return _mm512_loadu_ps(g.lo + o);
  return _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(g.loMask, g.lo + o), g.hiMask, g.hi + o);
}

// acc[i][v] = sum_k a[k*MR + i] * group_v[off[k] + 0..15]; then + bias, ReLU, masked stores
// to cp[v] + i*ldc for i < mr.
template <bool SPLIT>
void f32_conv_smallcin_8x48__avx512f(int64_t kTotal, const float* a, const PixelGroup* grp,
                                     const int64_t* off, float* const* cp, const __mmask16* mask,
                                     int64_t ldc, int64_t mr, const float* bias, bool relu,
                                     float clampMax) {
  __m512 acc[kMr][kNv];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 3
    for (int v = 0; v < kNv; ++v) acc[i][v] = _mm512_setzero_ps();
  const PixelGroup g0 = grp[0], g1 = grp[1], g2 = grp[2];
  for (int64_t k = 0; k < kTotal; ++k) {
    const int64_t o = off[k];
    const __m512 v0 = loadGroup<SPLIT>(g0, o);
    const __m512 v1 = loadGroup<SPLIT>(g1, o);
    const __m512 v2 = loadGroup<SPLIT>(g2, o);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, v0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, v1, acc[i][1]);
      acc[i][2] = _mm512_fmadd_ps(ai, v2, acc[i][2]);
    }
    a += kMr;
  }
  const __m512 zero = _mm512_setzero_ps(), clampV = _mm512_set1_ps(clampMax);
  const bool clamp = clampMax < __builtin_inff();
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i) {
    if (i >= mr) break;
    const __m512 bi = _mm512_set1_ps(bias ? bias[i] : 0.0f);
#pragma GCC unroll 3
    for (int v = 0; v < kNv; ++v) {
      __m512 r = _mm512_add_ps(acc[i][v], bi);
      if (relu) r = _mm512_max_ps(zero, r);  // max(0, NaN) = NaN, as torch.relu
      if (clamp) r = _mm512_min_ps(clampV, r);  // ReLU6's clamp; min(c, NaN) = NaN
      _mm512_mask_storeu_ps(cp[v] + i * ldc, mask[v], r);
    }
  }
}

}  // namespace

int64_t convSmallCinPackedFloats(const Conv2dShape& s) {
  return (s.cout + kMr - 1) / kMr * kMr * s.cin * s.kh * s.kw;
}

// packed[tile][k][i] = w[tile*8 + i][k] (0 past cout), k = (ic*kh + ky)*kw + kx.
void convSmallCinPackAvx512(const Conv2dShape& s, const float* w, float* packed) {
  const int64_t kTotal = s.cin * s.kh * s.kw;
  const int64_t tiles = (s.cout + kMr - 1) / kMr;
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t k = 0; k < kTotal; ++k)
      for (int i = 0; i < kMr; ++i) {
        const int64_t oc = t * kMr + i;
        packed[(t * kTotal + k) * kMr + i] = oc < s.cout ? w[oc * kTotal + k] : 0.0f;
      }
}

void conv2dSmallCinAvx512(const Conv2dShape& s, const float* x, const float* packed,
                          const float* bias, float* y, bool relu, float clampMax) {
  const int64_t S = s.strideW;
  const int64_t kTotal = s.cin * s.kh * s.kw;
  const int64_t hp = s.h + s.padTop + s.padBottom;
  const int64_t wp = s.w + s.padLeft + s.padRight;
  // Row length of a phase: every column a valid pixel's tap reads, + 16 so that a whole
  // 16-pixel group (its tail masked at the store) stays inside the row.
  const int64_t wq = (wp + S - 1) / S + 16;
  const int64_t phaseFloats = hp * wq;
  const int64_t xpFloats = s.cin * S * phaseFloats + 16;
  const int64_t hw = s.outH * s.outW;
  // Pixel groups: 16 consecutive pixels of the output plane, a group that runs past the end of
  // a row continuing on the next one (two masked loads per tap; 56-wide AlexNet rows: 196
  // groups of which 28 wrap, instead of 224 row-aligned groups with 12.5% idle lanes). Rows
  // narrower than 16 would wrap more than once: there each group is one row's pixels.
  const bool wrap = s.outW >= 16;
  const int64_t gpr = (s.outW + 15) / 16;  // row-aligned groups per output row
  const int64_t groups = wrap ? (hw + 15) / 16 : s.outH * gpr;
  const int64_t units = (groups + kNv - 1) / kNv;
  const int64_t tiles = (s.cout + kMr - 1) / kMr;

  std::vector<int64_t> off(static_cast<size_t>(kTotal));
  for (int64_t ic = 0; ic < s.cin; ++ic)
    for (int64_t ky = 0; ky < s.kh; ++ky)
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const int64_t cx = kx * s.dilationW;
        off[static_cast<size_t>((ic * s.kh + ky) * s.kw + kx)] =
            (ic * S + cx % S) * phaseFloats + ky * s.dilationH * wq + cx / S;
      }
  AlignedFloats xpBuf = allocFloats(static_cast<size_t>(xpFloats));
  if (!xpBuf) throw std::bad_alloc();  // the binding turns it into a JS Error
  float* xp = xpBuf.get();
  const int threads = threadsFor(units * tiles, kTotal * kMr * kNv * 16);

  for (int64_t b = 0; b < s.n; ++b) {
    const float* xb = x + b * s.cin * s.h * s.w;
    float* yb = y + b * s.cout * hw;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
    {
      // Phase split: Xp[ic][ph][r][j] = x[ic][r - padTop][j*S + ph - padLeft], 0 outside.
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
      for (int64_t row = 0; row < s.cin * S * hp; ++row) {
        const int64_t ic = row / (S * hp), ph = (row / hp) % S, r = row % hp;
        float* d = xp + row * wq;
        const int64_t iy = r - s.padTop;
        if (iy < 0 || iy >= s.h) {
          std::memset(d, 0, sizeof(float) * wq);
          continue;
        }
        // Columns j with 0 <= j*S + ph - padLeft < w are copied, the others zeroed.
        const float* src = xb + (ic * s.h + iy) * s.w;
        const int64_t o = ph - s.padLeft;
        const int64_t first = s.padLeft - ph <= 0 ? 0 : (s.padLeft - ph + S - 1) / S;
        const int64_t lo = std::min(first, wq);
        const int64_t last = s.w - 1 + s.padLeft - ph;  // largest j*S allowed
        const int64_t hi = std::max(lo, last < 0 ? 0 : std::min(wq, last / S + 1));
        std::memset(d, 0, sizeof(float) * lo);
        if (S == 1 && hi > lo) std::memcpy(d + lo, src + lo + o, sizeof(float) * (hi - lo));
        else if (S == 2) copyStrided<2>(src, o, d, lo, hi);
        else if (S == 4) copyStrided<4>(src, o, d, lo, hi);
        else for (int64_t j = lo; j < hi; ++j) d[j] = src[j * S + o];
        std::memset(d + hi, 0, sizeof(float) * (wq - hi));
      }
#if defined(CONVNODE_OPENMP)
#pragma omp single
#endif
      std::memset(xp + s.cin * S * phaseFloats, 0, sizeof(float) * 16);
      // Implicit GEMM over (unit of 3 pixel groups, 8-channel tile).
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
      for (int64_t u = 0; u < units; ++u) {
        PixelGroup grp[kNv];
        float* cp[kNv];
        __mmask16 mask[kNv];
        bool split = false;
        for (int v = 0; v < kNv; ++v) {
          const int64_t g = u * kNv + v;
          PixelGroup& pg = grp[v];
          pg.lo = pg.hi = xp;
          pg.loMask = 0xFFFF;
          pg.hiMask = 0;
          if (g >= groups) {  // past the last group: read row 0, store nothing
            cp[v] = yb;
            mask[v] = 0;
            continue;
          }
          int64_t oy, ox0, valid;
          if (wrap) {
            oy = (16 * g) / s.outW;
            ox0 = (16 * g) % s.outW;
            valid = std::min<int64_t>(16, hw - 16 * g);
          } else {
            oy = g / gpr;
            ox0 = (g % gpr) * 16;
            valid = std::min<int64_t>(16, s.outW - ox0);
          }
          const int64_t cut = std::min<int64_t>(valid, s.outW - ox0);  // lanes on row oy
          pg.lo = xp + oy * s.strideH * wq + ox0;
          if (cut < 16) {
            // Lanes cut .. valid-1 are pixels 0 .. of row oy + 1: lane l reads hi + l.
            split = true;
            pg.loMask = static_cast<__mmask16>((1u << cut) - 1u);
            pg.hiMask = static_cast<__mmask16>(((1u << valid) - 1u) & ~((1u << cut) - 1u));
            if (pg.hiMask) pg.hi = xp + (oy + 1) * s.strideH * wq - cut;
          }
          cp[v] = yb + oy * s.outW + ox0;
          mask[v] = static_cast<__mmask16>((1u << valid) - 1u);
        }
        for (int64_t t = 0; t < tiles; ++t) {
          float* ct[kNv];
          for (int v = 0; v < kNv; ++v) ct[v] = cp[v] + t * kMr * hw;
          const int64_t mr = std::min<int64_t>(kMr, s.cout - t * kMr);
          const float* a = packed + t * kTotal * kMr;
          const float* bt = bias ? bias + t * kMr : nullptr;
          if (split)
            f32_conv_smallcin_8x48__avx512f<true>(kTotal, a, grp, off.data(), ct, mask, hw, mr, bt, relu, clampMax);
          else
            f32_conv_smallcin_8x48__avx512f<false>(kTotal, a, grp, off.data(), ct, mask, hw, mr, bt, relu, clampMax);
        }
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
#endif
