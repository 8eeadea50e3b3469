// 2-D convolution, NCHW, PyTorch semantics: weight [cout, cin/groups, kh, kw], asymmetric
// padding allowed, dilation, groups (depthwise when groups == cin == cout).
#pragma once
#include <cstdint>

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

}  // namespace convnode

namespace convnode {

// im2col for one image and one group: col[(icg*kh + ky)*kw + kx][oy*outW + ox] =
// x[g*cinG + icg][oy*sh - padTop + ky*dh][ox*sw - padLeft + kx*dw] (0 outside the input).
// col holds (cin/groups)*kh*kw rows of outH*outW floats.
void im2colGeneric(const Conv2dShape& s, const float* image, int64_t group, float* col);
// The adjoint of im2col: accumulates col back into the (group's channels of the) image.
void col2imGeneric(const Conv2dShape& s, const float* col, int64_t group, float* image);

// Gradients of conv2d. dy is [n, cout, outH, outW].
// dx = conv2d^T(dy, weight) (overwritten), [n, cin, h, w].
void conv2dBackwardInputGeneric(const Conv2dShape& s, const float* dy, const float* weight,
                                float* dx);
// dweight (overwritten) [cout, cin/groups, kh, kw]; dbias (nullable, overwritten) [cout].
void conv2dBackwardWeightGeneric(const Conv2dShape& s, const float* dy, const float* x,
                                 float* dweight, float* dbias);

}  // namespace convnode
