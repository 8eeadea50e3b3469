// Per-ISA pieces of the conv2d weight gradient for layers with few output channels and taps
// (LeNet's 6x25 and 16x150): dW_g[coutG, K] = dY_g[coutG, B*P] x col[K, B*P]^T is a product
// with a tiny result and a very long inner dimension, which the packed SGEMM handles badly
// (a 14-row register tile 6/14 used, B transposed while packing, 8 tiles per 1 MB of packing).
// Here both operands stay in place, each accumulator holds one vector of partial sums over the
// inner dimension, and the lanes are summed once at the end.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

// Partial sums of the dot-product kernel: part[(i*n + j)*kDotLanes + l], lane l of C[i][j].
// 16 lanes on every ISA (AVX2 and generic use the first 8 / 1), so the layout does not depend
// on the ISA.
constexpr int64_t kDotLanes = 16;

struct BwdWeightFns {
  // im2col of one image and group into rows `ldcol` floats apart (as im2colGeneric), with
  // vector copies for stride-1 rows: LeNet's 24- and 8-float rows made memcpy calls cost
  // more than the copies (5% of a training step, 2026-11-25). Single-threaded.
  void (*im2col)(const Conv2dShape& s, const float* image, int64_t group, float* col,
                 int64_t ldcol);
  // part[i][j][lanes] += partial sums of sum_k a[i*lda + k] * b[j*ldb + k], i < m, j < n, over
  // C's columns [j0, j1) only (a thread's share).
  void (*dotAccumulate)(int64_t m, int64_t n, int64_t j0, int64_t j1, int64_t k, const float* a,
                        int64_t lda, const float* b, int64_t ldb, float* part);
  // The same product with B read in place as shifted views of `count` images (stride-1
  // layers, conv_shifted.h): B's row j for image b is x + b*xStride + off[j], read below len
  // only; A's row i for image b is dyw + b*dywStride + i*ldy, zero wherever q is not an output
  // pixel, ldy >= len rounded up to `lanes`.
  void (*dotShiftedAccumulate)(int64_t m, int64_t n, int64_t j0, int64_t j1, int64_t count,
                               const float* dyw, int64_t dywStride, int64_t ldy, const float* x,
                               int64_t xStride, const int64_t* off, int64_t len, float* part);
  // Register block of dotAccumulate along C's columns: threads split C's columns in multiples.
  int64_t colBlock;
};

const BwdWeightFns& bwdWeightGeneric();
const BwdWeightFns& bwdWeightAvx2();
const BwdWeightFns& bwdWeightAvx512();

}  // namespace convnode
