// Convolution algorithm selection and dispatch.
#include <new>
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_pixelrows.h"

#include "core/aligned_buffer.h"

namespace convnode {

const char* convAlgoName(ConvAlgo a) {
  switch (a) {
    case ConvAlgo::Auto: return "auto";
    case ConvAlgo::Direct: return "direct";
    case ConvAlgo::Im2col: return "im2col";
    case ConvAlgo::Gemm1x1: return "gemm1x1";
    case ConvAlgo::Winograd: return "winograd";
    case ConvAlgo::Depthwise: return "depthwise";
  }
  return "auto";
}

bool convAlgoSupports(ConvAlgo a, const Conv2dShape& s) {
  switch (a) {
    case ConvAlgo::Auto:
    case ConvAlgo::Direct:
    case ConvAlgo::Im2col:
      return true;
    case ConvAlgo::Gemm1x1:
      return s.kh == 1 && s.kw == 1 && s.padTop == 0 && s.padBottom == 0 && s.padLeft == 0 &&
             s.padRight == 0;
    case ConvAlgo::Winograd:
      return s.kh == 3 && s.kw == 3 && s.strideH == 1 && s.strideW == 1 && s.dilationH == 1 &&
             s.dilationW == 1 && s.groups == 1;
    case ConvAlgo::Depthwise:
      return s.groups == s.cin && s.groups > 1;
  }
  return false;
}

// The 'auto' rules. Provenance: AMD EPYC Zen 5 VM, 2 cores, AVX-512, 2026-11-24 23:48 UTC,
// `npx tsx bench/kernels-quick.ts --no-direct` and /tmp A/B scripts (batch 1, 1 thread, min ms
// of repeated runs: the VM is shared, so only side-by-side minima were compared; eager = no
// prepacked weights, Winograd eager = byte-compared U cache):
//   3x3 64->64 @56:   winograd 0.61   im2col 1.49   direct ~12-28 (scalar)
//   3x3 128->128 @28: winograd 0.60   im2col 1.18
//   3x3 256->256 @14: winograd 0.64 (eager 0.70-0.78)   im2col 1.22   (16 tiles: 28x16 kernel)
//   3x3 512->512 @7:  winograd 2.2                       im2col 1.66 (prepacked: 1.34)
//   1x1 256->64 @56:  gemm1x1 0.52   im2col 0.62
//   dw3x3 32 @112:    depthwise 0.137   im2col 0.85   direct 0.42
//   7x7/s2 3->64 @224, 11x11/s4 3->96 @227: im2col 1.47 / 1.19 vs direct 23 / 25
// Revised 2026-11-25 01:40 UTC (same VM; `npx tsx bench/ab-conv.ts <layer> <algo>`: ours with
// prepacked weights side by side with onnxruntime-node's one-node model in one process, and
// /tmp loops with the caches flushed between calls; min ms, 1 thread):
//   3x3 512->512 @7, batch 1: winograd F(2x2) 0.72-0.75 (4 F(4x4) tiles: 2.2)   im2col 1.37-1.65
//                    batch 8: F(2x2) 5.4   F(4x4) 5.8   (ORT 0.94-1.07 / 7.5-7.8)
//   3x3 64->64 @7 / 128->128 @7 / 64->64 @12: F(2x2) 0.029 / 0.071 / 0.061 vs im2col 0.041 /
//                    0.119 / 0.074; 32->32 @12: 0.027 vs 0.028
//   stems, cin <= 4 (AVX-512 implicit GEMM inside im2col): 7x7/s2 3->64 @224 1.03 (im2col 1.39),
//                    11x11/s4 3->96 @227 0.94-0.96 (1.14)
// Hence: depthwise for groups == cin; gemm1x1 for unpadded 1x1; Winograd for 3x3/s1 once one
// image gives >= 16 tiles of 2x2 (7x7 and up) with >= 16 channels in and out: F(4x4) from 16
// tiles of 4x4 in the batch (13x13 and up at batch 1; 7x7 from batch 4), F(2x2) below
// (winogradTileChoose: at 7x7, batch 1, 4 tiles of 4x4 fill a quarter of a 16-wide register
// tile and U, 4x the weights, dominates the memory traffic; F(2x2) has 16 tiles and U = 16/9
// of the weights); direct only for layers too small to amortize packing; im2col otherwise.
ConvAlgo convAlgoChoose(const Conv2dShape& s) {
  if (convAlgoSupports(ConvAlgo::Depthwise, s)) return ConvAlgo::Depthwise;
  if (convAlgoSupports(ConvAlgo::Gemm1x1, s)) return ConvAlgo::Gemm1x1;
  if (convAlgoSupports(ConvAlgo::Winograd, s) && s.cin >= 16 && s.cout >= 16) {
    // Judged per image (batch 1 is the case to win): F(4x4) from 16 tiles of 4x4 per image,
    // F(2x2) from 16 tiles of 2x2 (7x7 and up).
    const int64_t tiles2 = ((s.outH + 1) / 2) * ((s.outW + 1) / 2);
    if (tiles2 >= 16) return ConvAlgo::Winograd;
  }
  const int64_t macs = s.n * s.cout * s.outH * s.outW * (s.cin / s.groups) * s.kh * s.kw;
  if (macs < 20000) return ConvAlgo::Direct;
  return ConvAlgo::Im2col;
}

// F(4x4) where the batch has >= 16 tiles of 4x4 (its GEMMs span images), F(2x2) below: at 7x7
// (4 tiles of 4x4 per image) F(2x2) wins at batch 1-2, F(4x4) from batch 4, once its 2.25x
// fewer multiplies outweigh streaming a U 2.25x larger. 3x3 512->512 @7, prepacked, 1 thread,
// min ms (bench/ab-conv.ts, 2026-11-25): batch 1 0.72-0.76 vs 2.2; batch 2 1.34 vs 2.04;
// batch 4 2.74 vs 2.47; batch 8 5.4-5.8 vs 4.6-4.8 (ORT 1.0-1.2 / 2.0 / 4.0 / 7.6-8.2).
WinogradTile winogradTileChoose(const Conv2dShape& s) {
  const int64_t tiles4 = ((s.outH + 3) / 4) * ((s.outW + 3) / 4);
  return s.n * tiles4 >= 16 ? WinogradTile::F4 : WinogradTile::F2;
}

void conv2d(const Conv2dShape& s, ConvAlgo algo, Isa isa, const float* x, const float* w,
            const float* bias, float* y, bool relu, WinogradTile wtile) {
  if (!isaSupported(isa)) isa = Isa::Generic;
  if (algo == ConvAlgo::Auto || !convAlgoSupports(algo, s)) algo = convAlgoChoose(s);
  switch (algo) {
    case ConvAlgo::Im2col:
      if (convPixelRowsSuits(s, isa)) return conv2dPixelRowsEager(s, isa, x, w, bias, y, relu);
      return conv2dIm2col(s, isa, x, w, bias, y, relu);
    case ConvAlgo::Gemm1x1:
      if (convPixelRowsSuits(s, isa)) return conv2dPixelRowsEager(s, isa, x, w, bias, y, relu);
      return conv2dGemm1x1(s, isa, x, w, bias, y, relu);
    case ConvAlgo::Depthwise:
      return conv2dDepthwise(s, isa, x, w, bias, y, relu);
    case ConvAlgo::Winograd: {
      // Eager calls reuse a cached U only if the weights are byte-identical to those it was
      // computed from (see winograd_filter_cache.cc); a compiled plan holds its own U.
      std::shared_ptr<const float> u = winogradFilterCached(s, isa, w, wtile);
      if (!u) throw std::bad_alloc();  // the binding turns it into a JS Error
      return conv2dWinograd(s, isa, x, u.get(), bias, y, relu, wtile);
    }
    default: {
      conv2dDirectGeneric(s, x, w, bias, y);
      if (relu) {
        const int64_t count = s.n * s.cout * s.outH * s.outW;
        for (int64_t i = 0; i < count; ++i) y[i] = y[i] < 0.0f ? 0.0f : y[i];
      }
      return;
    }
  }
}

}  // namespace convnode
