// Shifted-view conv product (conv_shifted.h) for the baseline ISA: scalar accumulators, the
// fallback of non-x86 builds and of CONVNODE_ISA=generic.
#include <algorithm>
#include <cstdint>

#include "kernels/conv/conv_shifted.h"

// No auto-vectorization in this file. GCC 12 -O3 packed the adjoint's scalar weight reads of
// two output channels into one vector (movq of w[oc*taps + i..i+1], then movhps of the same
// pair for oc + 1, whose half it never uses): on the last channel that reads 8 bytes past the
// weights, and a weight tensor ending at an unmapped page took the process down (SIGSEGV in
// adjointBlock<2, 4>, test/kernels/conv2d-shifted.test.ts under CONVNODE_ISA=generic, ~1 run in
// 5 of an uninstrumented cmake build, 2026-11-25; the node-gyp build had the same code, and
// no-tree-slp-vectorize alone kept it). The scalar fallback loses nothing that matters.
#pragma GCC optimize("no-tree-vectorize")

namespace convnode {
namespace {
struct Lanes {
  using V = float;
  static constexpr int kW = 1;
  static constexpr int kMi = 4;
  static constexpr int kNv(int) { return 4; }
  static V zero() { return 0.0f; }
  static V load(const float* p, int64_t) { return *p; }
  static V bcast(const float* p) { return *p; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static void store(float* p, V v) { *p = v; }
};
}  // namespace
}  // namespace convnode

#define SHIFTED_PRODUCT_NAME shiftedProductGeneric
#define SHIFTED_ADJOINT_NAME shiftedAdjointGeneric
#include "kernels/conv/shifted.inl"
