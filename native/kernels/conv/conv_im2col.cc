// im2col + SGEMM. For each image and group, the column matrix col[(ic, ky, kx), (oy, ox)]
// holds the input pixel each tap reads (0 in the padding), so the convolution is
// Y_g[coutG, HW] = W_g[coutG, cinG*kh*kw] x col. Output rows are processed in chunks sized so
// that col stays around 1 MiB (VGG's first layers would need 115 MiB at once); each chunk's
// columns are contiguous in Y, so a chunk is one GEMM with ldc = outH*outW.
#include <new>
#include <algorithm>
#include <limits>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/conv/conv_shifted.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {
Im2colFillFn fillFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return im2colFillAvx512;
  if (isa == Isa::Avx2) return im2colFillAvx2;
#endif
  (void)isa;
  return im2colFillGeneric;
}
}  // namespace

// The implicit-GEMM path for few input channels (conv_smallcin_avx512.cc). Depends only on
// what a prepacked handle is checked against (weight shape, groups) and the ISA, so weights
// packed for one input size or stride stay valid for another.
bool convSmallCinEligible(const Conv2dShape& s, Isa isa) {
#if defined(__x86_64__)
  return isa == Isa::Avx512 && s.groups == 1 && s.cin <= 4;
#else
  (void)s;
  (void)isa;
  return false;
#endif
}

// The SGEMM micro-kernel that prepacked weights are laid out for: chosen from the output
// channels per group and the pixels per image (AVX-512: 8x48 for 64 / 128 channels, see
// sgemm.cc), the same for gemm1x1 and im2col so that either can use the packed weights.
const GemmKernelTable* packedKernel(const Conv2dShape& s, Isa isa) {
  return sgemmKernelFor(isa, s.cout / s.groups, s.outH * s.outW);
}

int64_t convGemmLayoutKey(const Conv2dShape& s, Isa isa) {
  if (convSmallCinEligible(s, isa)) return -1;
  int mr = 0, nr = 0;
  sgemmTableTile(packedKernel(s, isa), &mr, &nr);
  return mr * 1000 + nr;
}

int64_t convGemmPackedFloats(const Conv2dShape& s, Isa isa) {
#if defined(__x86_64__)
  if (convSmallCinEligible(s, isa)) return convSmallCinPackedFloats(s);
#endif
  const int64_t kTotal = (s.cin / s.groups) * s.kh * s.kw;
  return s.groups * sgemmPackedAFloats(packedKernel(s, isa), s.cout / s.groups, kTotal);
}

void convGemmPackWeights(const Conv2dShape& s, Isa isa, const float* w, float* packed) {
#if defined(__x86_64__)
  if (convSmallCinEligible(s, isa)) return convSmallCinPackAvx512(s, w, packed);
#endif
  const int64_t coutG = s.cout / s.groups;
  const int64_t kTotal = (s.cin / s.groups) * s.kh * s.kw;
  const GemmKernelTable* t = packedKernel(s, isa);
  const int64_t per = sgemmPackedAFloats(t, coutG, kTotal);
  for (int64_t g = 0; g < s.groups; ++g) {
    GemmShape gs;
    gs.m = coutG;
    gs.k = kTotal;
    gs.lda = kTotal;
    sgemmPackA(t, gs, w + g * coutG * kTotal, packed + g * per);
  }
}

const float* convGemmPackForBatch(const Conv2dShape& s, Isa isa, const float* w, AlignedFloats* own) {
  if (s.n <= 1) return nullptr;
  GemmShape perImage;  // one image's product, as conv2dIm2col / conv1x1Gemms run it unpacked
  perImage.m = s.cout / s.groups;
  perImage.n = s.outH * s.outW;
  perImage.k = s.cin / s.groups * s.kh * s.kw;
  if (sgemmReadsAInPlace(isa, perImage)) return nullptr;
  *own = allocFloats(static_cast<size_t>(convGemmPackedFloats(s, isa)));
  if (!*own) throw std::bad_alloc();  // the binding turns it into a JS Error
  convGemmPackWeights(s, isa, w, own->get());
  return own->get();
}

void conv2dIm2col(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                  const float* bias, float* y, bool relu, const float* packedW, float clampMax) {
  // Stride-1 layers with few output channels (LeNet) skip the column matrix: conv_shifted.h.
  // It goes before the small-cin kernel, which also takes LeNet's conv1: 1 thread, min of 60,
  // 2026-11-25, shifted vs small-cin: 64x1x28x28 -> 6 5x5 0.114 vs 0.206 ms; 3 -> 64 3x3 @224
  // and @32 (batch 32) within 3% of each other.
  if (!packedW && conv2dShiftedSuits(s)) {
    conv2dShifted(s, isa, x, w, bias, y, relu);
    if (clampMax < std::numeric_limits<float>::infinity()) {
      const int64_t count = s.n * s.cout * s.outH * s.outW;
      for (int64_t i = 0; i < count; ++i) y[i] = y[i] > clampMax ? clampMax : y[i];
    }
    return;
  }
#if defined(__x86_64__)
  if (convSmallCinEligible(s, isa)) {
    AlignedFloats own;
    if (!packedW) {
      own = allocFloats(static_cast<size_t>(convSmallCinPackedFloats(s)));
      if (!own) throw std::bad_alloc();
      convSmallCinPackAvx512(s, w, own.get());
      packedW = own.get();
    }
    return conv2dSmallCinAvx512(s, x, packedW, bias, y, relu, clampMax);
  }
#endif
  // Several images: the weights are packed once for all of them, not once per image's GEMM
  // (each image is its own product: NCHW keeps images' columns apart). Not where those products
  // read the weights in place (at most 96 output pixels: sgemmReadsAInPlace), faster
  // than the prepacked kernel streams them. Batch 8, 1 thread, two builds interleaved, min of
  // 15 (2026-11-25): 3x3/s2 128->128 @56 9.30 -> 8.34 ms, 5x5 64->192 @27 17.4 -> 17.0; 1x1
  // 512->2048 @7 packed once 3.95 -> 4.27 (hence the exception).
  AlignedFloats packedOnce;
  if (!packedW) packedW = convGemmPackForBatch(s, isa, w, &packedOnce);
  const int64_t cinG = s.cin / s.groups, coutG = s.cout / s.groups;
  const int64_t kTotal = cinG * s.kh * s.kw;
  const int64_t hw = s.outH * s.outW;
  // Columns in chunks of ~1 MiB (A/B on the 7x7/s2 stem: 1.51-1.57 vs 1.60-1.72 ms with 4 MiB),
  // never fewer than 64 output columns per GEMM; an image whose whole column matrix is under
  // 4 MiB stays one chunk, which keeps the transposed orientation below available to it.
  const int64_t budget = int64_t(1) << 18;
  int64_t rowsPerChunk = std::max<int64_t>(1, budget / std::max<int64_t>(1, kTotal * s.outW));
  rowsPerChunk = std::max(rowsPerChunk, (64 + s.outW - 1) / s.outW);
  if (kTotal * hw <= (int64_t(1) << 20)) rowsPerChunk = s.outH;
  rowsPerChunk = std::min(rowsPerChunk, s.outH);
  // Orientation: Y_g = W_g x col fills MR x NR register tiles along (coutG, hw); on small late
  // layers (7x7 = 49 pixels: 2 tiles of 32, 23% idle lanes) Y_g^T = col^T x W_g^T over
  // (hw, coutG) wastes less (49 rows: 4 tiles of 14, 12.5%), and the transposed result is
  // copied back in one pass. Only when the whole image is one chunk. Measured (1 thread, min
  // of ~1000 runs, 2026-11-24): 3x3 256->256 @14 1.24 vs 1.36 ms, 512->512 @7 1.70 vs 1.86 ms.
  int mr = 1, nr = 1;
  sgemmTile(isa, &mr, &nr);
  auto util = [](int64_t rows, int64_t cols, int64_t tr, int64_t tc) {
    return double(rows) / double((rows + tr - 1) / tr * tr) * double(cols) / double((cols + tc - 1) / tc * tc);
  };
  const bool transposed = !packedW && rowsPerChunk == s.outH &&
                          util(hw, coutG, mr, nr) > 1.05 * util(coutG, hw, mr, nr);
  const Im2colFillFn fill = fillFor(isa);
  AlignedFloats col = allocFloats(static_cast<size_t>(kTotal * rowsPerChunk * s.outW));
  AlignedFloats yt = transposed ? allocFloats(static_cast<size_t>(hw * coutG)) : AlignedFloats();
  if (!col || (transposed && !yt)) throw std::bad_alloc();  // the binding turns it into a JS Error
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const float* plane0 = x + (b * s.cin + g * cinG) * s.h * s.w;
      for (int64_t oy0 = 0; oy0 < s.outH; oy0 += rowsPerChunk) {
        const int64_t rows = std::min(rowsPerChunk, s.outH - oy0);
        fill(s, plane0, cinG, oy0, rows, col.get());
        if (transposed) {
          // yt[hw, coutG] = col^T x W_g^T, bias per column, then yt^T -> y.
          GemmShape gt;
          gt.m = hw;
          gt.n = coutG;
          gt.k = kTotal;
          gt.transA = true;
          gt.transB = true;
          gt.lda = hw;
          gt.ldb = kTotal;
          gt.ldc = coutG;
          GemmEpilogue ep;
          ep.relu = relu;
          ep.clampMax = clampMax;
          if (bias) {
            ep.bias = bias + g * coutG;
            ep.biasMode = BiasMode::PerCol;
          }
          sgemmIsa(isa, gt, col.get(), w + g * coutG * kTotal, yt.get(), ep);
          float* yg = y + (b * s.cout + g * coutG) * hw;
          for (int64_t i = 0; i < hw; ++i)
            for (int64_t oc = 0; oc < coutG; ++oc) yg[oc * hw + i] = yt[i * coutG + oc];
          continue;
        }
        GemmShape gs;
        gs.m = coutG;
        gs.n = rows * s.outW;
        gs.k = kTotal;
        gs.lda = kTotal;
        gs.ldb = rows * s.outW;
        gs.ldc = hw;
        GemmEpilogue ep;
        ep.relu = relu;
        ep.clampMax = clampMax;
        if (bias) {
          ep.bias = bias + g * coutG;
          ep.biasMode = BiasMode::PerRow;
        }
        float* yc = y + (b * s.cout + g * coutG) * hw + oy0 * s.outW;
        if (packedW)
          sgemmPrepackedA(packedKernel(s, isa), gs,
                          packedW + g * sgemmPackedAFloats(packedKernel(s, isa), coutG, kTotal),
                          col.get(), yc, ep);
        else
          sgemmIsa(isa, gs, w + g * coutG * kTotal, col.get(), yc, ep);
      }
    }
  }
}

}  // namespace convnode
