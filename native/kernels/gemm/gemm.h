// Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major, op = transpose or not.
#pragma once
#include <cstdint>

namespace convnode {

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool transA = false, transB = false;
  int64_t lda = 0, ldb = 0, ldc = 0;  // row strides of the stored A, B, C
  float alpha = 1.0f, beta = 0.0f;
};

// Reference-quality generic path: loops ordered so the innermost one walks contiguous memory.
void sgemmGeneric(const GemmShape& s, const float* a, const float* b, float* c);

// The GEMM every other kernel calls: the best implementation for the active ISA.
void sgemm(const GemmShape& s, const float* a, const float* b, float* c);

}  // namespace convnode
