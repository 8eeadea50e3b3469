// Max-pool plane kernel shared by maxpool_{generic,avx2,avx512}.cc (each includes it after its
// `#pragma GCC target` and names it MAXPOOL_PLANE_NAME). The input plane arrives padded with
// -inf on every side (wide enough for ceil-mode windows), so the ox loops carry no bounds test
// and vectorize: contiguous loads at stride 1, deinterleaving loads at stride 2.
// NaN: `v > m || v != v` takes a NaN and then keeps it (nothing compares greater than NaN),
// so any NaN in a window gives NaN, as in PyTorch.
namespace convnode {
namespace {

template <int SW>
void maxRow(const float* __restrict src, int64_t sw, int64_t n, float* __restrict o) {
  const int64_t step = SW > 0 ? SW : sw;
  for (int64_t ox = 0; ox < n; ++ox) {
    const float v = src[ox * step];
    const float m = o[ox];
    o[ox] = (v > m || v != v) ? v : m;
  }
}

}  // namespace

void MAXPOOL_PLANE_NAME(const Pool2dShape& s, const float* pad, int64_t pw, float* out) {
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    float* o = out + oy * s.outW;
    for (int64_t ox = 0; ox < s.outW; ++ox) o[ox] = -__builtin_inff();
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const float* row = pad + (oy * s.strideH + ky * s.dilationH) * pw;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* src = row + kx * s.dilationW;
        if (s.strideW == 1) maxRow<1>(src, 1, s.outW, o);
        else if (s.strideW == 2) maxRow<2>(src, 2, s.outW, o);
        else maxRow<0>(src, s.strideW, s.outW, o);
      }
    }
  }
}

}  // namespace convnode
