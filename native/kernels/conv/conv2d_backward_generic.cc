// conv2d gradients through im2col + GEMM:
//   per image b and group g, with col = im2col(x_b) of shape [K = cinG*kh*kw, P = outH*outW]:
//     dW_g  += dY_bg [coutG, P] * col^T [P, K]
//     dcol   = W_g^T [K, coutG] * dY_bg [coutG, P]   then dx_b += col2im(dcol)
// so both gradients run at GEMM speed whichever GEMM the ISA dispatch provides.
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

void im2colGeneric(const Conv2dShape& s, const float* image, int64_t group, float* col) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t rows = cinG * s.kh * s.kw;
  const int threads = threadsFor(rows, plane);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t icg = r / (s.kh * s.kw);
    const int64_t ky = (r / s.kw) % s.kh;
    const int64_t kx = r % s.kw;
    const float* in = image + (group * cinG + icg) * s.h * s.w;
    float* dst = col + r * plane;
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      const int64_t iy = oy * s.strideH - s.padTop + ky * s.dilationH;
      float* drow = dst + oy * s.outW;
      if (iy < 0 || iy >= s.h) {
        std::memset(drow, 0, static_cast<size_t>(s.outW) * sizeof(float));
        continue;
      }
      const float* srow = in + iy * s.w;
      for (int64_t ox = 0; ox < s.outW; ++ox) {
        const int64_t ix = ox * s.strideW - s.padLeft + kx * s.dilationW;
        drow[ox] = (ix >= 0 && ix < s.w) ? srow[ix] : 0.0f;
      }
    }
  }
  (void)threads;
}

void col2imGeneric(const Conv2dShape& s, const float* col, int64_t group, float* image) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t plane = s.outH * s.outW;
  // One thread per input channel: the rows of one channel all land in that channel's plane.
  const int threads = threadsFor(cinG, plane * s.kh * s.kw);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t icg = 0; icg < cinG; ++icg) {
    float* out = image + (group * cinG + icg) * s.h * s.w;
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* src = col + ((icg * s.kh + ky) * s.kw + kx) * plane;
        for (int64_t oy = 0; oy < s.outH; ++oy) {
          const int64_t iy = oy * s.strideH - s.padTop + ky * s.dilationH;
          if (iy < 0 || iy >= s.h) continue;
          float* orow = out + iy * s.w;
          const float* srow = src + oy * s.outW;
          for (int64_t ox = 0; ox < s.outW; ++ox) {
            const int64_t ix = ox * s.strideW - s.padLeft + kx * s.dilationW;
            if (ix >= 0 && ix < s.w) orow[ix] += srow[ox];
          }
        }
      }
    }
  }
  (void)threads;
}

void conv2dBackwardInputGeneric(const Conv2dShape& s, const float* dy, const float* weight,
                                float* dx) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t k = cinG * s.kh * s.kw;
  std::memset(dx, 0, static_cast<size_t>(s.n * s.cin * s.h * s.w) * sizeof(float));
  AlignedFloats col = allocFloats(static_cast<size_t>(k * plane));
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t g = 0; g < s.groups; ++g) {
      GemmShape gs;
      gs.m = k;
      gs.n = plane;
      gs.k = coutG;
      gs.transA = true;  // W_g stored [coutG, K]
      gs.lda = k;
      gs.ldb = plane;
      gs.ldc = plane;
      sgemm(gs, weight + g * coutG * k, dy + (b * s.cout + g * coutG) * plane, col.get());
      col2imGeneric(s, col.get(), g, dx + b * s.cin * s.h * s.w);
    }
  }
}

void conv2dBackwardWeightGeneric(const Conv2dShape& s, const float* dy, const float* x,
                                 float* dweight, float* dbias) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t coutG = s.cout / s.groups;
  const int64_t plane = s.outH * s.outW;
  const int64_t k = cinG * s.kh * s.kw;
  AlignedFloats col = allocFloats(static_cast<size_t>(k * plane));
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t g = 0; g < s.groups; ++g) {
      im2colGeneric(s, x + b * s.cin * s.h * s.w, g, col.get());
      GemmShape gs;
      gs.m = coutG;
      gs.n = k;
      gs.k = plane;
      gs.transB = true;  // col stored [K, P]
      gs.lda = plane;
      gs.ldb = plane;
      gs.ldc = k;
      gs.beta = b == 0 ? 0.0f : 1.0f;
      sgemm(gs, dy + (b * s.cout + g * coutG) * plane, col.get(), dweight + g * coutG * k);
    }
  }
  if (dbias) {
    for (int64_t oc = 0; oc < s.cout; ++oc) {
      double sum = 0.0;
      for (int64_t b = 0; b < s.n; ++b) {
        const float* p = dy + (b * s.cout + oc) * plane;
        for (int64_t i = 0; i < plane; ++i) sum += p[i];
      }
      dbias[oc] = static_cast<float>(sum);
    }
  }
}

}  // namespace convnode
