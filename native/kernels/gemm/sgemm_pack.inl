// Packing routines shared by the per-ISA SGEMM files. Included (not compiled alone) after each
// file's `#pragma GCC target`, so the copies are vectorized for that ISA. Not a header: it
// defines functions in an anonymous namespace, one copy per translation unit.
#include <cstdint>
#include <cstring>

namespace convnode {
namespace {

template <int MR>
void packAImpl(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
               int64_t kc, float* dst) {
  for (int64_t ib = 0; ib < mc; ib += MR) {
    const int64_t rows = mc - ib < MR ? mc - ib : MR;
    if (trans) {
      // op(A)(i, p) = a[p*lda + i]: MR consecutive floats per p.
      const float* src = a + p0 * lda + (i0 + ib);
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = src + p * lda;
        float* d = dst + p * MR;
        int64_t i = 0;
        for (; i < rows; ++i) d[i] = s[i];
        for (; i < MR; ++i) d[i] = 0.0f;
      }
    } else {
      // op(A)(i, p) = a[i*lda + p]: a transpose, done 8 source rows at a time. Eight rows
      // stay in L1 whatever lda is (all MR rows at once alias to a few sets when lda is a
      // multiple of 1 KiB), and each p writes 8 consecutive floats.
      for (int64_t i8 = 0; i8 < MR; i8 += 8) {
        const int64_t ie = MR - i8 < 8 ? MR - i8 : 8;
        const int64_t valid = rows - i8 < 0 ? 0 : (rows - i8 < ie ? rows - i8 : ie);
        for (int64_t p = 0; p < kc; ++p) {
          float* d = dst + p * MR + i8;
          const float* s = a + (i0 + ib + i8) * lda + p0 + p;
          int64_t i = 0;
          for (; i < valid; ++i) d[i] = s[i * lda];
          for (; i < ie; ++i) d[i] = 0.0f;
        }
      }
    }
    dst += kc * MR;
  }
}

// packAImpl for A stored row-major (packing it is a transpose) by register transposes of W x W
// blocks: each block is loaded a row at a time (W floats, masked at the right edge), transposed
// in registers, and stored a p at a time (MR floats, masked below). Each load takes whole cache
// lines, so a row stride that aliases in L1 (lda a multiple of 1 KiB) costs nothing. V is the
// ISA file's traits: kWidth, Vec, Mask, mask(n) (lanes [0, n)), load, store, zero, transpose.
template <int MR, class V>
void packATransposed(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0, int64_t mc,
                     int64_t kc, float* dst) {
  if (trans) return packAImpl<MR>(a, lda, trans, i0, p0, mc, kc, dst);
  constexpr int W = V::kWidth;
  for (int64_t ib = 0; ib < mc; ib += MR) {
    const int64_t rows = mc - ib < MR ? mc - ib : MR;
    for (int g0 = 0; g0 < MR; g0 += W) {
      const int gRows = MR - g0 < W ? MR - g0 : W;
      const int64_t valid = rows - g0 <= 0 ? 0 : (rows - g0 < gRows ? rows - g0 : gRows);
      const typename V::Mask rowMask = V::mask(gRows);
      const float* src = a + (i0 + ib + g0) * lda + p0;
      for (int64_t p = 0; p < kc; p += W) {
        const int cols = static_cast<int>(kc - p < W ? kc - p : W);
        const typename V::Mask colMask = V::mask(cols);
        typename V::Vec r[W];
        for (int i = 0; i < W; ++i) r[i] = i < valid ? V::load(src + i * lda + p, colMask) : V::zero();
        V::transpose(r);
        float* d = dst + p * MR + g0;
        for (int q = 0; q < cols; ++q) V::store(d + q * MR, rowMask, r[q]);
      }
    }
    dst += kc * MR;
  }
}

template <int NR>
void packBImpl(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
               int64_t nc, float* dst) {
  for (int64_t jb = 0; jb < nc; jb += NR) {
    const int64_t cols = nc - jb < NR ? nc - jb : NR;
    if (!trans) {
      const float* src = b + p0 * ldb + (j0 + jb);
      if (cols == NR) {
        for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * NR, src + p * ldb, NR * sizeof(float));
      } else {
        for (int64_t p = 0; p < kc; ++p) {
          const float* s = src + p * ldb;
          float* d = dst + p * NR;
          int64_t j = 0;
          for (; j < cols; ++j) d[j] = s[j];
          for (; j < NR; ++j) d[j] = 0.0f;
        }
      }
    } else {
      // op(B)(p, j) = b[j*ldb + p]: a transpose, 8 source rows at a time as in packAImpl.
      for (int64_t j8 = 0; j8 < NR; j8 += 8) {
        const int64_t valid = cols - j8 < 0 ? 0 : (cols - j8 < 8 ? cols - j8 : 8);
        for (int64_t p = 0; p < kc; ++p) {
          float* d = dst + p * NR + j8;
          const float* s = b + (j0 + jb + j8) * ldb + p0 + p;
          int64_t j = 0;
          for (; j < valid; ++j) d[j] = s[j * ldb];
          for (; j < 8; ++j) d[j] = 0.0f;
        }
      }
    }
    dst += kc * NR;
  }
}

// packBImpl with op(B) = B^T (Linear's [out, in] weights) packed by the register transposes of
// packATransposed: B's row j is op(B)'s column j, so B's rows pack as A's rows do.
template <int NR, class V>
void packBTransposed(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0, int64_t kc,
                     int64_t nc, float* dst) {
  if (!trans) return packBImpl<NR>(b, ldb, trans, p0, j0, kc, nc, dst);
  packATransposed<NR, V>(b, ldb, false, j0, p0, nc, kc, dst);
}

// GEMV helpers for products with very few rows (batch-1 fully connected layers), where packing
// a whole weight matrix for a 1-row product would cost more than the product. dot keeps 16
// independent partial sums so it vectorizes without reassociation flags.
float dotImpl(const float* __restrict x, const float* __restrict y, int64_t n) {
  float part[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) part[l] += x[i + l] * y[i + l];
  float sum = 0.0f;
  for (; i < n; ++i) sum += x[i] * y[i];
  for (int l = 0; l < 16; ++l) sum += part[l];
  return sum;
}

// Four weight rows streamed together: a batch-1 Linear is bound by reading its weights once,
// and four independent streams keep more cache misses in flight than one. 9216 -> 4096 fp32
// GEMV, AVX-512, 1 thread, cold weights (2026-11-25): a C A/B of 1, 2, 4, 8 rows at a time gave
// 33, 35, 41, 19 GB/s; in a compiled plan (PlanBenchStep min of 30) 9216->4096 went 4.19-4.59
// -> 3.41-3.44 ms, 4096->4096 1.65-1.67 -> 1.32-1.40, 25088->4096 11.8-13.0 -> 9.8-10.4.
void dot4Impl(const float* __restrict x, const float* __restrict y0, const float* __restrict y1,
              const float* __restrict y2, const float* __restrict y3, int64_t n, float* out) {
  float p0[16] = {}, p1[16] = {}, p2[16] = {}, p3[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) {
      const float xv = x[i + l];
      p0[l] += xv * y0[i + l];
      p1[l] += xv * y1[i + l];
      p2[l] += xv * y2[i + l];
      p3[l] += xv * y3[i + l];
    }
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  for (; i < n; ++i) {
    s0 += x[i] * y0[i];
    s1 += x[i] * y1[i];
    s2 += x[i] * y2[i];
    s3 += x[i] * y3[i];
  }
  for (int l = 0; l < 16; ++l) {
    s0 += p0[l];
    s1 += p1[l];
    s2 += p2[l];
    s3 += p3[l];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

void axpyImpl(int64_t n, float a, const float* __restrict x, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace
}  // namespace convnode
