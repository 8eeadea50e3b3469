// Driver of the shifted-view convolution (conv_shifted.h): threads over (image, group); each
// job reads its input planes in place (no padding) or from a zero-padded copy, runs the per-ISA
// product into a wide scratch row block, then drops the wrap-around columns while adding the
// bias and applying ReLU.
#include "kernels/conv/conv_shifted.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/threading.h"

namespace convnode {

namespace {

// A/B against im2col + SGEMM, eager calls (weights not prepacked), fused ReLU, 1 thread, min of
// 100-200 native.Conv2d calls from node, random data, 2026-11-25, Zen 5; shifted vs im2col, us:
//   LeNet conv1 b64 1->6 5x5 @28: 100 vs 335      LeNet conv2 b64 6->16 5x5 @12: 133 vs 459
//   b64 16->32 5x5 @14: 483 vs 1622                b32 16->16 3x3 p1 @32: 732 vs 2035
//   b32 64->64 3x3 p1 @16: 1354 vs 4115            b8 64->128 3x3 p1 @8: 385 vs 377
// so up to 64 output channels per group; beyond, the 8-channel register blocks re-read the
// input once per 8 channels and the packed SGEMM's full tiles catch up.
constexpr int64_t kShiftedMaxCoutG = 64;

ShiftedProductFn productFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return shiftedProductAvx512;
  if (isa == Isa::Avx2) return shiftedProductAvx2;
#endif
  (void)isa;
  return shiftedProductGeneric;
}

ShiftedAdjointFn adjointFor(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return shiftedAdjointAvx512;
  if (isa == Isa::Avx2) return shiftedAdjointAvx2;
#endif
  (void)isa;
  return shiftedAdjointGeneric;
}

}  // namespace

ShiftedGeometry shiftedGeometry(const Conv2dShape& s, bool alwaysPadded) {
  ShiftedGeometry g;
  g.cinG = s.cin / s.groups;
  g.coutG = s.cout / s.groups;
  g.taps = g.cinG * s.kh * s.kw;
  g.padded = alwaysPadded || s.padTop || s.padBottom || s.padLeft || s.padRight;
  g.hp = s.h + s.padTop + s.padBottom;
  g.wp = s.w + s.padLeft + s.padRight;
  g.planeStride = g.padded ? g.hp * g.wp : s.h * s.w;
  g.len = (s.outH - 1) * g.wp + s.outW;
  g.ldy = (g.len + 15) / 16 * 16;
  g.hw = s.outH * s.outW;
  g.off.resize(static_cast<size_t>(g.taps));
  for (int64_t ic = 0; ic < g.cinG; ++ic)
    for (int64_t ky = 0; ky < s.kh; ++ky)
      for (int64_t kx = 0; kx < s.kw; ++kx)
        g.off[static_cast<size_t>((ic * s.kh + ky) * s.kw + kx)] =
            ic * g.planeStride + ky * s.dilationH * g.wp + kx * s.dilationW;
  return g;
}

void shiftedCopyPadded(const Conv2dShape& s, const ShiftedGeometry& g, const float* in, float* dst) {
  for (int64_t ic = 0; ic < g.cinG; ++ic)
    for (int64_t iy = 0; iy < s.h; ++iy)
      std::memcpy(dst + ic * g.planeStride + (iy + s.padTop) * g.wp + s.padLeft,
                  in + (ic * s.h + iy) * s.w, sizeof(float) * s.w);
}

void shiftedLayoutRows(const Conv2dShape& s, const ShiftedGeometry& g, const float* dy, float* dst) {
  for (int64_t oc = 0; oc < g.coutG; ++oc)
    for (int64_t oy = 0; oy < s.outH; ++oy)
      std::memcpy(dst + oc * g.ldy + oy * g.wp, dy + oc * g.hw + oy * s.outW, sizeof(float) * s.outW);
}

bool conv2dShiftedSuits(const Conv2dShape& s) {
  const int64_t wp = s.w + s.padLeft + s.padRight;
  return s.strideH == 1 && s.strideW == 1 && s.cout / s.groups <= kShiftedMaxCoutG &&
         2 * s.outW >= wp;
}

bool conv2dBackwardInputShiftedSuits(const Conv2dShape& s) {
  return conv2dShiftedSuits(s) && s.cout / s.groups <= 16;
}

void conv2dShifted(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                   const float* bias, float* y, bool relu) {
  const ShiftedProductFn product = productFor(isa);
  const ShiftedGeometry geo = shiftedGeometry(s);
  const int64_t cinG = geo.cinG, coutG = geo.coutG, taps = geo.taps;
  const bool padded = geo.padded;
  const int64_t planeStride = geo.planeStride, wp = geo.wp, len = geo.len, ldy = geo.ldy;
  const int64_t hw = geo.hw;

  // The weights transposed to [group][tap][oc] (broadcast in order).
  AlignedFloats wt = allocFloats(static_cast<size_t>(s.groups * taps * coutG));
  const int64_t jobs = s.n * s.groups;
  const int threads = threadsFor(jobs, 2 * coutG * taps * len);
  const int64_t padFloats = padded ? cinG * planeStride : 0;
  const int64_t perThread = coutG * ldy + padFloats;
  AlignedFloats scratch = allocFloats(static_cast<size_t>(perThread * threads));
  if (!wt || !scratch) throw std::bad_alloc();  // the binding turns it into a JS Error
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t oc = 0; oc < coutG; ++oc)
      for (int64_t t = 0; t < taps; ++t) wt[(g * taps + t) * coutG + oc] = w[(g * coutG + oc) * taps + t];

#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    float* yw = scratch.get() + tid * perThread;
    float* pad = yw + coutG * ldy;
    if (padded) std::memset(pad, 0, static_cast<size_t>(padFloats) * sizeof(float));
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t b = job / s.groups, g = job % s.groups;
      const float* in = x + (b * s.cin + g * cinG) * s.h * s.w;
      if (padded) {
        // Borders stay zero from the memset: only the interior is rewritten per job.
        shiftedCopyPadded(s, geo, in, pad);
        in = pad;
      }
      product(coutG, taps, wt.get() + g * taps * coutG, in, geo.off.data(), len, yw, ldy);
      float* out = y + (b * s.cout + g * coutG) * hw;
      for (int64_t oc = 0; oc < coutG; ++oc) {
        const float bv = bias ? bias[g * coutG + oc] : 0.0f;
        for (int64_t oy = 0; oy < s.outH; ++oy) {
          const float* src = yw + oc * ldy + oy * wp;
          float* dst = out + oc * hw + oy * s.outW;
          for (int64_t ox = 0; ox < s.outW; ++ox) {
            const float v = src[ox] + bv;
            dst[ox] = relu ? (v > 0.0f ? v : (v != v ? v : 0.0f)) : v;
          }
        }
      }
    }
  }
  (void)threads;
}

void conv2dBackwardInputShifted(const Conv2dShape& s, Isa isa, const float* dy, const float* w,
                                float* dx) {
  const ShiftedAdjointFn adjoint = adjointFor(isa);
  // The adjoint scatters into a padded image whether or not the layer pads.
  const ShiftedGeometry geo = shiftedGeometry(s, /*alwaysPadded=*/true);
  const int64_t cinG = geo.cinG, coutG = geo.coutG, taps = geo.taps;
  const int64_t wp = geo.wp, planeStride = geo.planeStride, len = geo.len, ldy = geo.ldy;
  const int64_t jobs = s.n * s.groups;
  const int threads = threadsFor(jobs, 2 * coutG * taps * len);
  // The last vector of a pixel run may reach up to 15 floats past the padded planes.
  const int64_t imageFloats = cinG * planeStride + 16;
  const int64_t perThread = coutG * ldy + imageFloats;
  AlignedFloats scratch = allocFloats(static_cast<size_t>(perThread * threads));
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
    float* dyw = scratch.get() + tid * perThread;
    float* image = dyw + coutG * ldy;
    // Wrap-around columns and the run's tail stay zero: each job rewrites only output pixels.
    std::memset(dyw, 0, static_cast<size_t>(coutG * ldy) * sizeof(float));
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t b = job / s.groups, g = job % s.groups;
      const float* d = dy + (b * s.cout + g * coutG) * geo.hw;
      shiftedLayoutRows(s, geo, d, dyw);
      std::memset(image, 0, static_cast<size_t>(imageFloats) * sizeof(float));
      adjoint(taps, coutG, w + g * coutG * taps, dyw, ldy, geo.off.data(), image);
      float* out = dx + (b * s.cin + g * cinG) * s.h * s.w;
      for (int64_t ic = 0; ic < cinG; ++ic)
        for (int64_t iy = 0; iy < s.h; ++iy)
          std::memcpy(out + (ic * s.h + iy) * s.w, image + ic * planeStride + (iy + s.padTop) * wp + s.padLeft,
                      sizeof(float) * s.w);
    }
  }
  (void)threads;
}

}  // namespace convnode
