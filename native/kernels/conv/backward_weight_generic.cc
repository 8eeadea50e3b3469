// Weight-gradient pieces for the baseline ISA (see backward_weight.inl): scalar lanes, the
// fallback of non-x86 builds and of CONVNODE_ISA=generic.
#include <algorithm>
#include <cstring>

#include "kernels/conv/backward_weight_isa.h"

namespace convnode {
namespace {
struct Lanes {
  using V = float;
  static constexpr int kW = 1;
  static constexpr int kMi = 4;
  static constexpr int kNj = 4;
  static V load(const float* p) { return *p; }
  static V loadFirst(const float* p, int64_t) { return *p; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V loadPart(const float* p) { return *p; }
  static void storePart(float* p, V v) { *p = v; }
  static void copy(float* d, const float* s, int64_t len) {
    std::memcpy(d, s, static_cast<size_t>(len) * sizeof(float));
  }
};
}  // namespace
}  // namespace convnode

#define BWD_WEIGHT_TABLE bwdWeightGeneric
#include "kernels/conv/backward_weight.inl"
