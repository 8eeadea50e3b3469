// Per-plane loops of batch norm and LRN, shared by norm_plane_{generic,avx2,avx512}.cc (each
// includes it after its target pragma and names the table NORM_FNS_NAME).
#include <cmath>

namespace convnode {
namespace {

void affinePlane(const float* __restrict x, float* __restrict y, int64_t n, float scale,
                 float shift) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale + shift;
}

void squareAccumulate(const float* __restrict x, float* __restrict acc, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += x[i] * x[i];
}

// y = x / (k + a*acc)^beta; beta = 0.75 (AlexNet, GoogLeNet) as 1/sqrt(d*sqrt(d)), which
// vectorizes, where pow is a libm call per element.
__attribute__((optimize("no-math-errno"))) void lrnScale(const float* __restrict x,
                                                         const float* __restrict acc,
                                                         float* __restrict y, int64_t n, float k,
                                                         float alphaOverSize, float beta) {
  if (beta == 0.75f) {
    for (int64_t i = 0; i < n; ++i) {
      const float d = k + alphaOverSize * acc[i];
      y[i] = x[i] / std::sqrt(d * std::sqrt(d));
    }
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] / std::pow(k + alphaOverSize * acc[i], beta);
  }
}

}  // namespace

const NormPlaneFns& NORM_FNS_NAME() {
  static const NormPlaneFns fns = {affinePlane, squareAccumulate, lrnScale};
  return fns;
}

}  // namespace convnode
