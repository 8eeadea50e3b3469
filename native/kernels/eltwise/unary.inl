// Activation kernels shared by unary_{generic,avx2,avx512}.cc (each includes this after its
// target pragma and names the entry UNARY_NAME). One branch-free loop per op so every op
// vectorizes, sigmoid and tanh included (through expNonPositive).
#include "kernels/eltwise/vecmath.inl"

namespace convnode {
namespace {

void reluLoop(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = v < 0.0f ? 0.0f : v;  // NaN is not < 0: kept, as torch.relu
  }
}
void relu6Loop(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float lo = v < 0.0f ? 0.0f : v;
    y[i] = lo > 6.0f ? 6.0f : lo;
  }
}
void leakyLoop(const float* __restrict x, float* __restrict y, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = v > 0.0f ? v : v * alpha;
  }
}
// 1/(1+e^-v) for v >= 0, e^v/(1+e^v) for v < 0: e = e^-|v| never overflows.
void sigmoidLoop(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float a = v < 0.0f ? -v : v;
    const float e = expNonPositive(-a);
    const float inv = 1.0f / (1.0f + e);
    y[i] = v < 0.0f ? e * inv : (v != v ? v : inv);
  }
}
// tanh|v| = (1 - e)/(1 + e), e = e^-2|v|; below |v| = 0.04 the odd Taylor polynomial avoids
// the cancellation in 1 - e (its error there is < 1e-11).
void tanhLoop(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float a = v < 0.0f ? -v : v;
    const float e = expNonPositive(-2.0f * a);
    const float big = (1.0f - e) / (1.0f + e);
    const float a2 = a * a;
    const float small = a * (1.0f + a2 * (-1.0f / 3 + a2 * (2.0f / 15)));
    const float t = a < 0.04f ? small : big;
    y[i] = v < 0.0f ? -t : (v != v ? v : t);
  }
}

}  // namespace

void UNARY_NAME(UnaryOp op, float alpha, const float* x, float* y, int64_t count) {
  switch (op) {
    case UnaryOp::Relu: return reluLoop(x, y, count);
    case UnaryOp::Relu6: return relu6Loop(x, y, count);
    case UnaryOp::LeakyRelu: return leakyLoop(x, y, count, alpha);
    case UnaryOp::Sigmoid: return sigmoidLoop(x, y, count);
    case UnaryOp::Tanh: return tanhLoop(x, y, count);
  }
}

}  // namespace convnode

// Softmax over one contiguous row (the [N, C] logits case): max, exp and sum, scale; every
// loop vectorizes (sum in float lanes: < 1e-6 relative for rows of thousands of classes).
namespace convnode {
namespace {

// Reductions keep 16 independent partial results (one per lane), so they vectorize without
// -ffast-math's reassociation; lanes are combined once at the end.
constexpr int kLanes = 16;

float rowMax(const float* __restrict x, int64_t n) {
  float part[kLanes];
  for (int l = 0; l < kLanes; ++l) part[l] = -__builtin_inff();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] = x[i + l] > part[l] ? x[i + l] : part[l];
  float m = -__builtin_inff();
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;  // NaN skipped here, propagated by exp below
  for (int l = 0; l < kLanes; ++l) m = part[l] > m ? part[l] : m;
  return m;
}

float expShiftSum(const float* __restrict x, float* __restrict y, int64_t n, float shift) {
  for (int64_t i = 0; i < n; ++i) y[i] = expNonPositive(x[i] - shift);
  float part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] += y[i + l];
  float sum = 0.0f;
  for (; i < n; ++i) sum += y[i];
  for (int l = 0; l < kLanes; ++l) sum += part[l];
  return sum;
}

void scaleRow(float* __restrict y, int64_t n, float s) {
  for (int64_t i = 0; i < n; ++i) y[i] *= s;
}

void shiftRow(const float* __restrict x, float* __restrict y, int64_t n, float s) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] - s;
}

}  // namespace

void SOFTMAX_ROW_NAME(bool logSoftmax, const float* x, float* y, int64_t n) {
  float mx = rowMax(x, n);
  if (mx == -__builtin_inff()) mx = 0.0f;  // all -inf: exp(-inf) = 0, as softmaxGeneric
  const float sum = expShiftSum(x, y, n, mx);
  if (logSoftmax) shiftRow(x, y, n, mx + std::log(sum));
  else scaleRow(y, n, 1.0f / sum);
}

}  // namespace convnode
