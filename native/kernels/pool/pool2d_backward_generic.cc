// Pooling gradients. Every loop is parallel over (n, c) planes, so no two threads write the
// same dx element.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/threading.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

void maxPool2dBackwardGeneric(const Pool2dShape& s, Isa isa, const float* x, const float* y,
                              const float* dy, float* dx) {
  // Windows that tile the input without padding or dilation (2x2/s2 and the like): no bounds
  // tests, and each window's top-left corner is a plain offset.
  // The windows must also lie inside the input: in ceil mode the last window may hang over
  // the edge, and these loops (which carry no bounds tests) then wrote past dx (heap
  // corruption, e.g. 5x5 input, 2x2/s2, ceilMode; found 2026-11-25).
  const bool tiled = s.padH == 0 && s.padW == 0 && s.dilationH == 1 && s.dilationW == 1 &&
                     s.strideH == s.kh && s.strideW == s.kw && s.outH * s.kh <= s.h &&
                     s.outW * s.kw <= s.w;
  // 2x2/s2 tiled windows on AVX-512.
  const bool vector2x2 = isa == Isa::Avx512 && tiled && s.kh == 2 && s.kw == 2;
  const int64_t planes = s.n * s.c;
  const int64_t planeIn = s.h * s.w;
  const int64_t planeOut = s.outH * s.outW;
  const int threads = threadsFor(planes, planeOut * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = x + p * planeIn;
    float* d = dx + p * planeIn;
#if defined(__x86_64__)
    if (vector2x2) {
      // Every element of the windows is written; only rows / columns past them need zeros.
      if (2 * s.outH != s.h || 2 * s.outW != s.w) std::memset(d, 0, static_cast<size_t>(planeIn) * sizeof(float));
      maxPool2x2BackwardPlaneAvx512(s, in, y + p * planeOut, dy + p * planeOut, d);
      continue;
    }
#endif
    std::memset(d, 0, static_cast<size_t>(planeIn) * sizeof(float));
    if (tiled && s.kh == 2 && s.kw == 2) {
      // 2x2/s2 (LeNet, VGG): every element of a window gets its share (the gradient or 0) in
      // one pass, the first maximum in window order taking it; no scatter, no branch.
      for (int64_t oy = 0; oy < s.outH; ++oy) {
        const float* yrow = y + p * planeOut + oy * s.outW;
        const float* grow = dy + p * planeOut + oy * s.outW;
        const float* r0 = in + 2 * oy * s.w;
        const float* r1 = r0 + s.w;
        float* d0 = d + 2 * oy * s.w;
        float* d1 = d0 + s.w;
        for (int64_t ox = 0; ox < s.outW; ++ox) {
          const float m = yrow[ox], g = grow[ox];
          // The fourth element (r1[2*ox + 1]) is the maximum when the first three are not.
          const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox];
          // NaN windows: the forward returned the first NaN, which is the first "non-equal to
          // itself" element.
          // Non-short-circuit integer logic, so the compiler emits selects, not branches
          // (the position of a window's maximum is random: branches mispredict).
          const int isNan = m != m;
          const int ta = (a == m) | (isNan & (a != a));
          const int tb = (ta ^ 1) & ((b == m) | (isNan & (b != b)));
          const int tc = (ta ^ 1) & (tb ^ 1) & ((c == m) | (isNan & (c != c)));
          const int te = (ta ^ 1) & (tb ^ 1) & (tc ^ 1);
          d0[2 * ox] = ta ? g : 0.0f;
          d0[2 * ox + 1] = tb ? g : 0.0f;
          d1[2 * ox] = tc ? g : 0.0f;
          d1[2 * ox + 1] = te ? g : 0.0f;
        }
      }
      continue;
    }
    if (tiled) {
      for (int64_t oy = 0; oy < s.outH; ++oy) {
        const float* yrow = y + p * planeOut + oy * s.outW;
        const float* grow = dy + p * planeOut + oy * s.outW;
        for (int64_t ox = 0; ox < s.outW; ++ox) {
          const int64_t corner = oy * s.kh * s.w + ox * s.kw;
          const float best = yrow[ox];
          const bool nan = std::isnan(best);
          int64_t at = corner;
          bool found = false;
          for (int64_t ky = 0; ky < s.kh && !found; ++ky) {
            const float* r = in + corner + ky * s.w;
            for (int64_t kx = 0; kx < s.kw; ++kx) {
              if (r[kx] == best || (nan && std::isnan(r[kx]))) {
                at = corner + ky * s.w + kx;
                found = true;
                break;
              }
            }
          }
          d[at] += grow[ox];
        }
      }
      continue;
    }
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      for (int64_t ox = 0; ox < s.outW; ++ox) {
        const float best = y[p * planeOut + oy * s.outW + ox];
        const bool nan = std::isnan(best);
        int64_t at = -1;
        for (int64_t ky = 0; ky < s.kh && at < 0; ++ky) {
          const int64_t iy = oy * s.strideH - s.padH + ky * s.dilationH;
          if (iy < 0 || iy >= s.h) continue;
          for (int64_t kx = 0; kx < s.kw; ++kx) {
            const int64_t ix = ox * s.strideW - s.padW + kx * s.dilationW;
            if (ix < 0 || ix >= s.w) continue;
            const float v = in[iy * s.w + ix];
            if (v == best || (nan && std::isnan(v))) {
              at = iy * s.w + ix;
              break;
            }
          }
        }
        if (at >= 0) d[at] += dy[p * planeOut + oy * s.outW + ox];
      }
    }
  }
  (void)threads;
}

void avgPool2dBackwardGeneric(const Pool2dShape& s, bool countIncludePad,
                              int64_t divisorOverride, const float* dy, float* dx) {
  const int64_t planes = s.n * s.c;
  const int64_t planeIn = s.h * s.w;
  const int64_t planeOut = s.outH * s.outW;
  const int threads = threadsFor(planes, planeOut * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t p = 0; p < planes; ++p) {
    float* d = dx + p * planeIn;
    std::memset(d, 0, static_cast<size_t>(planeIn) * sizeof(float));
    const float* g = dy + p * planeOut;
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      for (int64_t ox = 0; ox < s.outW; ++ox) {
        const AvgWindow win = avgPoolWindow(s, countIncludePad, divisorOverride, oy, ox);
        if (win.divisor <= 0) continue;
        const float share = g[oy * s.outW + ox] / static_cast<float>(win.divisor);
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix) d[iy * s.w + ix] += share;
      }
    }
  }
  (void)threads;
}

void lpPool2dBackwardGeneric(const Pool2dShape& s, double p, const float* x, const float* y,
                             const float* dy, float* dx) {
  const int64_t planes = s.n * s.c;
  const int64_t planeIn = s.h * s.w;
  const int64_t planeOut = s.outH * s.outW;
  const float pf = static_cast<float>(p);
  const float window = static_cast<float>(s.kh * s.kw);
  const int threads = threadsFor(planes, planeOut * s.kh * s.kw * 8);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t q = 0; q < planes; ++q) {
    float* d = dx + q * planeIn;
    std::memset(d, 0, static_cast<size_t>(planeIn) * sizeof(float));
    const float* in = x + q * planeIn;
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      const int64_t y0 = oy * s.strideH, y1 = std::min(y0 + s.kh, s.h);
      for (int64_t ox = 0; ox < s.outW; ++ox) {
        const int64_t x0 = ox * s.strideW, x1 = std::min(x0 + s.kw, s.w);
        const float out = y[q * planeOut + oy * s.outW + ox];
        const float g = dy[q * planeOut + oy * s.outW + ox];
        if (g == 0.0f || out == 0.0f) continue;  // a zero window has a zero (sub)gradient
        const float count = static_cast<float>((y1 - y0) * (x1 - x0));
        const float scale = g * std::pow(out, 1.0f - pf) * window / count;
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix)
            d[iy * s.w + ix] += scale * std::pow(in[iy * s.w + ix], pf - 1.0f);
      }
    }
  }
  (void)threads;
}

void adaptiveAvgPool2dBackwardGeneric(int64_t n, int64_t c, int64_t h, int64_t w,
                                      int64_t outH, int64_t outW, const float* dy, float* dx) {
  const int64_t planes = n * c;
  const int threads = threadsFor(planes, h * w);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t p = 0; p < planes; ++p) {
    float* d = dx + p * h * w;
    std::memset(d, 0, static_cast<size_t>(h * w) * sizeof(float));
    const float* g = dy + p * outH * outW;
    for (int64_t oy = 0; oy < outH; ++oy) {
      const int64_t y0 = adaptiveStart(oy, h, outH), y1 = adaptiveEnd(oy, h, outH);
      for (int64_t ox = 0; ox < outW; ++ox) {
        const int64_t x0 = adaptiveStart(ox, w, outW), x1 = adaptiveEnd(ox, w, outW);
        const float share = g[oy * outW + ox] / static_cast<float>((y1 - y0) * (x1 - x0));
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) d[iy * w + ix] += share;
      }
    }
  }
  (void)threads;
}

void adaptiveMaxPool2dBackwardGeneric(int64_t n, int64_t c, int64_t h, int64_t w,
                                      int64_t outH, int64_t outW, const float* x,
                                      const float* dy, float* dx) {
  const int64_t planes = n * c;
  const int threads = threadsFor(planes, h * w);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t p = 0; p < planes; ++p) {
    float* d = dx + p * h * w;
    std::memset(d, 0, static_cast<size_t>(h * w) * sizeof(float));
    const float* in = x + p * h * w;
    const float* g = dy + p * outH * outW;
    for (int64_t oy = 0; oy < outH; ++oy) {
      const int64_t y0 = adaptiveStart(oy, h, outH), y1 = adaptiveEnd(oy, h, outH);
      for (int64_t ox = 0; ox < outW; ++ox) {
        const int64_t x0 = adaptiveStart(ox, w, outW), x1 = adaptiveEnd(ox, w, outW);
        float best = -std::numeric_limits<float>::infinity();
        int64_t at = y0 * w + x0;
        bool found = false;
        for (int64_t iy = y0; iy < y1 && !(found && std::isnan(best)); ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) {
            const float v = in[iy * w + ix];
            if (!found || v > best || std::isnan(v)) {
              best = v;
              at = iy * w + ix;
              found = true;
              if (std::isnan(v)) break;
            }
          }
        d[at] += g[oy * outW + ox];
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
