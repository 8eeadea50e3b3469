// 2-D convolution, NCHW, PyTorch semantics: weight [cout, cin/groups, kh, kw], asymmetric
// padding allowed, dilation, groups (depthwise when groups == cin == cout).
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "core/aligned_buffer.h"
#include "core/cpu_features.h"

namespace convnode {

struct Conv2dShape {
  int64_t n = 0, cin = 0, h = 0, w = 0;  // input
  int64_t cout = 0, kh = 0, kw = 0;      // weight
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  int64_t dilationH = 1, dilationW = 1;
  int64_t groups = 1;
  int64_t outH = 0, outW = 0;
};

// floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1; <= 0 means "too small".
inline int64_t convOutputSize(int64_t in, int64_t padBefore, int64_t padAfter, int64_t k,
                              int64_t stride, int64_t dilation) {
  int64_t span = in + padBefore + padAfter - dilation * (k - 1) - 1;
  if (span < 0) return 0;
  return span / stride + 1;
}

// Straightforward direct convolution (the generic path): each output plane accumulates
// weight * shifted input row, with the valid column range computed once per kernel tap so
// the inner loop carries no bounds test.
void conv2dDirectGeneric(const Conv2dShape& s, const float* x, const float* weight,
                         const float* bias, float* y);

// ---- Algorithms (conv2d.cc dispatches; each lives in its own file, SIMD parts per ISA) ----
enum class ConvAlgo { Auto = 0, Direct, Im2col, Gemm1x1, Winograd, Depthwise };
// Winograd output tile m of F(m x m, 3x3); Auto lets winogradTileChoose decide.
enum class WinogradTile { Auto = 0, F2 = 2, F4 = 4 };
const char* convAlgoName(ConvAlgo a);
// Whether `a` can run this layer: direct and im2col run anything; gemm1x1 needs a 1x1 kernel
// without padding; winograd a 3x3 stride-1 dilation-1 kernel with groups == 1; depthwise
// groups == in_channels (one input channel per group, any multiplier).
bool convAlgoSupports(ConvAlgo a, const Conv2dShape& s);
// The heuristic behind algo 'auto' (rules and provenance in conv2d.cc).
ConvAlgo convAlgoChoose(const Conv2dShape& s);

// y = conv(x, w) + bias, then max(0, .) when relu. `algo` must support the layer (Auto is
// resolved here); `isa` picks the micro-kernels (activeIsa() in production, any supported ISA
// in tests). Scratch is allocated once per call.
// wtile: Winograd's output tile when algo resolves to Winograd (tests and benches force one).
void conv2d(const Conv2dShape& s, ConvAlgo algo, Isa isa, const float* x, const float* w,
            const float* bias, float* y, bool relu = false,
            WinogradTile wtile = WinogradTile::Auto);

// im2col + SGEMM per group, in chunks of output rows so the column buffer stays near L2/L3
// size whatever the layer. On AVX-512, layers with cin <= 4 and groups 1 (RGB stems) run an
// implicit GEMM instead (conv_smallcin_avx512.cc: no column matrix).
// packedW (optional): the weights packed once by convGemmPackWeights for this isa.
// clampMax: min(., clampMax) after the ReLU (ReLU6), in the store (infinity: none).
void conv2dIm2col(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                  const float* bias, float* y, bool relu, const float* packedW = nullptr,
                  float clampMax = std::numeric_limits<float>::infinity());
// The pixels a strided 1x1 conv reads, of one image xb (cin planes), packed as dst[cin][outH*outW].
void conv1x1Subsample(const Conv2dShape& s, const float* xb, float* dst);
// 1x1 convolution as one SGEMM per (image, group): W[cout, cin] x X[cin, H*W]; strided 1x1
// subsamples X first.
void conv2dGemm1x1(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                   const float* bias, float* y, bool relu, const float* packedW = nullptr);
// The GEMMs of conv2dGemm1x1 (and of compiled plans' fused 1x1 steps), every (image, group):
// y = min(act(W x X + bias [+ y]), clampMax), all in the GEMM's store (accumulate: y holds a
// residual on entry). Weights from packedW (A panels for packedKernel(s, isa)) when given, else
// from w; a strided layer's sampled pixels are gathered into `sub` (s.cin * outH * outW floats)
// first.
void conv1x1Gemms(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                  const float* packedW, const float* bias, bool relu, float clampMax,
                  bool accumulate, float* y, float* sub);
// Eager im2col / gemm1x1 calls on several images: the weights packed once by
// convGemmPackWeights into *own, or nullptr where the call should not pack them (one image, or
// per-image products that read the weights in place: sgemmReadsAInPlace).
const float* convGemmPackForBatch(const Conv2dShape& s, Isa isa, const float* w, AlignedFloats* own);

// Weights [cout, cin/g * kh * kw] packed per group into the SGEMM A-panel layout of `isa` (of
// the micro-kernel chosen for cout/g x outH*outW; the implicit-GEMM layout where that path
// runs), for compiled plans: im2col and gemm1x1 then skip repacking the weights on every call (for a
// 512->512 3x3 layer that is 9.4 MB of strided copies per call).
int64_t convGemmPackedFloats(const Conv2dShape& s, Isa isa);
// The packed layout depends on the micro-kernel chosen for (cout/groups, outH*outW) and on the
// ISA: two shapes with equal keys can share packed weights (prepacked handles check it).
int64_t convGemmLayoutKey(const Conv2dShape& s, Isa isa);
void convGemmPackWeights(const Conv2dShape& s, Isa isa, const float* w, float* packed);
// Depthwise (groups == cin): per channel plane; 3x3 on AVX-512 reads the plane with masked
// loads (depthwise3x3_avx512.cc), otherwise a padded copy then SIMD over output columns.
// clampMax: min(., clampMax) after the ReLU (ReLU6 in compiled plans), fused per plane.
void conv2dDepthwise(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                     const float* bias, float* y, bool relu,
                     float clampMax = std::numeric_limits<float>::infinity());

// Winograd F(m x m, 3x3), m = 4 (6x6 tiles, 36 GEMMs, 4x fewer multiplies than direct) or
// m = 2 (4x4 tiles, 16 GEMMs, 2.25x fewer; U is 16/9 of the weights instead of 4x, which
// matters where the layer is bound by streaming U: 7x7 images). The filter transform
// U = G g G^T, alpha^2 matrices [cout][cin] stored already packed in the SGEMM A-panel layout
// of the micro-kernel this layer's GEMMs use on `isa` (so no call repacks them), is computed
// once per weight tensor (winogradTransformFilter) and reused by every call with the same
// layout key (same tile, ISA and micro-kernel; the kernel depends on the tiles per GEMM, so on
// n, outH, outW). tile Auto = winogradTileChoose(s) (rules in conv2d.cc).
WinogradTile winogradTileChoose(const Conv2dShape& s);
int64_t winogradFilterFloats(const Conv2dShape& s, Isa isa, WinogradTile tile = WinogradTile::Auto);
void winogradTransformFilter(const Conv2dShape& s, Isa isa, const float* w, float* u,
                             WinogradTile tile = WinogradTile::Auto);
// accumulate / clampMax (compiled plans' fused residual and ReLU6): the output store computes
// y = min(act(conv + bias + y), clampMax), y holding the residual on entry when accumulate.
void conv2dWinograd(const Conv2dShape& s, Isa isa, const float* x, const float* u,
                    const float* bias, float* y, bool relu, WinogradTile tile = WinogradTile::Auto,
                    bool accumulate = false, float clampMax = __builtin_inff());
// Two shapes with equal keys can share one U (prepacked handles check it).
int64_t winogradLayoutKey(const Conv2dShape& s, Isa isa, WinogradTile tile = WinogradTile::Auto);
// The names compiled plans call (native/plan, binding/session.cc): tile Auto.
inline int64_t winograd43FilterFloats(const Conv2dShape& s, Isa isa) {
  return winogradFilterFloats(s, isa);
}
inline void winograd43TransformFilter(const Conv2dShape& s, Isa isa, const float* w, float* u) {
  winogradTransformFilter(s, isa, w, u);
}
inline void conv2dWinograd43(const Conv2dShape& s, Isa isa, const float* x, const float* u,
                             const float* bias, float* y, bool relu, bool accumulate = false,
                             float clampMax = __builtin_inff()) {
  conv2dWinograd(s, isa, x, u, bias, y, relu, WinogradTile::Auto, accumulate, clampMax);
}
// U for these weights from the process-wide cache (winograd_filter_cache.cc): reused only when
// the weights are byte-identical to those it was computed from and the layout key matches;
// nullptr when out of memory.
std::shared_ptr<const float> winogradFilterCached(const Conv2dShape& s, Isa isa, const float* w,
                                                  WinogradTile tile = WinogradTile::Auto);
size_t winogradFilterCacheBytes();

}  // namespace convnode

namespace convnode {

// im2col for one image and one group: col[(icg*kh + ky)*kw + kx][oy*outW + ox] =
// x[g*cinG + icg][oy*sh - padTop + ky*dh][ox*sw - padLeft + kx*dw] (0 outside the input).
// col holds (cin/groups)*kh*kw rows of outH*outW floats, each row `ldcol` floats apart, so
// several images can sit side by side in one wide column matrix.
void im2colGeneric(const Conv2dShape& s, const float* image, int64_t group, float* col,
                   int64_t ldcol);
// The adjoint of im2col: accumulates col back into the (group's channels of the) image.
void col2imGeneric(const Conv2dShape& s, const float* col, int64_t ldcol, int64_t group,
                   float* image);

// Gradients of conv2d. dy is [n, cout, outH, outW].
// dx = conv2d^T(dy, weight) (overwritten), [n, cin, h, w]: shifted views (conv_shifted.h) for
// the layers conv2dShiftedSuits accepts, on `isa`; otherwise im2col-GEMM + col2im.
void conv2dBackwardInputGeneric(const Conv2dShape& s, Isa isa, const float* dy,
                                const float* weight, float* dx);
// dweight (overwritten) [cout, cin/groups, kh, kw]; dbias (nullable, overwritten) [cout].
// Gemm: im2col + the packed SGEMM (dW_g = dY_g col^T); Dot: im2col + an unpacked kernel whose
// accumulators are vectors of partial sums along the images' pixels, for small dW_g (few
// output channels and taps, e.g. LeNet); Auto picks by conv2dWeightGradUsesDot. `isa` picks
// the Dot kernel's instructions (the SGEMM always runs the active ISA).
// Shifted: the Dot kernel reading the input in place as shifted views (conv_shifted.h), no
// im2col; stride-1 layers only (others run Dot).
enum class ConvWeightGradAlgo { Auto = 0, Gemm, Dot, Shifted };
bool conv2dWeightGradUsesDot(const Conv2dShape& s);
void conv2dBackwardWeight(const Conv2dShape& s, Isa isa, ConvWeightGradAlgo algo,
                          const float* dy, const float* x, float* dweight, float* dbias);

}  // namespace convnode
