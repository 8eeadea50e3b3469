// conv2d gradients through im2col + GEMM, a chunk of images at a time so each GEMM is large:
// with col = [im2col(x_b0) | im2col(x_b1) | ...] of shape [K = cinG*kh*kw, B*P] (P = outH*outW)
// and dY_g gathered to [coutG, B*P] for the same images,
//     dW_g += dY_g * col^T                    (one GEMM, inner dimension B*P)
//     dcol  = W_g^T * dY_g,  dx_b += col2im(dcol's block b)
// The chunk keeps the column buffer near 256K floats (1 MB, a Zen 5 core's L2), so the im2col
// writes are still in cache when the GEMM packs them.
#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/backward_weight_isa.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_shifted.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {

constexpr int64_t kColumnBudgetFloats = int64_t(256) << 10;

// Largest dW_g (coutG x taps) the Dot kernels take (their partial sums, 16 floats per output,
// then fit in a 1 MiB L2). Min of 150 native.Conv2dBackwardWeight calls from node with
// weightGradAlgo forced, 1 thread, 2026-11-25, Zen 5; gemm / dot / shifted in us:
//   LeNet conv1 b64 6x25: 659 / 203 / 90            LeNet conv2 b64 16x150: 540 / 288 / 177
//   b64 16->32 5x5 @14 (32x400): 2208 / 2002 / 1316  b32 3->64 3x3 p1 @32 (64x27): 1628 / 992 / 819
//   b32 64->64 3x3 p1 @16 (64x576, above the limit): 4879 / 4491 / 3969
constexpr int64_t kDotMaxOutputs = 16384;

// Images per chunk of the shifted variant: their dY rows (and padded inputs) within 256 KiB.
constexpr int64_t kShiftedChunkFloats = int64_t(64) << 10;

int64_t chunkImages(const Conv2dShape& s) {
  const int64_t k = (s.cin / s.groups) * s.kh * s.kw;
  const int64_t perImage = std::max<int64_t>(1, k * s.outH * s.outW);
  return std::max<int64_t>(1, std::min<int64_t>(s.n, kColumnBudgetFloats / perImage));
}

// dyT[oc][b*P + p] = dy[b0 + b][g*coutG + oc][p] for the chunk's images.
void gatherGradOutput(const Conv2dShape& s, const float* dy, int64_t g, int64_t b0, int64_t count,
                      float* dyT) {
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  for (int64_t oc = 0; oc < coutG; ++oc)
    for (int64_t b = 0; b < count; ++b)
      std::memcpy(dyT + oc * count * plane + b * plane, dy + ((b0 + b) * s.cout + g * coutG + oc) * plane,
                  static_cast<size_t>(plane) * sizeof(float));
}

// First and one-past-last output index o whose input index o*stride + start lies in [0, size),
// so the copy loops below carry no bounds test.
inline void validOutputRange(int64_t outSize, int64_t inSize, int64_t stride, int64_t start,
                             int64_t* lo, int64_t* hi) {
  const int64_t first = start >= 0 ? 0 : (-start + stride - 1) / stride;
  const int64_t last = (inSize - 1 - start) < 0 ? -1 : (inSize - 1 - start) / stride;
  *lo = std::min(first, outSize);
  *hi = std::max(*lo, std::min(last + 1, outSize));
}

}  // namespace

void im2colGeneric(const Conv2dShape& s, const float* image, int64_t group, float* col,
                   int64_t ldcol) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t rows = cinG * s.kh * s.kw;
  const int threads = threadsFor(rows, plane);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t icg = r / (s.kh * s.kw);
    const int64_t ky = (r / s.kw) % s.kh;
    const int64_t kx = r % s.kw;
    const float* in = image + (group * cinG + icg) * s.h * s.w;
    float* dst = col + r * ldcol;
    const int64_t xStart = kx * s.dilationW - s.padLeft;
    int64_t oxLo, oxHi;
    validOutputRange(s.outW, s.w, s.strideW, xStart, &oxLo, &oxHi);
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      const int64_t iy = oy * s.strideH - s.padTop + ky * s.dilationH;
      float* drow = dst + oy * s.outW;
      if (iy < 0 || iy >= s.h) {
        std::memset(drow, 0, static_cast<size_t>(s.outW) * sizeof(float));
        continue;
      }
      const float* srow = in + iy * s.w + xStart;
      for (int64_t ox = 0; ox < oxLo; ++ox) drow[ox] = 0.0f;
      if (s.strideW == 1) {
        std::memcpy(drow + oxLo, srow + oxLo, static_cast<size_t>(oxHi - oxLo) * sizeof(float));
      } else {
        for (int64_t ox = oxLo; ox < oxHi; ++ox) drow[ox] = srow[ox * s.strideW];
      }
      for (int64_t ox = oxHi; ox < s.outW; ++ox) drow[ox] = 0.0f;
    }
  }
  (void)threads;
}

void col2imGeneric(const Conv2dShape& s, const float* col, int64_t ldcol, int64_t group,
                   float* image) {
  const int64_t cinG = s.cin / s.groups;
  // One thread per input channel: the rows of one channel all land in that channel's plane.
  const int threads = threadsFor(cinG, s.outH * s.outW * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t icg = 0; icg < cinG; ++icg) {
    float* out = image + (group * cinG + icg) * s.h * s.w;
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* src = col + ((icg * s.kh + ky) * s.kw + kx) * ldcol;
        const int64_t xStart = kx * s.dilationW - s.padLeft;
        int64_t oxLo, oxHi;
        validOutputRange(s.outW, s.w, s.strideW, xStart, &oxLo, &oxHi);
        for (int64_t oy = 0; oy < s.outH; ++oy) {
          const int64_t iy = oy * s.strideH - s.padTop + ky * s.dilationH;
          if (iy < 0 || iy >= s.h) continue;
          float* orow = out + iy * s.w + xStart;
          const float* srow = src + oy * s.outW;
          if (s.strideW == 1) {
            for (int64_t ox = oxLo; ox < oxHi; ++ox) orow[ox] += srow[ox];
          } else {
            for (int64_t ox = oxLo; ox < oxHi; ++ox) orow[ox * s.strideW] += srow[ox];
          }
        }
      }
    }
  }
  (void)threads;
}

void conv2dBackwardInputGeneric(const Conv2dShape& s, Isa isa, const float* dy,
                                const float* weight, float* dx) {
  if (conv2dBackwardInputShiftedSuits(s)) return conv2dBackwardInputShifted(s, isa, dy, weight, dx);
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t k = (s.cin / s.groups) * s.kh * s.kw;
  const int64_t chunk = chunkImages(s);
  std::memset(dx, 0, static_cast<size_t>(s.n * s.cin * s.h * s.w) * sizeof(float));
  AlignedFloats col = allocFloats(static_cast<size_t>(k * chunk * plane));
  AlignedFloats dyT = allocFloats(static_cast<size_t>(coutG * chunk * plane));
  if (!col || !dyT) throw std::bad_alloc();  // the binding turns it into a JS Error
  for (int64_t b0 = 0; b0 < s.n; b0 += chunk) {
    const int64_t count = std::min(chunk, s.n - b0);
    const int64_t width = count * plane;
    for (int64_t g = 0; g < s.groups; ++g) {
      gatherGradOutput(s, dy, g, b0, count, dyT.get());
      GemmShape gs;
      gs.m = k;
      gs.n = width;
      gs.k = coutG;
      gs.transA = true;  // W_g stored [coutG, K]
      gs.lda = k;
      gs.ldb = width;
      gs.ldc = width;
      sgemm(gs, weight + g * coutG * k, dyT.get(), col.get());
      for (int64_t b = 0; b < count; ++b) {
        col2imGeneric(s, col.get() + b * plane, width, g, dx + (b0 + b) * s.cin * s.h * s.w);
      }
    }
  }
}

namespace {

// dbias[oc] = sum of dy over images and pixels: 16 float lanes per plane (they vectorize
// without reassociation flags), planes summed in double. The scalar double loop this replaces
// was latency-bound: 150 us of LeNet conv1's 840 us weight gradient (b64, 2026-11-25).
void biasGradient(const Conv2dShape& s, const float* dy, float* dbias) {
  const int64_t plane = s.outH * s.outW;
  for (int64_t oc = 0; oc < s.cout; ++oc) {
    double sum = 0.0;
    for (int64_t b = 0; b < s.n; ++b) {
      const float* p = dy + (b * s.cout + oc) * plane;
      float lane[16] = {};
      int64_t i = 0;
      for (; i + 16 <= plane; i += 16)
        for (int l = 0; l < 16; ++l) lane[l] += p[i + l];
      for (; i < plane; ++i) lane[0] += p[i];
      for (int l = 0; l < 16; ++l) sum += lane[l];
    }
    dbias[oc] = static_cast<float>(sum);
  }
}

const BwdWeightFns& bwdWeightFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return bwdWeightAvx512();
  if (isa == Isa::Avx2) return bwdWeightAvx2();
#endif
  (void)isa;
  return bwdWeightGeneric();
}

// The packed SGEMM for products with many output channels and taps, where its 14x32 tiles
// are full and B's transposing pack is small next to the flops.
void weightGradientGemm(const Conv2dShape& s, const float* dy, const float* x, float* dweight) {
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t k = (s.cin / s.groups) * s.kh * s.kw;
  const int64_t chunk = chunkImages(s);
  AlignedFloats col = allocFloats(static_cast<size_t>(k * chunk * plane));
  AlignedFloats dyT = allocFloats(static_cast<size_t>(coutG * chunk * plane));
  if (!col || !dyT) throw std::bad_alloc();
  for (int64_t b0 = 0; b0 < s.n; b0 += chunk) {
    const int64_t count = std::min(chunk, s.n - b0);
    const int64_t width = count * plane;
    for (int64_t g = 0; g < s.groups; ++g) {
      for (int64_t b = 0; b < count; ++b) {
        im2colGeneric(s, x + (b0 + b) * s.cin * s.h * s.w, g, col.get() + b * plane, width);
      }
      gatherGradOutput(s, dy, g, b0, count, dyT.get());
      GemmShape gs;
      gs.m = coutG;
      gs.n = k;
      gs.k = width;
      gs.transB = true;  // col stored [K, width]
      gs.lda = width;
      gs.ldb = width;
      gs.ldc = k;
      gs.beta = b0 == 0 ? 0.0f : 1.0f;
      sgemm(gs, dyT.get(), col.get(), dweight + g * coutG * k);
    }
  }
}

// The in-place dot-product kernel (backward_weight_isa.h), per group: partial sums of
// dW_g[coutG, K] accumulate over chunks of images, threads splitting dW's columns (taps).
void weightGradientDot(const Conv2dShape& s, Isa isa, const float* dy, const float* x,
                       float* dweight) {
  const BwdWeightFns& f = bwdWeightFor(isa);
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t k = (s.cin / s.groups) * s.kh * s.kw;
  const int64_t chunk = chunkImages(s);
  AlignedFloats col = allocFloats(static_cast<size_t>(k * chunk * plane));
  AlignedFloats dyT = allocFloats(static_cast<size_t>(coutG * chunk * plane));
  AlignedFloats part = allocFloats(static_cast<size_t>(coutG * k * kDotLanes));
  if (!col || !dyT || !part) throw std::bad_alloc();
  const int64_t colBlocks = (k + f.colBlock - 1) / f.colBlock;
  const int threads = threadsFor(colBlocks, 2 * coutG * f.colBlock * s.n * plane);
  for (int64_t g = 0; g < s.groups; ++g) {
    std::memset(part.get(), 0, static_cast<size_t>(coutG * k * kDotLanes) * sizeof(float));
    for (int64_t b0 = 0; b0 < s.n; b0 += chunk) {
      const int64_t count = std::min(chunk, s.n - b0);
      const int64_t width = count * plane;
      gatherGradOutput(s, dy, g, b0, count, dyT.get());
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
      {
#if defined(CONVNODE_OPENMP)
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
#else
        const int tid = 0, nt = 1;
#endif
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t b = 0; b < count; ++b)
          f.im2col(s, x + (b0 + b) * s.cin * s.h * s.w, g, col.get() + b * plane, width);
        // (the implicit barrier above: every column row is filled before any is read)
        const int64_t j0 = std::min(k, colBlocks * tid / nt * f.colBlock);
        const int64_t j1 = std::min(k, colBlocks * (tid + 1) / nt * f.colBlock);
        if (j0 < j1) f.dotAccumulate(coutG, k, j0, j1, width, dyT.get(), width, col.get(), width, part.get());
      }
    }
    float* dw = dweight + g * coutG * k;
    for (int64_t i = 0; i < coutG * k; ++i) {
      const float* p = part.get() + i * kDotLanes;
      float sum = 0.0f;
      for (int l = 0; l < kDotLanes; ++l) sum += p[l];
      dw[i] = sum;
    }
  }
  (void)threads;
}

// The dot-product kernel with B read in place as shifted views of the input (conv_shifted.h):
// no column matrix. A (dY) is laid out with the padded input's row pitch, zero in the
// wrap-around columns; padded layers read zero-padded copies of their input planes.
void weightGradientShifted(const Conv2dShape& s, Isa isa, const float* dy, const float* x,
                           float* dweight) {
  const BwdWeightFns& f = bwdWeightFor(isa);
  const ShiftedGeometry geo = shiftedGeometry(s);
  const int64_t cinG = geo.cinG, coutG = geo.coutG, taps = geo.taps;
  const bool padded = geo.padded;
  const int64_t planeStride = geo.planeStride, len = geo.len, ldy = geo.ldy, hw = geo.hw;
  const std::vector<int64_t>& off = geo.off;
  const int64_t dywStride = coutG * ldy;
  const int64_t padStride = padded ? cinG * planeStride + 16 : 0;
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(s.n, kShiftedChunkFloats / (dywStride + padStride)));
  AlignedFloats dyw = allocFloats(static_cast<size_t>(chunk * dywStride));
  AlignedFloats xpad = allocFloats(static_cast<size_t>(std::max<int64_t>(1, chunk * padStride)));
  AlignedFloats part = allocFloats(static_cast<size_t>(coutG * taps * kDotLanes));
  if (!dyw || !xpad || !part) throw std::bad_alloc();
  // Wrap-around columns, run tails and pad borders stay zero: later copies rewrite only pixels.
  std::memset(dyw.get(), 0, static_cast<size_t>(chunk * dywStride) * sizeof(float));
  if (padded) std::memset(xpad.get(), 0, static_cast<size_t>(chunk * padStride) * sizeof(float));
  const int64_t colBlocks = (taps + f.colBlock - 1) / f.colBlock;
  const int threads = threadsFor(colBlocks, 2 * coutG * f.colBlock * s.n * len);
  for (int64_t g = 0; g < s.groups; ++g) {
    std::memset(part.get(), 0, static_cast<size_t>(coutG * taps * kDotLanes) * sizeof(float));
    for (int64_t b0 = 0; b0 < s.n; b0 += chunk) {
      const int64_t count = std::min(chunk, s.n - b0);
      const float* xb = padded ? xpad.get() : x + (b0 * s.cin + g * cinG) * s.h * s.w;
      const int64_t xStride = padded ? padStride : s.cin * s.h * s.w;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
      {
#if defined(CONVNODE_OPENMP)
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
#pragma omp for schedule(static)
#else
        const int tid = 0, nt = 1;
#endif
        for (int64_t b = 0; b < count; ++b) {
          const float* d = dy + ((b0 + b) * s.cout + g * coutG) * hw;
          float* a = dyw.get() + b * dywStride;
          shiftedLayoutRows(s, geo, d, a);
          if (padded) shiftedCopyPadded(s, geo, x + ((b0 + b) * s.cin + g * cinG) * s.h * s.w,
                                        xpad.get() + b * padStride);
        }
        // (the implicit barrier above: every image is laid out before any is read)
        const int64_t j0 = std::min(taps, colBlocks * tid / nt * f.colBlock);
        const int64_t j1 = std::min(taps, colBlocks * (tid + 1) / nt * f.colBlock);
        if (j0 < j1)
          f.dotShiftedAccumulate(coutG, taps, j0, j1, count, dyw.get(), dywStride, ldy, xb, xStride,
                                 off.data(), len, part.get());
      }
    }
    float* dw = dweight + g * coutG * taps;
    for (int64_t i = 0; i < coutG * taps; ++i) {
      const float* p = part.get() + i * kDotLanes;
      float sum = 0.0f;
      for (int l = 0; l < kDotLanes; ++l) sum += p[l];
      dw[i] = sum;
    }
  }
  (void)threads;
}

}  // namespace

bool conv2dWeightGradUsesDot(const Conv2dShape& s) {
  const int64_t coutG = s.cout / s.groups;
  const int64_t k = (s.cin / s.groups) * s.kh * s.kw;
  return coutG * k <= kDotMaxOutputs;
}

void conv2dBackwardWeight(const Conv2dShape& s, Isa isa, ConvWeightGradAlgo algo,
                          const float* dy, const float* x, float* dweight, float* dbias) {
  const bool strideOne = s.strideH == 1 && s.strideW == 1;
  if (algo == ConvWeightGradAlgo::Auto) {
    algo = !conv2dWeightGradUsesDot(s) ? ConvWeightGradAlgo::Gemm
           : strideOne && 2 * s.outW >= s.w + s.padLeft + s.padRight ? ConvWeightGradAlgo::Shifted
                                                                    : ConvWeightGradAlgo::Dot;
  }
  if (algo == ConvWeightGradAlgo::Shifted && !strideOne) algo = ConvWeightGradAlgo::Dot;
  if (algo == ConvWeightGradAlgo::Shifted) weightGradientShifted(s, isa, dy, x, dweight);
  else if (algo == ConvWeightGradAlgo::Dot) weightGradientDot(s, isa, dy, x, dweight);
  else weightGradientGemm(s, dy, x, dweight);
  if (dbias) biasGradient(s, dy, dbias);
}

}  // namespace convnode
