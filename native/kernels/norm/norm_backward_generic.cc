#include <algorithm>
#include <cmath>
#include <vector>

#include "core/threading.h"
#include "kernels/norm/norm.h"

namespace convnode {

void batchNormTrainGeneric(int64_t n, int64_t c, int64_t inner, const float* x,
                           const float* gamma, const float* beta, float eps, float* y,
                           float* mean, float* var, float* invStd) {
  const int64_t count = n * inner;
  const int threads = threadsFor(c, count * 4);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t ch = 0; ch < c; ++ch) {
    // Two passes in double: the mean, then the centered second moment (stable for large means).
    double sum = 0.0;
    for (int64_t b = 0; b < n; ++b) {
      const float* p = x + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) sum += p[i];
    }
    const double mu = sum / static_cast<double>(count);
    double sq = 0.0;
    for (int64_t b = 0; b < n; ++b) {
      const float* p = x + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const double d = p[i] - mu;
        sq += d * d;
      }
    }
    const double v = sq / static_cast<double>(count);
    const double is = 1.0 / std::sqrt(v + eps);
    mean[ch] = static_cast<float>(mu);
    var[ch] = static_cast<float>(v);
    invStd[ch] = static_cast<float>(is);
    const float scale = static_cast<float>(is) * (gamma ? gamma[ch] : 1.0f);
    const float shift = (beta ? beta[ch] : 0.0f) - static_cast<float>(mu) * scale;
    for (int64_t b = 0; b < n; ++b) {
      const float* p = x + (b * c + ch) * inner;
      float* q = y + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) q[i] = p[i] * scale + shift;
    }
  }
  (void)threads;
}

void batchNormBackwardGeneric(bool training, int64_t n, int64_t c, int64_t inner,
                              const float* x, const float* dy, const float* mean,
                              const float* invStd, const float* gamma, float* dx,
                              float* dgamma, float* dbeta) {
  const int64_t count = n * inner;
  const int threads = threadsFor(c, count * 6);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t ch = 0; ch < c; ++ch) {
    const float mu = mean[ch], is = invStd[ch];
    double sumDy = 0.0, sumDyXhat = 0.0;
    for (int64_t b = 0; b < n; ++b) {
      const float* px = x + (b * c + ch) * inner;
      const float* pg = dy + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        sumDy += pg[i];
        sumDyXhat += static_cast<double>(pg[i]) * (px[i] - mu) * is;
      }
    }
    if (dgamma) dgamma[ch] = static_cast<float>(sumDyXhat);
    if (dbeta) dbeta[ch] = static_cast<float>(sumDy);
    const float g = gamma ? gamma[ch] : 1.0f;
    const float meanDy = static_cast<float>(sumDy / static_cast<double>(count));
    const float meanDyXhat = static_cast<float>(sumDyXhat / static_cast<double>(count));
    for (int64_t b = 0; b < n; ++b) {
      const float* px = x + (b * c + ch) * inner;
      const float* pg = dy + (b * c + ch) * inner;
      float* pd = dx + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        if (training) {
          const float xhat = (px[i] - mu) * is;
          pd[i] = g * is * (pg[i] - meanDy - xhat * meanDyXhat);
        } else {
          pd[i] = g * is * pg[i];
        }
      }
    }
  }
  (void)threads;
}

void lrnBackwardGeneric(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha,
                        float beta, float k, const float* x, const float* dy, float* dx) {
  const int64_t before = size / 2;
  const int64_t after = (size - 1) / 2;
  const float alphaOverSize = alpha / static_cast<float>(size);
  const int threads = threadsFor(n * inner, c * 8);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
    // Per-thread scratch, allocated once per call.
    std::vector<float> scale(static_cast<size_t>(c)), t(static_cast<size_t>(c));
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static) collapse(2)
#endif
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < inner; ++i) {
      const float* px = x + b * c * inner + i;
      const float* pg = dy + b * c * inner + i;
      float* pd = dx + b * c * inner + i;
      // t_i = dy_i x_i s_i^(-beta-1)
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t lo = std::max<int64_t>(0, ch - before), hi = std::min<int64_t>(c - 1, ch + after);
        float sum = 0.0f;
        for (int64_t j = lo; j <= hi; ++j) sum += px[j * inner] * px[j * inner];
        const float s = k + alphaOverSize * sum;
        scale[static_cast<size_t>(ch)] = s;
        t[static_cast<size_t>(ch)] = pg[ch * inner] * px[ch * inner] * std::pow(s, -beta - 1.0f);
      }
      for (int64_t j = 0; j < c; ++j) {
        // Channels i whose window contains j: j - after <= i <= j + before.
        const int64_t lo = std::max<int64_t>(0, j - after), hi = std::min<int64_t>(c - 1, j + before);
        float acc = 0.0f;
        for (int64_t i2 = lo; i2 <= hi; ++i2) acc += t[static_cast<size_t>(i2)];
        pd[j * inner] = pg[j * inner] * std::pow(scale[static_cast<size_t>(j)], -beta) -
                        2.0f * alphaOverSize * beta * px[j * inner] * acc;
      }
    }
  }
  }
  (void)threads;
}

}  // namespace convnode
