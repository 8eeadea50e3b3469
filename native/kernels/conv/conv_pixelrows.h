// Convolution as a "pixels as rows" GEMM, AVX-512 and AVX2 (conv_pixelrows.cc driver,
// conv_pixelrows_{avx512,avx2}.cc micro-kernels), for compiled plans (weights packed once) and
// eager im2col / gemm1x1 calls (packed per call) where convPixelRowsSuits says so.
//
// Why: the usual orientation Y[cout, pixels] = W[cout, K] x col[K, pixels] puts the pixels on
// the micro-kernel's 32-wide columns, and late layers have few pixels: 7x7 = 49 fills 77% of
// two 32-wide tiles, 14x14 = 196 fills 87.5%. Here Y^T[pixels, cout] = col^T x W^T, with a
// register tile of 7 pixels x 64 output channels: every ResNet / GoogLeNet / MobileNet output
// size (49, 196, 784, 3136) is a multiple of 7, so the row tiles are full, and cout (64 ..
// 2048) fills the 64-wide columns. The tile is transposed in registers at the store, which
// writes NCHW with bias, ReLU, clamp (ReLU6) and the residual add (accumulate) fused.
//
// A (pixels x K) is read in place: col[k][p0 .. p0+6] are 7 consecutive floats of the input
// itself for a stride-1 1x1 conv; for other stride-1/2 layers a tile is 7 pixels of one output
// row (the last tile of a row shorter when outW % 7 != 0), which lie `stride` apart in the
// input (a zero-padded copy when the layer pads or rows end in short tiles); stride 3 and up
// come from an im2col column matrix. W^T is packed once (plan creation) into 64-wide panels
// [cout/64][K][64] (AVX2: 7 x 16 tiles, 16-wide panels).
#pragma once
#include <cstdint>
#include <limits>

#include "core/cpu_features.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

// Fused output stage: y = min(act(conv + bias [+ y]), clampMax); accumulate = y holds a
// residual on entry.
struct PixelRowsEpilogue {
  const float* bias = nullptr;
  bool relu = false;
  float clampMax = std::numeric_limits<float>::infinity();
  bool accumulate = false;
};

// Whether the path can run this layer on `isa` (AVX-512 or AVX2, groups 1).
bool convPixelRowsEligible(const Conv2dShape& s, Isa isa);
// Whether compiled plans should use it for this layer (the measured rule is in the .cc).
bool convPixelRowsSuits(const Conv2dShape& s, Isa isa);

// Weights packed for `isa`'s micro-kernel (64-wide panels on AVX-512, 16-wide on AVX2).
int64_t convPixelRowsPackedFloats(const Conv2dShape& s, Isa isa);
void convPixelRowsPackWeights(const Conv2dShape& s, Isa isa, const float* w, float* packed);
// Plan scratch for one call (the column matrix, when the layer needs one).
int64_t convPixelRowsScratchFloats(const Conv2dShape& s);
// y[n, cout, outH, outW]; scratch: convPixelRowsScratchFloats(s) floats, 64-byte aligned.
// Threaded over numThreads().
void conv2dPixelRows(const Conv2dShape& s, Isa isa, const float* x, const float* packed,
                     const PixelRowsEpilogue& ep, float* y, float* scratch);

// Eager calls (conv2d with algo im2col or gemm1x1, conv2d.cc, where convPixelRowsSuits holds):
// the weights packed on this call, bias and ReLU fused.
void conv2dPixelRowsEager(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                          const float* bias, float* y, bool relu);

// The micro-kernels (conv_pixelrows_avx512.cc, conv_pixelrows_avx2.cc). One 7 x NR tile
// (NR = 64 on AVX-512, 16 on AVX2) over kc taps:
//   acc[i][j] (+)= sum_k A(k, i) * b[k*NR + j]
// A(k, i) = a[k*lda + i] (koff null: a column matrix, or a stride-1 1x1 conv's input), or
// a[koff[k] + i*sw] with sw 1 or 2 (the padded input read in place: koff[k] is tap k's offset
// from the tile's first pixel).
// first: start from 0, else from ct (the 7 x NR partial tile, row-major); !last: store to ct;
// last: y[j*ldy + i] = epilogue(acc[i][j] + bias[j]) for i < mr, j < nr (NCHW: channel j
// at stride ldy, pixels contiguous). prefetchB: software-prefetch the weights ahead (the first
// tile of a panel block reads them from memory).
struct PixelRowsA {
  const float* a = nullptr;
  int64_t lda = 0;
  const int64_t* koff = nullptr;
  int sw = 1;
};
struct PixelRowsUkParams {
  const float* bias = nullptr;  // bias of the tile's first channel (nr valid), or nullptr
  bool relu = false;
  bool clamp = false;
  float clampMax = 0.0f;
  bool accumulate = false;
  // Lines to prefetch (AVX-512 kernel), one per tap: a slice of the weight block after this
  // one, so that block's first tile does not wait on memory (conv_pixelrows.cc). Non-temporal
  // hint: see conv_pixelrows_avx512.cc.
  const float* prefetchNext = nullptr;
  int64_t prefetchLines = 0;
};
constexpr int kPixelRowsMr = 7;
constexpr int kPixelRowsNr = 64;
void f32_conv_pixelrows_ukernel_7x64__avx512f(int64_t kc, const PixelRowsA& a, const float* b,
                                              float* ct, bool first, bool last, float* y,
                                              int64_t ldy, int64_t mr, int64_t nr,
                                              const PixelRowsUkParams& p, bool prefetchB);
void f32_conv_pixelrows_ukernel_7x16__avx2_fma(int64_t kc, const PixelRowsA& a, const float* b,
                                               float* ct, bool first, bool last, float* y,
                                               int64_t ldy, int64_t mr, int64_t nr,
                                               const PixelRowsUkParams& p, bool prefetchB);

}  // namespace convnode
