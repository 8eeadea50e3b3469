// im2col + SGEMM. For each image and group, the column matrix col[(ic, ky, kx), (oy, ox)]
// holds the input pixel each tap reads (0 in the padding), so the convolution is
// Y_g[coutG, HW] = W_g[coutG, cinG*kh*kw] x col. Output rows are processed in chunks sized so
// that col stays around 4 MiB (VGG's first layers would need 115 MiB at once); each chunk's
// columns are contiguous in Y, so a chunk is one GEMM with ldc = outH*outW.
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {

// col rows [k] for output rows [oy0, oy0 + rows), row length rows*outW.
void fillColumns(const Conv2dShape& s, const float* plane0, int64_t cinG, int64_t oy0,
                 int64_t rows, float* col) {
  const int64_t taps = s.kh * s.kw;
  const int64_t len = rows * s.outW;
  const int64_t kTotal = cinG * taps;
  const int threads = threadsFor(kTotal, len);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t r = 0; r < kTotal; ++r) {
    const int64_t ic = r / taps, ky = (r % taps) / s.kw, kx = r % s.kw;
    const float* plane = plane0 + ic * s.h * s.w;
    float* d = col + r * len;
    const int64_t xStart = kx * s.dilationW - s.padLeft;
    // Output columns whose input column lies inside [0, w).
    int64_t lo = xStart >= 0 ? 0 : (-xStart + s.strideW - 1) / s.strideW;
    int64_t hi = (s.w - 1 - xStart) < 0 ? 0 : (s.w - 1 - xStart) / s.strideW + 1;
    lo = std::min(lo, s.outW);
    hi = std::max(lo, std::min(hi, s.outW));
    for (int64_t oy = oy0; oy < oy0 + rows; ++oy, d += s.outW) {
      const int64_t iy = oy * s.strideH + ky * s.dilationH - s.padTop;
      if (iy < 0 || iy >= s.h) {
        std::memset(d, 0, sizeof(float) * s.outW);
        continue;
      }
      const float* src = plane + iy * s.w + xStart;
      for (int64_t ox = 0; ox < lo; ++ox) d[ox] = 0.0f;
      if (s.strideW == 1) {
        std::memcpy(d + lo, src + lo, sizeof(float) * (hi - lo));
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) d[ox] = src[ox * s.strideW];
      }
      for (int64_t ox = hi; ox < s.outW; ++ox) d[ox] = 0.0f;
    }
  }
  (void)threads;
}

}  // namespace

void conv2dIm2col(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                  const float* bias, float* y, bool relu) {
  const int64_t cinG = s.cin / s.groups, coutG = s.cout / s.groups;
  const int64_t kTotal = cinG * s.kh * s.kw;
  const int64_t hw = s.outH * s.outW;
  // ~4 MiB of columns per chunk, but never fewer than 64 output columns per GEMM.
  const int64_t budget = int64_t(1) << 20;
  int64_t rowsPerChunk = std::max<int64_t>(1, budget / std::max<int64_t>(1, kTotal * s.outW));
  rowsPerChunk = std::max(rowsPerChunk, (64 + s.outW - 1) / s.outW);
  rowsPerChunk = std::min(rowsPerChunk, s.outH);
  AlignedFloats col = allocFloats(static_cast<size_t>(kTotal * rowsPerChunk * s.outW));
  if (!col) return;
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const float* plane0 = x + (b * s.cin + g * cinG) * s.h * s.w;
      for (int64_t oy0 = 0; oy0 < s.outH; oy0 += rowsPerChunk) {
        const int64_t rows = std::min(rowsPerChunk, s.outH - oy0);
        fillColumns(s, plane0, cinG, oy0, rows, col.get());
        GemmShape gs;
        gs.m = coutG;
        gs.n = rows * s.outW;
        gs.k = kTotal;
        gs.lda = kTotal;
        gs.ldb = rows * s.outW;
        gs.ldc = hw;
        GemmEpilogue ep;
        ep.relu = relu;
        if (bias) {
          ep.bias = bias + g * coutG;
          ep.biasMode = BiasMode::PerRow;
        }
        sgemmIsa(isa, gs, w + g * coutG * kTotal, col.get(),
                 y + (b * s.cout + g * coutG) * hw + oy0 * s.outW, ep);
      }
    }
  }
}

}  // namespace convnode
