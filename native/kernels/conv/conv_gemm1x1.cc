// 1x1 convolution as SGEMM: for each image and group, Y_g[coutG, HW] = W_g[coutG, cinG] x
// X_g[cinG, HW], bias and ReLU fused into the GEMM's store. NCHW makes X_g a row-major matrix
// already, so stride 1 needs no copy at all; stride > 1 gathers the sampled pixels first.
#include <algorithm>
#include <limits>
#include <new>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

void conv1x1Subsample(const Conv2dShape& s, const float* xb, float* dst) {
  const int64_t hw = s.outH * s.outW;
  const int threads = threadsFor(s.cin, hw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t c = 0; c < s.cin; ++c) {
    const float* plane = xb + c * s.h * s.w;
    float* d = dst + c * hw;
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      const float* row = plane + oy * s.strideH * s.w;
      for (int64_t ox = 0; ox < s.outW; ++ox) d[oy * s.outW + ox] = row[ox * s.strideW];
    }
  }
  (void)threads;
}

void conv1x1Gemms(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                  const float* packedW, const float* bias, bool relu, float clampMax,
                  bool accumulate, float* y, float* sub) {
  const int64_t cinG = s.cin / s.groups, coutG = s.cout / s.groups;
  const int64_t hw = s.outH * s.outW;
  const bool strided = s.strideH != 1 || s.strideW != 1;
  // Packed weights were laid out for the micro-kernel chosen from this layer's shape (8x48 for
  // 64 / 128 channels on AVX-512): multiply with that same one.
  const GemmKernelTable* kernel = packedW ? packedKernel(s, isa) : nullptr;
  const int64_t per = packedW ? sgemmPackedAFloats(kernel, coutG, cinG) : 0;
  for (int64_t b = 0; b < s.n; ++b) {
    const float* xb = x + b * s.cin * s.h * s.w;
    if (strided) {
      conv1x1Subsample(s, xb, sub);
      xb = sub;
    }
    for (int64_t g = 0; g < s.groups; ++g) {
      GemmShape gs;
      gs.m = coutG;
      gs.n = hw;
      gs.k = cinG;
      gs.lda = cinG;
      gs.ldb = hw;
      gs.ldc = hw;
      gs.beta = accumulate ? 1.0f : 0.0f;
      GemmEpilogue ep;
      ep.relu = relu;
      ep.clampMax = clampMax;
      if (bias) {
        ep.bias = bias + g * coutG;
        ep.biasMode = BiasMode::PerRow;
      }
      float* yg = y + (b * s.cout + g * coutG) * hw;
      if (packedW) sgemmPrepackedA(kernel, gs, packedW + g * per, xb + g * cinG * hw, yg, ep);
      else sgemmIsa(isa, gs, w + g * coutG * cinG, xb + g * cinG * hw, yg, ep);
    }
  }
}

void conv2dGemm1x1(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                   const float* bias, float* y, bool relu, const float* packedW) {
  // Weights packed by convGemmPackWeights for a few-channel layer are in the implicit-GEMM
  // layout: run that path (any kernel size) with them.
  if (convSmallCinEligible(s, isa)) return conv2dIm2col(s, isa, x, w, bias, y, relu, packedW);
  // Several images: pack the weights once for all of them instead of once per image's GEMM
  // (see conv2dIm2col for the measurements and where it does not).
  AlignedFloats packedOnce;
  if (!packedW) packedW = convGemmPackForBatch(s, isa, w, &packedOnce);
  AlignedFloats sub;
  if (s.strideH != 1 || s.strideW != 1) {
    sub = allocFloats(static_cast<size_t>(s.cin * s.outH * s.outW));
    if (!sub) throw std::bad_alloc();
  }
  conv1x1Gemms(s, isa, x, w, packedW, bias, relu, std::numeric_limits<float>::infinity(),
               /*accumulate=*/false, y, sub.get());
}

}  // namespace convnode
