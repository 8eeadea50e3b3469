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

// Winograd F(4x4,3x3) transforms over one row of tiles (tw tiles side by side).
// Input: rows is 6 zero-padded input rows of length >= 4*tw + 2 (row stride rs); writes
// v[e * ldv + tx] for the 36 elements e of each tile tx.
// Output: reads m[e * ldm + tx], writes the 4 x (4*tw) outputs into out (row stride os),
// adding bias and applying ReLU. tmp holds >= 36*tw floats.
struct Wino43Fns {
  void (*input)(const float* rows, int64_t rs, int64_t tw, float* v, int64_t ldv, float* tmp);
  void (*output)(const float* m, int64_t ldm, int64_t tw, float bias, bool relu, float* out,
                 int64_t os, float* tmp);
};
const Wino43Fns& wino43Generic();
const Wino43Fns& wino43Avx2();
const Wino43Fns& wino43Avx512();

}  // namespace convnode
