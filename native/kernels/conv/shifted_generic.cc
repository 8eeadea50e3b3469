// Shifted-view conv product (conv_shifted.h) for the baseline ISA: scalar accumulators, the
// fallback of non-x86 builds and of CONVNODE_ISA=generic.
#include <algorithm>
#include <cstdint>

#include "kernels/conv/conv_shifted.h"

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
