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

// As maxpool.inl: rows are computed ow (outW rounded up to 16) wide into `row`, then copied.
void AVGPOOL_PLANE_NAME(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        const float* rowCount, const float* colCount, float* row, float* out) {
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    float* o = row;
    for (int64_t ox = 0; ox < ow; ++ox) o[ox] = 0.0f;
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const float* in = pad + (oy * s.strideH + ky) * pw;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        if (s.strideW == 1) addRow<1>(in + kx, 1, ow, o);
        else if (s.strideW == 2) addRow<2>(in + kx, 2, ow, o);
        else addRow<0>(in + kx, s.strideW, ow, o);
      }
    }
    divideRow(o, colCount, rowCount[oy], ow);
    for (int64_t ox = 0; ox < s.outW; ++ox) out[oy * s.outW + ox] = o[ox];
  }
}

}  // namespace convnode
