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
      // op(A)(i, p) = a[i*lda + p]: rows are contiguous; write each row with stride MR.
      for (int64_t i = 0; i < rows; ++i) {
        const float* s = a + (i0 + ib + i) * lda + p0;
        float* d = dst + i;
        for (int64_t p = 0; p < kc; ++p) d[p * MR] = s[p];
      }
      for (int64_t i = rows; i < MR; ++i)
        for (int64_t p = 0; p < kc; ++p) dst[p * MR + i] = 0.0f;
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
      // op(B)(p, j) = b[j*ldb + p]: each column j is a contiguous run over p.
      for (int64_t j = 0; j < cols; ++j) {
        const float* s = b + (j0 + jb + j) * ldb + p0;
        float* d = dst + j;
        for (int64_t p = 0; p < kc; ++p) d[p * NR] = s[p];
      }
      for (int64_t j = cols; j < NR; ++j)
        for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = 0.0f;
    }
    dst += kc * NR;
  }
}

}  // namespace
}  // namespace convnode
