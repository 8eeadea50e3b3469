// Per-ISA pieces of the convolution algorithms (SIMD inner loops), declared once and defined
// in <algo>_<isa>.cc files compiled with that ISA's target. conv2d.cc and the algorithm
// drivers pick one by Isa; the *Avx2 / *Avx512 symbols exist only on x86-64.
#pragma once
#include <cstdint>

#include "kernels/conv/conv2d.h"

namespace convnode {

// Depthwise: one output plane (channel oc of image b), given the zero-padded input plane
// `pad` of size (h + padTop + padBottom) x pw.
using DwPlaneFn = void (*)(const Conv2dShape& s, const float* pad, int64_t pw, const float* w,
                           float bias, bool relu, float* out);
void dwPlaneGeneric(const Conv2dShape& s, const float* pad, int64_t pw, const float* w,
                    float bias, bool relu, float* out);
void dwPlaneAvx2(const Conv2dShape& s, const float* pad, int64_t pw, const float* w, float bias,
                 bool relu, float* out);
void dwPlaneAvx512(const Conv2dShape& s, const float* pad, int64_t pw, const float* w,
                   float bias, bool relu, float* out);

// Depthwise 3x3, AVX-512 only (depthwise3x3_avx512.cc): one output plane read straight from
// the unpadded input plane `in` with masked loads, bias / ReLU / clamp fused. Eligible: 3x3,
// dilation 1, stride 2x2, or stride 1x1 with outW == w. Stride 1 needs the per-layer lane
// masks: dw3x3Avx512MaskCount(s) uint16 filled once by dw3x3Avx512Masks (0 for stride 2).
bool dw3x3Avx512Eligible(const Conv2dShape& s);
int64_t dw3x3Avx512MaskCount(const Conv2dShape& s);
void dw3x3Avx512Masks(const Conv2dShape& s, uint16_t* masks);
void dw3x3PlaneAvx512(const Conv2dShape& s, const float* in, const float* w, float bias,
                      bool relu, float clampMax, const uint16_t* masks, float* out);
// Two channels at once (w: 18 weights, bias: 2 or nullptr; planes at in + k*inStride and
// out + k*outStride), for the flattened stride-1 layout only (dw3x3Avx512PairEligible).
bool dw3x3Avx512PairEligible(const Conv2dShape& s);
// `count` planes at once (in + k*inStride -> out + k*outStride, weights w + 9k, bias + k) for the
// kernels whose per-plane set-up is worth sharing: stride 1, pad 1, 7 / 14 / 28 / 56 wide (16-pixel
// chunks on the 64-byte grid of each input plane, no split loads), and stride 2 with <= 7
// outputs a row (two rows a vector).
bool dw3x3Avx512PlanesEligible(const Conv2dShape& s);
void dw3x3PlanesAvx512(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                       const float* bias, bool relu, float clampMax, float* out, int64_t outStride,
                       int64_t count);
void dw3x3PairAvx512(const Conv2dShape& s, const float* in, int64_t inStride, const float* w,
                     const float* bias, bool relu, float clampMax, const uint16_t* masks,
                     float* out, int64_t outStride);

// im2col: fills col[(ic, ky, kx)][(oy - oy0, ox)] for output rows [oy0, oy0 + rows) of one
// group (plane0 = its first input channel), zeros where a tap reads padding. Threaded inside.
using Im2colFillFn = void (*)(const Conv2dShape& s, const float* plane0, int64_t cinG,
                              int64_t oy0, int64_t rows, float* col);
void im2colFillGeneric(const Conv2dShape& s, const float* plane0, int64_t cinG, int64_t oy0,
                       int64_t rows, float* col);
void im2colFillAvx2(const Conv2dShape& s, const float* plane0, int64_t cinG, int64_t oy0,
                    int64_t rows, float* col);
void im2colFillAvx512(const Conv2dShape& s, const float* plane0, int64_t cinG, int64_t oy0,
                      int64_t rows, float* col);

// Few input channels (RGB stems), AVX-512 only (conv_smallcin_avx512.cc): implicit GEMM over a
// phase-split copy of the input, weights packed in 8-channel panels. Used by conv2dIm2col when
// convSmallCinEligible (conv_im2col.cc).
int64_t convSmallCinPackedFloats(const Conv2dShape& s);
void convSmallCinPackAvx512(const Conv2dShape& s, const float* w, float* packed);
void conv2dSmallCinAvx512(const Conv2dShape& s, const float* x, const float* packed,
                          const float* bias, float* y, bool relu, float clampMax);
bool convSmallCinEligible(const Conv2dShape& s, Isa isa);

// The SGEMM micro-kernel table that convGemmPackWeights packs for (conv_im2col.cc).
struct GemmKernelTable;
const GemmKernelTable* packedKernel(const Conv2dShape& s, Isa isa);

// Winograd F(m x m, 3x3) transforms over one row of tiles (tw tiles side by side), alpha = m + 2
// (F(4x4): 6x6 tiles, winograd43.inl; F(2x2): 4x4 tiles, winograd22.inl).
// Input: rows is alpha zero-padded input rows of length >= m*tw + 4 (row stride rs); writes
// v[e * ldv + tx] for the alpha^2 elements e of each tile tx.
// Output: reads m[e * ldm + tx], writes the m x (m*tw) outputs into out (row stride os),
// adding bias and applying ReLU. tmp holds >= 36*tw + 10*rs floats.
// inputPlane / outputPlane (nullptr where a variant has none): the same over tile rows
// ty0 .. ty0+nrows-1 of one channel plane at once, the nrows*tw tiles t = j*tw + tx as the
// vector lanes (small images: a single tile row fills a fraction of a vector), reading the
// image plane (h x w, zero outside) and writing the output plane (outH x outW) directly.
struct WinoFns {
  void (*input)(const float* rows, int64_t rs, int64_t tw, float* v, int64_t ldv, float* tmp);
  void (*output)(const float* m, int64_t ldm, int64_t tw, float bias, bool relu, float* out,
                 int64_t os, float* tmp);
  void (*inputPlane)(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                     int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv, float* tmp);
  void (*outputPlane)(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                      float bias, bool relu, float* y, int64_t outH, int64_t outW, float* tmp);
  // Optional (AVX-512 F(4x4)): inputPlane's contract for any tw, reading the unpadded plane
  // directly (tmp unused); when present it serves every layer, row-sized images included.
  void (*inputTiles)(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                     int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv,
                     float* tmp) = nullptr;
  // Optional (AVX-512): the output transform of tiles t = j*tw + tx (tile rows ty0 + j of one
  // channel plane y, j < nrows), m[e*ldm + t], written straight into y with bias, the residual
  // (accumulate: y += ...), ReLU and the clamp fused, in that order.
  void (*outputTiles)(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                      float bias, float* y, int64_t outH, int64_t outW, bool accumulate,
                      bool relu, float clampMax) = nullptr;
  // Optional (AVX-512 F(4x4)): the same from the transposed products, M^T: element e of tile t
  // for channel c at m[e*ldm + t*ldt + c], nch <= 16 channels of planes planeOut apart.
  void (*outputTilesT)(const float* m, int64_t ldm, int64_t ldt, int64_t nch, const float* bias,
                       int64_t ty0, int64_t nrows, int64_t tw, float* y, int64_t planeOut,
                       int64_t outH, int64_t outW, bool accumulate, bool relu,
                       float clampMax) = nullptr;
};
// Scratch the plane variants need for tile size alpha (m + 2).
inline int64_t winoPlaneTmpFloats(int64_t alpha, int64_t nrows, int64_t tw) {
  const int64_t m = alpha - 2;
  return (m * nrows + alpha) * (m * tw + alpha) + (2 * alpha * alpha + 1) * nrows * tw + 64;
}
using Wino43Fns = WinoFns;
const WinoFns& wino22Generic();
const WinoFns& wino22Avx2();
const WinoFns& wino22Avx512();
const Wino43Fns& wino43Generic();
const Wino43Fns& wino43Avx2();
const Wino43Fns& wino43Avx512();

}  // namespace convnode
