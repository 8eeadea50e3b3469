#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/threading.h"
#include "kernels/eltwise/eltwise.h"

namespace convnode {

void unaryGeneric(UnaryOp op, float alpha, const float* x, float* y, int64_t count) {
  const int threads = threadsFor(count, 4);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t i = 0; i < count; ++i) {
    const float v = x[i];
    float r;
    switch (op) {
      case UnaryOp::Relu:
        r = v > 0.0f ? v : (std::isnan(v) ? v : 0.0f);
        break;
      case UnaryOp::Relu6:
        r = std::isnan(v) ? v : std::min(std::max(v, 0.0f), 6.0f);
        break;
      case UnaryOp::LeakyRelu:
        r = v > 0.0f ? v : v * alpha;
        break;
      case UnaryOp::Sigmoid:
        // Split by sign so exp never overflows.
        if (v >= 0.0f) {
          r = 1.0f / (1.0f + std::exp(-v));
        } else {
          const float e = std::exp(v);
          r = e / (1.0f + e);
        }
        break;
      case UnaryOp::Tanh:
        r = std::tanh(v);
        break;
      default:
        r = v;
    }
    y[i] = r;
  }
  (void)threads;
}

namespace {
inline float applyBinary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add:
      return a + b;
    case BinaryOp::Sub:
      return a - b;
    case BinaryOp::Mul:
      return a * b;
    case BinaryOp::Div:
      return a / b;
  }
  return 0.0f;
}
}  // namespace

void binaryBroadcastGeneric(BinaryOp op, const BroadcastShape& s, const float* a,
                            const float* b, float* y) {
  // The last dimension runs contiguously in the output; the outer ones are walked by an
  // odometer that is re-seeded per chunk so chunks can run on different threads.
  const int r = s.rank;
  if (r == 0) {
    y[0] = applyBinary(op, a[0], b[0]);
    return;
  }
  const int64_t inner = s.outShape[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; ++d) rows *= s.outShape[d];
  const int64_t sa = s.strideA[r - 1], sb = s.strideB[r - 1];
  const int threads = threadsFor(rows, inner);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t row = 0; row < rows; ++row) {
    int64_t offA = 0, offB = 0, rem = row;
    for (int d = r - 2; d >= 0; --d) {
      const int64_t idx = rem % s.outShape[d];
      rem /= s.outShape[d];
      offA += idx * s.strideA[d];
      offB += idx * s.strideB[d];
    }
    float* out = y + row * inner;
    const float* pa = a + offA;
    const float* pb = b + offB;
    for (int64_t i = 0; i < inner; ++i) out[i] = applyBinary(op, pa[i * sa], pb[i * sb]);
  }
  (void)threads;
}

void softmaxGeneric(bool logSoftmax, int64_t outer, int64_t dim, int64_t inner, const float* x,
                    float* y) {
  const int64_t jobs = outer * inner;
  const int threads = threadsFor(jobs, dim * 8);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t o = job / inner, in = job % inner;
    const float* src = x + o * dim * inner + in;
    float* dst = y + o * dim * inner + in;
    float mx = -INFINITY;
    for (int64_t d = 0; d < dim; ++d) mx = std::max(mx, src[d * inner]);
    if (std::isinf(mx) && mx < 0) mx = 0.0f;  // all -inf: keep exp(-inf - 0) = 0
    double sum = 0.0;
    for (int64_t d = 0; d < dim; ++d) sum += std::exp(static_cast<double>(src[d * inner] - mx));
    if (logSoftmax) {
      const float lse = static_cast<float>(std::log(sum));
      for (int64_t d = 0; d < dim; ++d) dst[d * inner] = src[d * inner] - mx - lse;
    } else {
      const double inv = 1.0 / sum;
      for (int64_t d = 0; d < dim; ++d)
        dst[d * inner] = static_cast<float>(std::exp(static_cast<double>(src[d * inner] - mx)) * inv);
    }
  }
  (void)threads;
}

void concatGeneric(int64_t count, const float* const* parts, const int64_t* sizes,
                   int64_t outer, int64_t inner, float* y) {
  int64_t total = 0;
  for (int64_t i = 0; i < count; ++i) total += sizes[i];
  for (int64_t o = 0; o < outer; ++o) {
    float* dst = y + o * total * inner;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t chunk = sizes[i] * inner;
      if (chunk > 0) std::memcpy(dst, parts[i] + o * chunk, static_cast<size_t>(chunk) * sizeof(float));
      dst += chunk;
    }
  }
}

namespace {
// SplitMix64: a well-mixed hash of (seed, index); the top 24 bits give a uniform float.
inline uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

void dropoutGeneric(float p, uint64_t seed, const float* x, float* y, float* mask,
                    int64_t count) {
  const float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  const uint64_t base = splitmix64(seed);
  const int threads = threadsFor(count, 8);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t i = 0; i < count; ++i) {
    const float u = static_cast<float>(splitmix64(base ^ static_cast<uint64_t>(i)) >> 40) *
                    (1.0f / 16777216.0f);
    const float m = u < p ? 0.0f : scale;
    mask[i] = m;
    y[i] = x[i] * m;
  }
  (void)threads;
}

}  // namespace convnode
