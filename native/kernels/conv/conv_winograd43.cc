// Winograd F(4x4, 3x3) driver (3x3, stride 1, dilation 1, groups 1; any padding).
// Per image, the output is cut into 4x4 tiles (TH x TW) and processed in chunks of whole tile
// rows (~256 tiles, so V and M below stay within L2/L3):
//   1. input transform  V[e][ic][t] = (B^T d B)[e]  for the 6x6 input tile d of each tile t
//   2. 36 GEMMs         M[e] = U[e] x V[e],  U[e] = (G g G^T)[e], a [cout x cin] matrix kept
//                       pre-packed in the A-panel layout of the layer's micro-kernel (the
//                       AVX-512 28x16 one when a chunk has <= 16 tiles)
//   3. output transform Y(tile t, oc) = A^T M[.][oc][t] A + bias (ReLU fused)
// That is the "[Cout x Cin] x [Cin x tiles]" batched-GEMM form of Lavin & Gray: the 36
// products are independent, so the threads split them (each GEMM single-threaded, on its own
// preallocated packing scratch) and split channels in the transforms.
// Multiplies per output: 36*cin/16 = 2.25*cin vs 9*cin direct (4x fewer), at the price of the
// transforms and of padding the output to a multiple of 4.
#include <new>
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {
const Wino43Fns& winoFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return wino43Avx512();
  if (isa == Isa::Avx2) return wino43Avx2();
#endif
  (void)isa;
  return wino43Generic();
}
inline int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
}  // namespace

namespace {
// Tiles per chunk (whole tile rows, ~256 tiles) and the GEMM micro-kernel table that every
// chunk of this layer uses: chosen once from the full chunk width so U, packed for it, fits
// the last (narrower) chunk too.
int64_t winoChunkTiles(const Conv2dShape& s) {
  const int64_t th = (s.outH + 3) / 4, tw = (s.outW + 3) / 4;
  return std::min<int64_t>(th, std::max<int64_t>(1, (256 + tw - 1) / tw)) * tw;
}
const GemmKernelTable* winoKernel(const Conv2dShape& s, Isa isa) {
  return sgemmKernelFor(isa, s.cout, winoChunkTiles(s));
}
}  // namespace

int64_t winograd43FilterFloats(const Conv2dShape& s, Isa isa) {
  return 36 * roundUp(sgemmPackedAFloats(winoKernel(s, isa), s.cout, s.cin), 16);
}

// U = G g G^T per (oc, ic), G as in winograd43.inl. One output channel at a time: its cin
// filters are first transposed to [9 taps][cin] so that every step below is a contiguous loop
// over ic (vectorized, SSE on baseline builds) writing U[e][oc][0:cin] as 36 contiguous runs.
// (Writing U[e][oc][ic] filter by filter touched 36 far-apart lines per filter and took 40%
// of a 64->64 @56 layer.)
namespace {
// Plain U[e][oc][ic] (the layout the loops below write), then packed per e.
void winograd43TransformFilterPlain(const Conv2dShape& s, const float* w, float* u) {
  const int64_t plane = s.cout * s.cin;
  const int64_t cin = s.cin;
  const int threads = threadsFor(s.cout, s.cin * 400);
  const int64_t per = (9 + 18) * cin;  // taps [9][cin] + G g [6][3][cin]
  AlignedFloats tmpAll = allocFloats(static_cast<size_t>(per * threads));
  if (!tmpAll) throw std::bad_alloc();  // the binding turns it into a JS Error
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    float* gt = tmpAll.get() + omp_get_thread_num() * per;
#pragma omp for schedule(static)
#else
    float* gt = tmpAll.get();
#endif
    for (int64_t oc = 0; oc < s.cout; ++oc) {
      float* t = gt + 9 * cin;  // t[(i*3 + j)*cin + ic] = (G g)[i][j]
      const float* wo = w + oc * cin * 9;
      for (int64_t ic = 0; ic < cin; ++ic)
        for (int k = 0; k < 9; ++k) gt[k * cin + ic] = wo[ic * 9 + k];
      for (int j = 0; j < 3; ++j) {
        const float* __restrict g0 = gt + (0 + j) * cin;
        const float* __restrict g1 = gt + (3 + j) * cin;
        const float* __restrict g2 = gt + (6 + j) * cin;
        float* __restrict t0 = t + (0 * 3 + j) * cin;
        float* __restrict t1 = t + (1 * 3 + j) * cin;
        float* __restrict t2 = t + (2 * 3 + j) * cin;
        float* __restrict t3 = t + (3 * 3 + j) * cin;
        float* __restrict t4 = t + (4 * 3 + j) * cin;
        float* __restrict t5 = t + (5 * 3 + j) * cin;
        for (int64_t ic = 0; ic < cin; ++ic) {
          const float a = g0[ic], b = g1[ic], c = g2[ic];
          t0[ic] = 0.25f * a;
          t1[ic] = -(a + b + c) * (1.0f / 6);
          t2[ic] = -(a - b + c) * (1.0f / 6);
          t3[ic] = a * (1.0f / 24) + b * (1.0f / 12) + c * (1.0f / 6);
          t4[ic] = a * (1.0f / 24) - b * (1.0f / 12) + c * (1.0f / 6);
          t5[ic] = c;
        }
      }
      for (int i = 0; i < 6; ++i) {  // (G g) G^T, row i
        const float* __restrict a0 = t + (i * 3 + 0) * cin;
        const float* __restrict a1 = t + (i * 3 + 1) * cin;
        const float* __restrict a2 = t + (i * 3 + 2) * cin;
        float* __restrict u0 = u + (i * 6 + 0) * plane + oc * cin;
        float* __restrict u1 = u + (i * 6 + 1) * plane + oc * cin;
        float* __restrict u2 = u + (i * 6 + 2) * plane + oc * cin;
        float* __restrict u3 = u + (i * 6 + 3) * plane + oc * cin;
        float* __restrict u4 = u + (i * 6 + 4) * plane + oc * cin;
        float* __restrict u5 = u + (i * 6 + 5) * plane + oc * cin;
        for (int64_t ic = 0; ic < cin; ++ic) {
          const float a = a0[ic], b = a1[ic], c = a2[ic];
          u0[ic] = 0.25f * a;
          u1[ic] = -(a + b + c) * (1.0f / 6);
          u2[ic] = -(a - b + c) * (1.0f / 6);
          u3[ic] = a * (1.0f / 24) + b * (1.0f / 12) + c * (1.0f / 6);
          u4[ic] = a * (1.0f / 24) - b * (1.0f / 12) + c * (1.0f / 6);
          u5[ic] = c;
        }
      }
    }
  }
  (void)threads;
}

}  // namespace

void winograd43TransformFilter(const Conv2dShape& s, Isa isa, const float* w, float* u) {
  AlignedFloats plain = allocFloats(static_cast<size_t>(36 * s.cout * s.cin));
  if (!plain) throw std::bad_alloc();
  winograd43TransformFilterPlain(s, w, plain.get());
  const GemmKernelTable* t = winoKernel(s, isa);
  const int64_t per = roundUp(sgemmPackedAFloats(t, s.cout, s.cin), 16);
  GemmShape g;
  g.m = s.cout;
  g.k = s.cin;
  g.lda = s.cin;
  for (int e = 0; e < 36; ++e) sgemmPackA(t, g, plain.get() + e * s.cout * s.cin, u + e * per);
}

void conv2dWinograd43(const Conv2dShape& s, Isa isa, const float* x, const float* u,
                      const float* bias, float* y, bool relu) {
  const GemmKernelTable* kernel = winoKernel(s, isa);
  const int64_t uPer = roundUp(sgemmPackedAFloats(kernel, s.cout, s.cin), 16);
  const Wino43Fns& fns = winoFor(isa);
  const int64_t th = (s.outH + 3) / 4, tw = (s.outW + 3) / 4;
  const int64_t tcMax = winoChunkTiles(s);
  const int64_t trChunk = tcMax / tw;
  const int64_t rs = roundUp(4 * tw + 4, 16);  // padded input row (+4: whole last phase group)
  const int64_t os = roundUp(4 * tw, 16);      // output row buffer
  GemmShape gs;
  gs.m = s.cout;
  gs.n = tcMax;
  gs.k = s.cin;
  const int64_t gemmScratch = roundUp(sgemmScratchFloats(kernel, gs), 16);
  const int64_t tmpFloats = roundUp(36 * tw + 10 * rs, 16);
  const int64_t perThread = 6 * rs + tmpFloats + 4 * os + gemmScratch;
  const int64_t vFloats = roundUp(36 * s.cin * tcMax, 16), mFloats = roundUp(36 * s.cout * tcMax, 16);
  const int threads = threadsFor(36 * tcMax, s.cin * s.cout);
  AlignedFloats scratch = allocFloats(static_cast<size_t>(vFloats + mFloats + perThread * threads));
  if (!scratch) throw std::bad_alloc();
  float* V = scratch.get();
  float* M = V + vFloats;
  float* perThreadBase = M + mFloats;
  const int64_t planeIn = s.h * s.w, planeOut = s.outH * s.outW;

#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    float* rows = perThreadBase + tid * perThread;
    float* tmp = rows + 6 * rs;
    float* obuf = tmp + tmpFloats;
    float* gbuf = obuf + 4 * os;
    for (int64_t b = 0; b < s.n; ++b) {
      const float* xb = x + b * s.cin * planeIn;
      float* yb = y + b * s.cout * planeOut;
      for (int64_t ty0 = 0; ty0 < th; ty0 += trChunk) {
        const int64_t tr = std::min(trChunk, th - ty0);
        const int64_t tc = tr * tw;
        // 1. input transform, one (channel, tile row) per iteration.
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cin * tr; ++job) {
          const int64_t ic = job / tr, tyl = job % tr;
          const float* plane = xb + ic * planeIn;
          const int64_t iy0 = 4 * (ty0 + tyl) - s.padTop;
          for (int r = 0; r < 6; ++r) {
            float* d = rows + r * rs;
            const int64_t iy = iy0 + r;
            if (iy < 0 || iy >= s.h) {
              std::memset(d, 0, sizeof(float) * rs);
              continue;
            }
            // d[x] = in[iy][x - padLeft], zero outside [0, w).
            const int64_t lo = std::min<int64_t>(rs, s.padLeft);
            const int64_t hi = std::min<int64_t>(rs, s.padLeft + s.w);
            std::memset(d, 0, sizeof(float) * lo);
            std::memcpy(d + lo, plane + iy * s.w + (lo - s.padLeft), sizeof(float) * (hi - lo));
            std::memset(d + hi, 0, sizeof(float) * (rs - hi));
          }
          fns.input(rows, rs, tw, V + ic * tc + tyl * tw, s.cin * tc, tmp);
        }
        // 2. the 36 independent products M[e] (cout x tc) = U[e] (cout x cin) x V[e] (cin x tc).
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int e = 0; e < 36; ++e) {
          GemmShape g;
          g.m = s.cout;
          g.n = tc;
          g.k = s.cin;
          g.lda = s.cin;
          g.ldb = tc;
          g.ldc = tc;
          sgemmSerialPackedA(kernel, g, u + e * uPer, V + e * s.cin * tc, M + e * s.cout * tc,
                             GemmEpilogue(), gbuf);
        }
        // 3. output transform, one (channel, tile row) per iteration.
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cout * tr; ++job) {
          const int64_t oc = job / tr, tyl = job % tr;
          fns.output(M + oc * tc + tyl * tw, s.cout * tc, tw, bias ? bias[oc] : 0.0f, relu, obuf,
                     os, tmp);
          const int64_t oy0 = 4 * (ty0 + tyl);
          const int64_t rowsOut = std::min<int64_t>(4, s.outH - oy0);
          for (int64_t j = 0; j < rowsOut; ++j)
            std::memcpy(yb + oc * planeOut + (oy0 + j) * s.outW, obuf + j * os,
                        sizeof(float) * s.outW);
        }
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
