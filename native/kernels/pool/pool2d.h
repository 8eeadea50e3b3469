// 2-D pooling over each (n, c) plane, PyTorch semantics: symmetric padding (at most half the
// kernel), optional dilation for max pooling, ceil mode whose last window must start inside
// the input or its left padding.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace convnode {

struct Pool2dShape {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t kh = 1, kw = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t padH = 0, padW = 0;
  int64_t dilationH = 1, dilationW = 1;
  int64_t outH = 0, outW = 0;
};

// PyTorch's pooling_output_shape: the same formula as conv with symmetric padding, plus the
// ceil-mode rule. Returns <= 0 when the window does not fit.
inline int64_t poolOutputSize(int64_t in, int64_t k, int64_t pad, int64_t stride,
                              int64_t dilation, bool ceilMode) {
  int64_t numer = in + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  if (numer < 0) return 0;
  int64_t out = numer / stride + 1;
  if (ceilMode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Adaptive pooling window i of `out` over `in`: [floor(i*in/out), ceil((i+1)*in/out)).
inline int64_t adaptiveStart(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
inline int64_t adaptiveEnd(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// The input rows [y0, y1) and columns [x0, x1) an average-pool output reads, and its divisor
// (PyTorch's rule: the window clipped to the padded input when countIncludePad, to the input
// otherwise; divisorOverride > 0 replaces both). Shared by the forward and backward kernels.
struct AvgWindow {
  int64_t y0, y1, x0, x1, divisor;
};
inline AvgWindow avgPoolWindow(const Pool2dShape& s, bool countIncludePad, int64_t divisorOverride,
                               int64_t oy, int64_t ox) {
  int64_t y0 = oy * s.strideH - s.padH;
  int64_t y1 = y0 + s.kh < s.h + s.padH ? y0 + s.kh : s.h + s.padH;
  int64_t x0 = ox * s.strideW - s.padW;
  int64_t x1 = x0 + s.kw < s.w + s.padW ? x0 + s.kw : s.w + s.padW;
  const int64_t padded = (y1 - y0) * (x1 - x0);
  y0 = y0 < 0 ? 0 : y0;
  x0 = x0 < 0 ? 0 : x0;
  y1 = y1 < s.h ? y1 : s.h;
  x1 = x1 < s.w ? x1 : s.w;
  const int64_t divisor = divisorOverride > 0 ? divisorOverride : countIncludePad ? padded : (y1 - y0) * (x1 - x0);
  return {y0, y1, x0, x1, divisor};
}

// argmax (nullable) receives the flat index h*w of each maximum inside its plane, as PyTorch's
// return_indices, so backward can route gradients. NaN propagates as in PyTorch.
void maxPool2dGeneric(const Pool2dShape& s, const float* x, float* y, int32_t* argmax);

// The same without indices, vectorized per ISA (maxpool_<isa>.cc) over a padded plane.
void maxPool2d(const Pool2dShape& s, Isa isa, const float* x, float* y);
void maxPoolPlaneGeneric(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        float* row, float* out);
void maxPoolPlaneAvx2(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        float* row, float* out);
void maxPoolPlaneAvx512(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        float* row, float* out);
// 2x2 or 3x3, stride 1 or 2, no dilation, and no NaN in the plane (maxpool_avx512.cc); vm:
// scratch of >= 2 * roundUp(outW, 16) + 16 floats, and the plane readable that far past its
// last row.
void maxPoolPlaneSmallAvx512(const Pool2dShape& s, const float* pad, int64_t pw, float* vm,
                             float* out);
// 2x2 or 3x3, stride 1 or 2 on both axes, no dilation: planes [p0, p1) straight from the input
// (no padded copy, maxpool_avx512.cc); false (outputs partly
// written) when one holds a NaN.
bool maxPoolDirectAvx512(const Pool2dShape& s, const float* x, float* y, int64_t p0, int64_t p1);
// Copies a plane into the interior of the padded plane; true when it held a NaN.
bool maxPoolCopyPlaneAvx512(const float* in, int64_t h, int64_t w, float* pad, int64_t pw,
                            int64_t padH, int64_t padW);

// countIncludePad: divide by the window clipped to the padded input (PyTorch's default) rather
// than by the window clipped to the input. divisorOverride > 0 replaces both.
void avgPool2dGeneric(const Pool2dShape& s, bool countIncludePad, int64_t divisorOverride,
                      const float* x, float* y);

// The same, vectorized per ISA (avgpool_<isa>.cc) over a zero-padded plane; dilation 1.
void avgPool2d(const Pool2dShape& s, Isa isa, bool countIncludePad, int64_t divisorOverride,
               const float* x, float* y);
void avgPoolPlaneGeneric(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        const float* rowCount, const float* colCount, float* row, float* out);
void avgPoolPlaneAvx2(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                      const float* rowCount, const float* colCount, float* row, float* out);
void avgPoolPlaneAvx512(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        const float* rowCount, const float* colCount, float* row, float* out);

// PyTorch's lp_pool2d: (avg_pool2d(x^p) * kh*kw)^(1/p), no padding.
void lpPool2dGeneric(const Pool2dShape& s, double p, const float* x, float* y);

// Adaptive pooling: window i covers [floor(i*H/oh), ceil((i+1)*H/oh)).
void adaptiveAvgPool2dGeneric(int64_t n, int64_t c, int64_t h, int64_t w, int64_t outH,
                              int64_t outW, const float* x, float* y);
void adaptiveMaxPool2dGeneric(int64_t n, int64_t c, int64_t h, int64_t w, int64_t outH,
                              int64_t outW, const float* x, float* y);

}  // namespace convnode

namespace convnode {

// Gradients of the pooling ops; dx is overwritten, [n, c, h, w].
// Routes each output's gradient to the first element of its window equal to the output (the
// one the forward picked), found again from x and y: the forward needs no index buffer, so
// training uses the same fast max-pool kernel as inference.
// `isa` Avx512: 2x2/s2 windows inside the input run maxPool2x2BackwardPlaneAvx512.
void maxPool2dBackwardGeneric(const Pool2dShape& s, Isa isa, const float* x, const float* y,
                              const float* dy, float* dx);
// One plane of the 2x2/s2 case (maxpool_backward_avx512.cc): writes every element of the
// 2*outH x 2*outW windows (x86-64 only).
void maxPool2x2BackwardPlaneAvx512(const Pool2dShape& s, const float* x, const float* y,
                                   const float* dy, float* dx);
void avgPool2dBackwardGeneric(const Pool2dShape& s, bool countIncludePad,
                              int64_t divisorOverride, const float* dy, float* dx);
// Needs the forward input x and output y: d/dx_i = y^(1-p) * x_i^(p-1) * (kh*kw / count).
void lpPool2dBackwardGeneric(const Pool2dShape& s, double p, const float* x, const float* y,
                             const float* dy, float* dx);
void adaptiveAvgPool2dBackwardGeneric(int64_t n, int64_t c, int64_t h, int64_t w,
                                      int64_t outH, int64_t outW, const float* dy, float* dx);
// Recomputes each window's first maximum from x, as the forward chose it.
void adaptiveMaxPool2dBackwardGeneric(int64_t n, int64_t c, int64_t h, int64_t w,
                                      int64_t outH, int64_t outW, const float* x,
                                      const float* dy, float* dx);

}  // namespace convnode
