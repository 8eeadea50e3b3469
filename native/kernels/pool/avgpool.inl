// Average-pool plane kernel shared by avgpool_{generic,avx2,avx512}.cc (each includes it after
// its target pragma and names it AVGPOOL_PLANE_NAME). The plane arrives zero-padded (wide
// enough for ceil-mode windows), so window sums need no bounds tests; the divisor is
// separable, rowCount[oy] * colCount[ox] (computed by the caller for the chosen
// count_include_pad / divisor_override rule), and the division is vectorized with the rest.
namespace convnode {
namespace {

template <int SW>
void addRow(const float* __restrict src, int64_t sw, int64_t n, float* __restrict o) {
  const int64_t step = SW > 0 ? SW : sw;
  for (int64_t ox = 0; ox < n; ++ox) o[ox] += src[ox * step];
}

void divideRow(float* __restrict o, const float* __restrict colCount, float rowCount, int64_t n) {
  for (int64_t ox = 0; ox < n; ++ox) {
    const float d = rowCount * colCount[ox];
    o[ox] = d > 0.0f ? o[ox] / d : 0.0f;
  }
}

}  // namespace

void AVGPOOL_PLANE_NAME(const Pool2dShape& s, const float* pad, int64_t pw,
                        const float* rowCount, const float* colCount, float* out) {
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    float* o = out + oy * s.outW;
    for (int64_t ox = 0; ox < s.outW; ++ox) o[ox] = 0.0f;
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const float* row = pad + (oy * s.strideH + ky) * pw;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        if (s.strideW == 1) addRow<1>(row + kx, 1, s.outW, o);
        else if (s.strideW == 2) addRow<2>(row + kx, 2, s.outW, o);
        else addRow<0>(row + kx, s.strideW, s.outW, o);
      }
    }
    divideRow(o, colCount, rowCount[oy], s.outW);
  }
}

}  // namespace convnode
