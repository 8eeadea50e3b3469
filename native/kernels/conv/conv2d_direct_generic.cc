#include "kernels/conv/conv2d.h"

#include <algorithm>

#include "core/threading.h"

namespace convnode {

namespace {
// First and one-past-last output column whose input column ox*stride - pad + offset lies in
// [0, inW).
inline void validRange(int64_t outSize, int64_t inSize, int64_t stride, int64_t start,
                       int64_t* lo, int64_t* hi) {
  // in = o*stride + start, need 0 <= in < inSize.
  int64_t first = start >= 0 ? 0 : (-start + stride - 1) / stride;
  int64_t last = (inSize - 1 - start) < 0 ? -1 : (inSize - 1 - start) / stride;
  *lo = std::min(first, outSize);
  *hi = std::max(*lo, std::min(last + 1, outSize));
}
}  // namespace

void conv2dDirectGeneric(const Conv2dShape& s, const float* x, const float* weight,
                         const float* bias, float* y) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t coutG = s.cout / s.groups;
  const int64_t planeIn = s.h * s.w;
  const int64_t planeOut = s.outH * s.outW;
  const int64_t jobs = s.n * s.cout;
  const int threads = threadsFor(jobs, planeOut * cinG * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t b = job / s.cout;
    const int64_t oc = job % s.cout;
    const int64_t g = oc / coutG;
    float* out = y + job * planeOut;
    const float init = bias ? bias[oc] : 0.0f;
    for (int64_t i = 0; i < planeOut; ++i) out[i] = init;
    for (int64_t icg = 0; icg < cinG; ++icg) {
      const int64_t ic = g * cinG + icg;
      const float* in = x + (b * s.cin + ic) * planeIn;
      const float* wk = weight + ((oc * cinG) + icg) * s.kh * s.kw;
      for (int64_t ky = 0; ky < s.kh; ++ky) {
        int64_t oyLo, oyHi;
        validRange(s.outH, s.h, s.strideH, ky * s.dilationH - s.padTop, &oyLo, &oyHi);
        for (int64_t kx = 0; kx < s.kw; ++kx) {
          const float wv = wk[ky * s.kw + kx];
          const int64_t xStart = kx * s.dilationW - s.padLeft;
          int64_t oxLo, oxHi;
          validRange(s.outW, s.w, s.strideW, xStart, &oxLo, &oxHi);
          for (int64_t oy = oyLo; oy < oyHi; ++oy) {
            const int64_t iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            const float* row = in + iy * s.w + xStart;
            float* orow = out + oy * s.outW;
            for (int64_t ox = oxLo; ox < oxHi; ++ox) orow[ox] += wv * row[ox * s.strideW];
          }
        }
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
