// Depthwise convolution driver (groups == cin, any channel multiplier): threads over (image,
// input channel); each thread copies its input plane once into a zero-padded scratch plane so
// the per-ISA plane kernel (depthwise_<isa>.cc) runs without bounds tests, then produces every
// output channel fed by that input channel.
#include <new>
#include <algorithm>
#include <cstring>

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
}  // namespace

void conv2dDepthwise(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                     const float* bias, float* y, bool relu) {
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
        plane(s, pad, pw, w + oc * s.kh * s.kw, bias ? bias[oc] : 0.0f, relu,
              y + (b * s.cout + oc) * s.outH * s.outW);
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
