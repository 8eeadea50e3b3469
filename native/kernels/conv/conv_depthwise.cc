// Depthwise convolution driver (groups == cin, any channel multiplier): threads over (image,
// input channel). 3x3 layers on AVX-512 (stride 2, or stride 1 keeping the width) run
// dw3x3PlaneAvx512 straight from the input plane; the others copy each input plane once into
// a zero-padded scratch plane so the per-ISA plane kernel (depthwise_<isa>.cc) runs without
// bounds tests, then produce every output channel fed by that input channel.
#include <new>
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_isa.h"

namespace convnode {

namespace {
DwPlaneFn dwPlaneFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return dwPlaneAvx512;
  if (isa == Isa::Avx2) return dwPlaneAvx2;
#endif
  (void)isa;
  return dwPlaneGeneric;
}

// min(., clampMax) over one output plane while it is still in cache (a NaN stays NaN).
void clampPlane(float* y, int64_t count, float clampMax) {
  for (int64_t i = 0; i < count; ++i) y[i] = y[i] > clampMax ? clampMax : y[i];
}

#if defined(__x86_64__)
// Masked-load 3x3 planes (AVX-512): no padded copy, so threads take output channels.
void depthwise3x3Avx512(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                        float* y, bool relu, float clampMax) {
  const int64_t mult = s.cout / s.cin;
  const int64_t inPlane = s.h * s.w, outPlane = s.outH * s.outW;
  if (mult == 1 && dw3x3Avx512PlanesEligible(s)) {
    const int64_t planes = s.n * s.cout;
    const int threads = threadsFor(planes, outPlane * 9);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
    {
      int64_t p0 = 0, p1 = 0;
      threadShare(planes, &p0, &p1);
      // Runs of planes within one image (weights and bias index by channel).
      for (int64_t p = p0; p < p1;) {
        const int64_t oc = p % s.cout, run = std::min(p1 - p, s.cout - oc);
        dw3x3PlanesAvx512(s, x + p * inPlane, inPlane, w + oc * 9, bias ? bias + oc : nullptr, relu, clampMax,
                          y + p * outPlane, outPlane, run);
        p += run;
      }
    }
    (void)threads;
    return;
  }
  // The flattened stride-1 kernels' per-chunk tap masks (none for the planes path above).
  std::vector<uint16_t> masks(static_cast<size_t>(dw3x3Avx512MaskCount(s)));
  if (!masks.empty()) dw3x3Avx512Masks(s, masks.data());
  if (mult == 1 && s.cout % 2 == 0 && dw3x3Avx512PairEligible(s)) {
    // Channel pairs share mask loads and loop overhead on small planes (MobileNetV2 step
    // minima, 1 thread, 2026-11-25: 960 @7x7 0.024 -> 0.017 ms, 576 @14x14 0.042 -> 0.030,
    // 192 @28x28 0.049 -> 0.040).
    const int64_t pairs = s.n * s.cout / 2;
    const int threads = threadsFor(pairs, 2 * outPlane * 9);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
    for (int64_t pr = 0; pr < pairs; ++pr) {
      const int64_t oc = (pr * 2) % s.cout;
      dw3x3PairAvx512(s, x + pr * 2 * inPlane, inPlane, w + oc * 9, bias ? bias + oc : nullptr, relu, clampMax,
                      masks.data(), y + pr * 2 * outPlane, outPlane);
    }
    (void)threads;
    return;
  }
  const int64_t jobs = s.n * s.cout;
  const int threads = threadsFor(jobs, outPlane * 9);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t b = job / s.cout, oc = job % s.cout;
    dw3x3PlaneAvx512(s, x + (b * s.cin + oc / mult) * inPlane, w + oc * 9, bias ? bias[oc] : 0.0f,
                     relu, clampMax, masks.data(), y + job * outPlane);
  }
  (void)threads;
}
#endif
}  // namespace

void conv2dDepthwise(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                     const float* bias, float* y, bool relu, float clampMax) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512 && dw3x3Avx512Eligible(s))
    return depthwise3x3Avx512(s, x, w, bias, y, relu, clampMax);
#endif
  const bool clamp = clampMax < std::numeric_limits<float>::infinity();
  const DwPlaneFn plane = dwPlaneFor(isa);
  const int64_t mult = s.cout / s.cin;
  const int64_t ph = s.h + s.padTop + s.padBottom;
  // +16: the stride-2 3x3 path may read one column past the last one it uses when vectorized
  // loads are rounded; keeping slack (zeros) avoids any out-of-bounds read.
  const int64_t pw = s.w + s.padLeft + s.padRight;
  const int64_t planeFloats = (ph * pw + 16 + 15) / 16 * 16;
  const int64_t jobs = s.n * s.cin;
  int threads = threadsFor(jobs, mult * s.outH * s.outW * s.kh * s.kw);
  AlignedFloats scratch = allocFloats(static_cast<size_t>(planeFloats * threads));
  if (!scratch) throw std::bad_alloc();  // the binding turns it into a JS Error
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    float* pad = scratch.get() + tid * planeFloats;
    std::memset(pad, 0, sizeof(float) * planeFloats);
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t b = job / s.cin, ic = job % s.cin;
      const float* in = x + job * s.h * s.w;
      // Borders stay zero from the memset: only the interior is rewritten per plane.
      for (int64_t iy = 0; iy < s.h; ++iy)
        std::memcpy(pad + (iy + s.padTop) * pw + s.padLeft, in + iy * s.w, sizeof(float) * s.w);
      for (int64_t m = 0; m < mult; ++m) {
        const int64_t oc = ic * mult + m;
        float* out = y + (b * s.cout + oc) * s.outH * s.outW;
        plane(s, pad, pw, w + oc * s.kh * s.kw, bias ? bias[oc] : 0.0f, relu, out);
        if (clamp) clampPlane(out, s.outH * s.outW, clampMax);
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
