#include "kernels/gemm/gemm.h"

namespace convnode {

void sgemm(const GemmShape& s, const float* a, const float* b, float* c) {
  if (s.m <= 0 || s.n <= 0) return;
  sgemmGeneric(s, a, b, c);
}

}  // namespace convnode
