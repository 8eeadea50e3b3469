// Stride-1 convolution with few output channels as a product with shifted views of the input
// (an implicit GEMM: no column matrix). With output pixels numbered q = oy*Wp + ox over rows as
// wide as the (padded) input, Wp, the pixel a tap (ic, ky, kx) reads is the input plane's
// element q + off(ic, ky, kx), off = ic*planeStride + ky*dh*Wp + kx*dw, for every q: one
// contiguous run per tap. So
//     Yw_g[oc][q] = sum_taps W_g[oc][tap] * X_g[q + off(tap)],   q < L = (outH-1)*Wp + outW,
// and Y is Yw without its Wp - outW wrap-around columns per row. On LeNet's layers (6 and 16
// output channels) the packed SGEMM's 14-row register tiles are 43% / 57% used and im2col
// copies 24- and 8-float rows; here each register block holds up to 8 output channels x 64
// pixels, and the wrap-around columns (4 of 28, 4 of 12) are the only wasted lanes.
#pragma once
#include <cstdint>
#include <vector>

#include "core/cpu_features.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

// The layout every shifted-view kernel shares (forward, input and weight gradients): output
// pixel q = oy*wp + ox, len of them per plane counting the wrap-around columns, rows of ldy
// (len rounded up to 16); input planes planeStride apart, zero-padded copies (hp x wp) when the
// layer pads or when a kernel always works on a padded image (the input gradient's adjoint);
// off[tap] = ic*planeStride + ky*dh*wp + kx*dw for tap = (ic*kh + ky)*kw + kx.
struct ShiftedGeometry {
  int64_t cinG = 0, coutG = 0, taps = 0;
  bool padded = false;
  int64_t hp = 0, wp = 0, planeStride = 0;
  int64_t len = 0, ldy = 0, hw = 0;
  std::vector<int64_t> off;
};
ShiftedGeometry shiftedGeometry(const Conv2dShape& s, bool alwaysPadded = false);
// The cinG input planes at `in` (h x w each) into the interior of the padded planes at `dst`
// (g.planeStride apart, row pitch g.wp); the borders are left as they are (zero).
void shiftedCopyPadded(const Conv2dShape& s, const ShiftedGeometry& g, const float* in, float* dst);
// The coutG planes of dY at `dy` (outH x outW each) into rows of g.ldy with the padded row
// pitch g.wp; the wrap-around columns and row tails are left as they are (zero).
void shiftedLayoutRows(const Conv2dShape& s, const ShiftedGeometry& g, const float* dy, float* dst);

// Layers conv2dShifted runs (and where it beat im2col + SGEMM): stride 1, at most
// kShiftedMaxCoutG output channels per group, output rows at least half as wide as the input's.
bool conv2dShiftedSuits(const Conv2dShape& s);
// y = conv(x, w) + bias, then max(0, .) when relu; any padding, dilation and groups, stride 1.
void conv2dShifted(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                   const float* bias, float* y, bool relu);

// Per-ISA product (shifted_<isa>.cc): yw[i*ldy + q] = sum_t wt[t*m + i] * x[off[t] + q] for
// i < m, q < len; ldy >= len rounded up to 16 (the tail of each row is written, never read
// back). x is read only at x + off[t] + q, q < len.
using ShiftedProductFn = void (*)(int64_t m, int64_t taps, const float* wt, const float* x,
                                  const int64_t* off, int64_t len, float* yw, int64_t ldy);
void shiftedProductGeneric(int64_t m, int64_t taps, const float* wt, const float* x,
                           const int64_t* off, int64_t len, float* yw, int64_t ldy);
void shiftedProductAvx2(int64_t m, int64_t taps, const float* wt, const float* x,
                        const int64_t* off, int64_t len, float* yw, int64_t ldy);
void shiftedProductAvx512(int64_t m, int64_t taps, const float* wt, const float* x,
                          const int64_t* off, int64_t len, float* yw, int64_t ldy);

// The adjoint, for conv2d's input gradient: dx[off[t] + q] += sum_oc w[oc*taps + t] *
// dyw[oc*ldy + q] for every tap t < taps and q < ldy (ldy a multiple of 16; dyw zero wherever q
// is not an output pixel, so those lanes add zeros). dx must hold every element written.
using ShiftedAdjointFn = void (*)(int64_t taps, int64_t k, const float* w, const float* dyw,
                                  int64_t ldy, const int64_t* off, float* dx);
void shiftedAdjointGeneric(int64_t taps, int64_t k, const float* w, const float* dyw,
                           int64_t ldy, const int64_t* off, float* dx);
void shiftedAdjointAvx2(int64_t taps, int64_t k, const float* w, const float* dyw, int64_t ldy,
                        const int64_t* off, float* dx);
void shiftedAdjointAvx512(int64_t taps, int64_t k, const float* w, const float* dyw,
                          int64_t ldy, const int64_t* off, float* dx);

// Layers whose input gradient conv2dBackwardInputShifted computes faster than im2col-GEMM +
// col2im: those of conv2dShiftedSuits with at most 16 output channels per group (the GEMM's
// inner dimension). 1 thread, min of 150 native.Conv2dBackwardInput calls from node, 2026-11-25,
// shifted vs GEMM + col2im in us (outside a training step the GEMM path's fresh scratch pages
// add faults): LeNet conv2 b64 6->16 5x5 @12: 197 vs 1200 (196 vs 367 inside the step);
// b32 16->16 3x3 p1 @32: 1296 vs 2812; but 16->32 5x5 @14: 1531 vs 1392, b32 64->64 3x3 p1
// @16: 3294 vs 2617.
bool conv2dBackwardInputShiftedSuits(const Conv2dShape& s);
// dx = conv2d's input gradient (overwritten) for the layers conv2dShiftedSuits accepts:
// dy laid out with the padded input's row pitch, the adjoint above into a zero-padded scratch
// image, then its interior copied out. Replaces im2col-GEMM + col2im (whose per-row scatter of
// 8-float rows dominated LeNet's conv2).
void conv2dBackwardInputShifted(const Conv2dShape& s, Isa isa, const float* dy, const float* w,
                                float* dx);

}  // namespace convnode
