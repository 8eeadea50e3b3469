#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/threading.h"
#include "kernels/eltwise/eltwise.h"

namespace convnode {

void unaryBackwardGeneric(UnaryOp op, float alpha, const float* saved, const float* dy,
                          float* dx, int64_t count) {
  // One branch-free loop per derivative (a select of constants times the gradient: a select
  // of loads counts as control flow for GCC's vectorizer, and the activations' random signs
  // would mispredict a branch), on restrict pointers so each loop vectorizes.
  const float* __restrict s = saved;
  const float* __restrict g = dy;
  float* __restrict d = dx;
  const int threads = threadsFor(count, 4);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
    int64_t begin = 0, end = 0;
    threadShare(count, &begin, &end);
    switch (op) {
      case UnaryOp::Relu:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i] * (s[i] > 0.0f ? 1.0f : 0.0f);
        break;
      case UnaryOp::Relu6:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i] * ((s[i] > 0.0f) & (s[i] < 6.0f) ? 1.0f : 0.0f);
        break;
      case UnaryOp::LeakyRelu:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i] * (s[i] > 0.0f ? 1.0f : alpha);
        break;
      case UnaryOp::Sigmoid:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i] * s[i] * (1.0f - s[i]);
        break;
      case UnaryOp::Tanh:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i] * (1.0f - s[i] * s[i]);
        break;
      default:
        for (int64_t i = begin; i < end; ++i) d[i] = g[i];
    }
  }
  (void)threads;
}

void softmaxBackwardGeneric(bool logSoftmax, int64_t outer, int64_t dim, int64_t inner,
                            const float* y, const float* dy, float* dx) {
  const int64_t jobs = outer * inner;
  const int threads = threadsFor(jobs, dim * 4);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t o = job / inner, in = job % inner;
    const int64_t base = o * dim * inner + in;
    double acc = 0.0;
    if (logSoftmax) {
      for (int64_t d = 0; d < dim; ++d) acc += dy[base + d * inner];
      for (int64_t d = 0; d < dim; ++d) {
        const int64_t at = base + d * inner;
        dx[at] = dy[at] - std::exp(y[at]) * static_cast<float>(acc);
      }
    } else {
      for (int64_t d = 0; d < dim; ++d) acc += static_cast<double>(dy[base + d * inner]) * y[base + d * inner];
      for (int64_t d = 0; d < dim; ++d) {
        const int64_t at = base + d * inner;
        dx[at] = y[at] * (dy[at] - static_cast<float>(acc));
      }
    }
  }
  (void)threads;
}

void crossEntropyGeneric(int64_t n, int64_t c, const float* logits, const int32_t* labels,
                         float smoothing, int32_t ignoreIndex, float* loss, float* probs) {
  const int threads = threadsFor(n, c * 8);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits + i * c;
    float* p = probs + i * c;
    float mx = -INFINITY;
    for (int64_t j = 0; j < c; ++j) mx = std::max(mx, z[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < c; ++j) sum += std::exp(static_cast<double>(z[j] - mx));
    const double lse = std::log(sum) + mx;  // log sum exp z
    double zMean = 0.0;
    for (int64_t j = 0; j < c; ++j) {
      p[j] = static_cast<float>(std::exp(static_cast<double>(z[j]) - lse));
      zMean += z[j];
    }
    zMean /= static_cast<double>(c);
    const int32_t label = labels[i];
    if (label == ignoreIndex) {
      loss[i] = 0.0f;
      continue;
    }
    // -sum_j q_j (z_j - lse) = (1-s)(lse - z_label) + s (lse - mean z)
    const double nll = lse - z[label];
    const double smooth = lse - zMean;
    loss[i] = static_cast<float>((1.0 - smoothing) * nll + smoothing * smooth);
  }
  (void)threads;
}

}  // namespace convnode
