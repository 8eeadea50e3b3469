// Max pooling without indices (inference), dispatched by ISA: threads over (image, channel)
// planes; each thread copies its plane into a -inf padded scratch plane once, then the
// per-ISA plane kernel runs bounds-free. The indexed variant (training) stays in
// pool2d_generic.cc.
#include <new>
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {
using PlaneFn = void (*)(const Pool2dShape&, const float*, int64_t, int64_t, float*, float*);
PlaneFn planeFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return maxPoolPlaneAvx512;
  if (isa == Isa::Avx2) return maxPoolPlaneAvx2;
#endif
  (void)isa;
  return maxPoolPlaneGeneric;
}
// The intrinsics kernel for 2x2 / 3x3 windows (maxpool_avx512.cc): GoogLeNet's and ResNet's
// pools.
bool fastSuits(const Pool2dShape& s, Isa isa) {
  return isa == Isa::Avx512 && (s.kh == 2 || s.kh == 3) && s.kw == s.kh && s.strideH == s.strideW &&
         (s.strideW == 1 || s.strideW == 2) && s.dilationH == 1 && s.dilationW == 1;
}

}  // namespace

void maxPool2d(const Pool2dShape& s, Isa isa, const float* x, float* y) {
  isa = isaSupported(isa) ? isa : Isa::Generic;
  const int64_t planes = s.n * s.c;
#if defined(__x86_64__)
  // CONVNODE_MAXPOOL_DIRECT=0 turns the direct kernel off (A/B, differential tests).
  static const bool directOn = [] {
    const char* e = std::getenv("CONVNODE_MAXPOOL_DIRECT");
    return !e || e[0] != '0';
  }();
  if (directOn && fastSuits(s, isa)) {
    // In place, no scratch; a plane with a NaN sends the whole call to the padded path below.
    bool clean = true;
    const int threads = threadsFor(planes, s.outH * s.outW * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads) reduction(&& : clean)
    {
      int64_t p0 = 0, p1 = 0;
      threadShare(planes, &p0, &p1);
      clean = maxPoolDirectAvx512(s, x, y, p0, p1);
    }
#else
    clean = maxPoolDirectAvx512(s, x, y, 0, planes);
#endif
    (void)threads;
    if (clean) return;
  }
#endif
  const PlaneFn plane = planeFor(isa);
  // Rows/columns any window can touch, ceil-mode overhang included.
  const int64_t ph = std::max(s.h + 2 * s.padH, (s.outH - 1) * s.strideH + s.dilationH * (s.kh - 1) + 1);
  const int64_t ow = (s.outW + 15) / 16 * 16;  // whole vectors per row (see maxpool.inl)
  const int64_t pw = std::max(s.w + 2 * s.padW, (ow - 1) * s.strideW + s.dilationW * (s.kw - 1) + 1);
  // + the output row buffer (ow) and the 3x3/s2 kernel's column-max row (2*ow + 2); that region
  // is also the slack maxPoolPlaneSmallAvx512 reads past the last row (<= 2*ow + 16), and its
  // column-max row vm follows.
  const int64_t tail = std::max<int64_t>(3 * ow + 2, 2 * ow + 16);
  const int64_t planeFloats = (ph * pw + tail + 2 * ow + 16 + 15) / 16 * 16;
  // (planes without NaN: the AVX-512 copy into the padded plane checks).
  const bool fastKxK = fastSuits(s, isa);
  const int threads = threadsFor(planes, s.outH * s.outW * s.kh * s.kw + s.h * s.w);
  AlignedFloats scratch = allocFloats(static_cast<size_t>(planeFloats * threads));
  if (!scratch) throw std::bad_alloc();  // the binding turns it into a JS Error
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    float* pad = scratch.get() + omp_get_thread_num() * planeFloats;
#else
    float* pad = scratch.get();
#endif
    std::fill(pad, pad + planeFloats, -__builtin_inff());
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
    for (int64_t p = 0; p < planes; ++p) {
      const float* in = x + p * s.h * s.w;
      // Only the interior changes from plane to plane; the -inf border is written once.
#if defined(__x86_64__)
      if (fastKxK) {
        if (!maxPoolCopyPlaneAvx512(in, s.h, s.w, pad, pw, s.padH, s.padW)) {
          maxPoolPlaneSmallAvx512(s, pad, pw, pad + ph * pw + tail, y + p * s.outH * s.outW);
          continue;
        }
      } else
#endif
      for (int64_t iy = 0; iy < s.h; ++iy)
        std::memcpy(pad + (iy + s.padH) * pw + s.padW, in + iy * s.w, sizeof(float) * s.w);
      plane(s, pad, pw, ow, pad + ph * pw, y + p * s.outH * s.outW);
    }
  }
  (void)threads;
}

}  // namespace convnode
