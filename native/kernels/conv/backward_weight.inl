// Weight-gradient pieces shared by backward_weight_{generic,avx2,avx512}.cc (see
// backward_weight_isa.h). Each file defines, before including this one:
//   struct Lanes { using V; kW (floats per V); kMi, kNj (register block: kMi rows of A x kNj
//                  rows of B, kMi*kNj accumulators + kMi + 1 live registers);
//                  zero(), load(p), loadFirst(p, count) (zeros after count < kW floats),
//                  fma(a, b, c), loadPart(p), storePart(p, v),
//                  copy(dst, src, len) (no overlap) }
//   BWD_WEIGHT_TABLE: the name of the table getter.
#include <algorithm>
#include <cstring>

namespace convnode {
namespace {

// C block [MI x NJ]: accumulators start from and return to the partial sums, so a product is
// cut along k into L1-sized slices (A's slice of every row stays in L1 across all B rows).
template <int MI, int NJ>
void dotBlock(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* part,
              int64_t n) {
  using V = typename Lanes::V;
  V acc[MI][NJ];
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) acc[i][j] = Lanes::loadPart(part + (i * n + j) * kDotLanes);
  int64_t k = 0;
  for (; k + Lanes::kW <= kc; k += Lanes::kW) {
    V av[MI];
#pragma GCC unroll 8
    for (int i = 0; i < MI; ++i) av[i] = Lanes::load(a + i * lda + k);
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) {
      const V bv = Lanes::load(b + j * ldb + k);
#pragma GCC unroll 8
      for (int i = 0; i < MI; ++i) acc[i][j] = Lanes::fma(av[i], bv, acc[i][j]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) Lanes::storePart(part + (i * n + j) * kDotLanes, acc[i][j]);
  for (; k < kc; ++k)
    for (int i = 0; i < MI; ++i)
      for (int j = 0; j < NJ; ++j) part[(i * n + j) * kDotLanes] += a[i * lda + k] * b[j * ldb + k];
}

using DotBlockFn = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t);

// dotBlock<mi, nj> for a ragged edge block (mi <= MI, nj <= NJ).
template <int MI, int NJ>
DotBlockFn dotBlockFor(int64_t mi, int64_t nj) {
  if constexpr (MI > 1) {
    if (mi < MI) return dotBlockFor<MI - 1, NJ>(mi, nj);
  }
  if constexpr (NJ > 1) {
    if (nj < NJ) return dotBlockFor<MI, NJ - 1>(mi, nj);
  }
  return dotBlock<MI, NJ>;
}

// Slices of 256 floats: the kMi rows of A (6 x 1 KiB) and kNj rows of B stay in L1 while one
// block runs, and all of A's slice (16 rows = 16 KiB at LeNet's conv2) across the B blocks.
constexpr int64_t kSlice = 256;

void dotAccumulate(int64_t m, int64_t n, int64_t j0, int64_t j1, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float* part) {
  for (int64_t k0 = 0; k0 < k; k0 += kSlice) {
    const int64_t kc = std::min(kSlice, k - k0);
    for (int64_t j = j0; j < j1; j += Lanes::kNj) {
      const int64_t nj = std::min<int64_t>(Lanes::kNj, j1 - j);
      for (int64_t i = 0; i < m; i += Lanes::kMi) {
        const int64_t mi = std::min<int64_t>(Lanes::kMi, m - i);
        dotBlockFor<Lanes::kMi, Lanes::kNj>(mi, nj)(kc, a + i * lda + k0, lda, b + j * ldb + k0, ldb,
                                                    part + (i * n + j) * kDotLanes, n);
      }
    }
  }
}

// The same product with B's rows read in place as shifted views of `count` input images
// (conv_shifted.h): row j of B for image b is x + b*xStride + off[j], A's row i for image b is
// dyw + b*dywStride + i*ldy (zero outside output pixels, ldy >= len rounded up to kW). B is
// read only below len, the last vector masked.
template <int MI, int NJ>
void shiftedDotBlock(int64_t count, const float* dyw, int64_t dywStride, int64_t ldy,
                     const float* x, int64_t xStride, const int64_t* off, int64_t len,
                     float* part, int64_t n) {
  using V = typename Lanes::V;
  V acc[MI][NJ];
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) acc[i][j] = Lanes::loadPart(part + (i * n + j) * kDotLanes);
  const int64_t full = len / Lanes::kW * Lanes::kW;
  for (int64_t b = 0; b < count; ++b) {
    const float* a = dyw + b * dywStride;
    const float* xb = x + b * xStride;
    const float* bj[NJ];
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) bj[j] = xb + off[j];
    for (int64_t q = 0; q < full; q += Lanes::kW) {
      V av[MI];
#pragma GCC unroll 8
      for (int i = 0; i < MI; ++i) av[i] = Lanes::load(a + i * ldy + q);
#pragma GCC unroll 8
      for (int j = 0; j < NJ; ++j) {
        const V bv = Lanes::load(bj[j] + q);
#pragma GCC unroll 8
        for (int i = 0; i < MI; ++i) acc[i][j] = Lanes::fma(av[i], bv, acc[i][j]);
      }
    }
    if (full < len) {
      V av[MI];
#pragma GCC unroll 8
      for (int i = 0; i < MI; ++i) av[i] = Lanes::load(a + i * ldy + full);
#pragma GCC unroll 8
      for (int j = 0; j < NJ; ++j) {
        const V bv = Lanes::loadFirst(bj[j] + full, len - full);
#pragma GCC unroll 8
        for (int i = 0; i < MI; ++i) acc[i][j] = Lanes::fma(av[i], bv, acc[i][j]);
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NJ; ++j) Lanes::storePart(part + (i * n + j) * kDotLanes, acc[i][j]);
}

using ShiftedDotBlockFn = void (*)(int64_t, const float*, int64_t, int64_t, const float*, int64_t,
                                   const int64_t*, int64_t, float*, int64_t);

template <int MI, int NJ>
ShiftedDotBlockFn shiftedDotBlockFor(int64_t mi, int64_t nj) {
  if constexpr (MI > 1) {
    if (mi < MI) return shiftedDotBlockFor<MI - 1, NJ>(mi, nj);
  }
  if constexpr (NJ > 1) {
    if (nj < NJ) return shiftedDotBlockFor<MI, NJ - 1>(mi, nj);
  }
  return shiftedDotBlock<MI, NJ>;
}

void dotShiftedAccumulate(int64_t m, int64_t n, int64_t j0, int64_t j1, int64_t count,
                          const float* dyw, int64_t dywStride, int64_t ldy, const float* x,
                          int64_t xStride, const int64_t* off, int64_t len, float* part) {
  for (int64_t j = j0; j < j1; j += Lanes::kNj) {
    const int64_t nj = std::min<int64_t>(Lanes::kNj, j1 - j);
    for (int64_t i = 0; i < m; i += Lanes::kMi) {
      const int64_t mi = std::min<int64_t>(Lanes::kMi, m - i);
      shiftedDotBlockFor<Lanes::kMi, Lanes::kNj>(mi, nj)(count, dyw + i * ldy, dywStride, ldy, x, xStride,
                                                         off + j, len, part + (i * n + j) * kDotLanes, n);
    }
  }
}

// Same index rule as im2colGeneric (conv2d_backward_generic.cc).
void im2col(const Conv2dShape& s, const float* image, int64_t group, float* col, int64_t ldcol) {
  const int64_t cinG = s.cin / s.groups;
  const int64_t rows = cinG * s.kh * s.kw;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t icg = r / (s.kh * s.kw);
    const int64_t ky = (r / s.kw) % s.kh;
    const int64_t kx = r % s.kw;
    const float* in = image + (group * cinG + icg) * s.h * s.w;
    float* dst = col + r * ldcol;
    const int64_t xStart = kx * s.dilationW - s.padLeft;
    // Output columns whose input column lies in [0, w).
    int64_t lo = xStart >= 0 ? 0 : (-xStart + s.strideW - 1) / s.strideW;
    int64_t hi = (s.w - 1 - xStart) < 0 ? 0 : (s.w - 1 - xStart) / s.strideW + 1;
    lo = std::min(lo, s.outW);
    hi = std::max(lo, std::min(hi, s.outW));
    for (int64_t oy = 0; oy < s.outH; ++oy) {
      const int64_t iy = oy * s.strideH - s.padTop + ky * s.dilationH;
      float* drow = dst + oy * s.outW;
      if (iy < 0 || iy >= s.h) {
        std::memset(drow, 0, static_cast<size_t>(s.outW) * sizeof(float));
        continue;
      }
      const float* srow = in + iy * s.w + xStart;
      for (int64_t ox = 0; ox < lo; ++ox) drow[ox] = 0.0f;
      if (s.strideW == 1) {
        Lanes::copy(drow + lo, srow + lo, hi - lo);
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) drow[ox] = srow[ox * s.strideW];
      }
      for (int64_t ox = hi; ox < s.outW; ++ox) drow[ox] = 0.0f;
    }
  }
}

}  // namespace

const BwdWeightFns& BWD_WEIGHT_TABLE() {
  static const BwdWeightFns fns = {im2col, dotAccumulate, dotShiftedAccumulate, Lanes::kNj};
  return fns;
}

}  // namespace convnode
