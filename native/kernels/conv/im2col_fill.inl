// im2col column fill shared by im2col_fill_{generic,avx2,avx512}.cc (each includes it after
// its target pragma): the strided copies (stride 2 and 4 in 7x7/s2 and 11x11/s4 stems) only
// vectorize (permutes / gathers) when compiled for AVX2 or AVX-512; on baseline SSE2 they are
// scalar and cost 40% of the GEMM's time.
namespace convnode {
namespace {
// d[ox] = src[ox * S] for ox in [lo, hi); S a compile-time constant so the loop vectorizes.
template <int S>
void copyStrided(const float* __restrict src, float* __restrict d, int64_t lo, int64_t hi) {
  for (int64_t ox = lo; ox < hi; ++ox) d[ox] = src[ox * S];
}
}  // namespace

// col rows [k] for output rows [oy0, oy0 + rows), row length rows*outW.
void IM2COL_FILL_NAME(const Conv2dShape& s, const float* plane0, int64_t cinG, int64_t oy0,
                 int64_t rows, float* col) {
  const int64_t taps = s.kh * s.kw;
  const int64_t len = rows * s.outW;
  const int64_t kTotal = cinG * taps;
  const int threads = threadsFor(kTotal, len);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t r = 0; r < kTotal; ++r) {
    const int64_t ic = r / taps, ky = (r % taps) / s.kw, kx = r % s.kw;
    const float* plane = plane0 + ic * s.h * s.w;
    float* d = col + r * len;
    const int64_t xStart = kx * s.dilationW - s.padLeft;
    // Output columns whose input column lies inside [0, w).
    int64_t lo = xStart >= 0 ? 0 : (-xStart + s.strideW - 1) / s.strideW;
    int64_t hi = (s.w - 1 - xStart) < 0 ? 0 : (s.w - 1 - xStart) / s.strideW + 1;
    lo = std::min(lo, s.outW);
    hi = std::max(lo, std::min(hi, s.outW));
    for (int64_t oy = oy0; oy < oy0 + rows; ++oy, d += s.outW) {
      const int64_t iy = oy * s.strideH + ky * s.dilationH - s.padTop;
      if (iy < 0 || iy >= s.h) {
        std::memset(d, 0, sizeof(float) * s.outW);
        continue;
      }
      const float* src = plane + iy * s.w + xStart;
      for (int64_t ox = 0; ox < lo; ++ox) d[ox] = 0.0f;
      if (s.strideW == 1) {
        std::memcpy(d + lo, src + lo, sizeof(float) * (hi - lo));
      } else if (s.strideW == 2) {
        copyStrided<2>(src, d, lo, hi);
      } else if (s.strideW == 4) {
        copyStrided<4>(src, d, lo, hi);
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) d[ox] = src[ox * s.strideW];
      }
      for (int64_t ox = hi; ox < s.outW; ++ox) d[ox] = 0.0f;
    }
  }
  (void)threads;
}


}  // namespace convnode
