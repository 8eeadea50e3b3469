// Average pooling dispatched by ISA: threads over planes, each copied once into a zero-padded
// scratch plane; the per-ISA plane kernel sums windows and divides by the separable divisor.
#include <new>
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {
using PlaneFn = void (*)(const Pool2dShape&, const float*, int64_t, int64_t, const float*,
                         const float*, float*, float*);
PlaneFn planeFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return avgPoolPlaneAvx512;
  if (isa == Isa::Avx2) return avgPoolPlaneAvx2;
#endif
  (void)isa;
  return avgPoolPlaneGeneric;
}

// Number of window positions along one axis that count, per output index (PyTorch's rules:
// clipped to the padded input when countIncludePad, else to the input).
void axisCounts(int64_t out, int64_t in, int64_t k, int64_t stride, int64_t pad,
                bool countIncludePad, float* counts) {
  for (int64_t o = 0; o < out; ++o) {
    int64_t a = o * stride - pad;
    int64_t b = std::min(a + k, in + pad);
    if (!countIncludePad) {
      a = std::max<int64_t>(a, 0);
      b = std::min(b, in);
    }
    counts[o] = static_cast<float>(std::max<int64_t>(b - a, 0));
  }
}
}  // namespace

void avgPool2d(const Pool2dShape& s, Isa isa, bool countIncludePad, int64_t divisorOverride,
               const float* x, float* y) {
  const PlaneFn plane = planeFor(isaSupported(isa) ? isa : Isa::Generic);
  const int64_t ph = std::max(s.h + 2 * s.padH, (s.outH - 1) * s.strideH + s.kh);
  const int64_t ow = (s.outW + 15) / 16 * 16;  // whole vectors per row (see avgpool.inl)
  const int64_t pw = std::max(s.w + 2 * s.padW, (ow - 1) * s.strideW + s.kw);
  const int64_t planeFloats = (ph * pw + ow + 15) / 16 * 16;
  // colCount covers the ow computed columns (the extra ones get divisor 1 and are dropped).
  std::vector<float> rowCount(static_cast<size_t>(s.outH)), colCount(static_cast<size_t>(ow), 1.0f);
  if (divisorOverride > 0) {
    // The product rowCount * colCount must equal the override: put it all in the rows.
    std::fill(rowCount.begin(), rowCount.end(), static_cast<float>(divisorOverride));
    // colCount is already all 1.
  } else {
    axisCounts(s.outH, s.h, s.kh, s.strideH, s.padH, countIncludePad, rowCount.data());
    axisCounts(s.outW, s.w, s.kw, s.strideW, s.padW, countIncludePad, colCount.data());
  }
  const int64_t planes = s.n * s.c;
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
    std::fill(pad, pad + planeFloats, 0.0f);
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
    for (int64_t p = 0; p < planes; ++p) {
      const float* in = x + p * s.h * s.w;
      for (int64_t iy = 0; iy < s.h; ++iy)
        std::memcpy(pad + (iy + s.padH) * pw + s.padW, in + iy * s.w, sizeof(float) * s.w);
      plane(s, pad, pw, ow, rowCount.data(), colCount.data(), pad + ph * pw, y + p * s.outH * s.outW);
    }
  }
  (void)threads;
}

}  // namespace convnode
