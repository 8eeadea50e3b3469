// Portable SGEMM micro-kernel 4x16 in plain C++: the accumulator tile is a fixed-size array the
// compiler keeps in SSE registers on x86-64 (baseline) or NEON on arm64, and vectorizes the j
// loop. Same packing and driver as the SIMD kernels, so every ISA shares one blocking scheme.
#include "kernels/gemm/sgemm_pack.inl"
#include "kernels/gemm/sgemm_ukernel.h"

namespace convnode {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void ukernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
             int64_t nr, const GemmUkParams& p) {
  float acc[kMr][kNr] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int i = 0; i < kMr; ++i) {
      const float ai = a[i];
      for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int64_t i = 0; i < mr; ++i) {
    float* crow = c + i * ldc;
    const float rb = p.rowBias ? p.rowBias[i] : 0.0f;
    for (int64_t j = 0; j < nr; ++j) {
      float r = p.alpha * acc[i][j];
      if (p.beta != 0.0f) r += p.beta * crow[j];
      r += rb + (p.colBias ? p.colBias[j] : 0.0f);
      if (p.relu && !(r > 0.0f)) r = r != r ? r : 0.0f;  // keep NaN, as max(x, 0) in torch
      if (p.clamp && r > p.clampMax) r = p.clampMax;
      crow[j] = r;
    }
  }
}

void packA(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
           int64_t kc, float* dst) {
  packAImpl<kMr>(a, lda, trans, i0, p0, mc, kc, dst);
}
void packB(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
           int64_t nc, float* dst) {
  packBImpl<kNr>(b, ldb, trans, p0, j0, kc, nc, dst);
}

}  // namespace

void f32_gemm_ukernel_4x16__scalar(int64_t kc, const float* a, const float* b, float* c,
                                   int64_t ldc, int64_t mr, int64_t nr, const GemmUkParams& p) {
  ukernel(kc, a, b, c, ldc, mr, nr, p);
}

const GemmKernelTable* gemmTableGeneric() {
  static const GemmKernelTable table = {"f32_gemm_ukernel_4x16__scalar", kMr, kNr, 128, 256,
                                        2048, f32_gemm_ukernel_4x16__scalar, packA, packB, dotImpl, axpyImpl, dot4Impl};
  return &table;
}

}  // namespace convnode
