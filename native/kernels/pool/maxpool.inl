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

// Common windows (3x3/s2, 2x2/s2, 3x3/s1, no dilation): all K*K taps per output column in
// registers, one store per output instead of one load+store per tap.
template <int K, int S>
void maxRowFixed(const float* __restrict r, int64_t pw, int64_t n, float* __restrict o) {
  for (int64_t ox = 0; ox < n; ++ox) {
    float m = -__builtin_inff();
    for (int ky = 0; ky < K; ++ky)
      for (int kx = 0; kx < K; ++kx) {
        const float v = r[ky * pw + ox * S + kx];
        m = (v > m || v != v) ? v : m;
      }
    o[ox] = m;
  }
}

inline float nanMax(float v, float m) { return (v > m || v != v) ? v : m; }

// 3x3 stride 2, separably: the vertical max of the 3 rows at every column (contiguous), then
// the horizontal max of 3 at stride 2: about 2.5x fewer vector operations than 9 strided taps
// (A/B in one session, 64 @112, 1 thread: 0.48 vs 0.69 ms).
// vm holds >= 2*n + 2 floats.
void maxRow3x3s2(const float* __restrict r, int64_t pw, int64_t n, float* __restrict vm,
                 float* __restrict o) {
  const float* __restrict r0 = r;
  const float* __restrict r1 = r + pw;
  const float* __restrict r2 = r + 2 * pw;
  for (int64_t x = 0; x < 2 * n + 2; ++x) vm[x] = nanMax(r2[x], nanMax(r1[x], r0[x]));
  for (int64_t ox = 0; ox < n; ++ox)
    o[ox] = nanMax(vm[2 * ox + 2], nanMax(vm[2 * ox + 1], vm[2 * ox]));
}

}  // namespace

// Each output row is computed into `row` for ow = outW rounded up to 16 columns (the padded
// plane is that wide too), so every vector loop runs whole vectors: with 56 outputs per row,
// the scalar remainder of the stride-2 loops otherwise took most of the time.
void MAXPOOL_PLANE_NAME(const Pool2dShape& s, const float* pad, int64_t pw, int64_t ow,
                        float* row, float* out) {
  const bool plain = s.dilationH == 1 && s.dilationW == 1 && s.kh == s.kw && s.strideH == s.strideW;
  for (int64_t oy = 0; oy < s.outH; ++oy) {
    float* o = row;
    if (plain) {
      const float* r = pad + oy * s.strideH * pw;
      bool done = true;
      if (s.kh == 3 && s.strideW == 2) maxRow3x3s2(r, pw, ow, row + ow, o);
      else if (s.kh == 2 && s.strideW == 2) maxRowFixed<2, 2>(r, pw, ow, o);
      else if (s.kh == 3 && s.strideW == 1) maxRowFixed<3, 1>(r, pw, ow, o);
      else done = false;
      if (done) {
        for (int64_t ox = 0; ox < s.outW; ++ox) out[oy * s.outW + ox] = o[ox];
        continue;
      }
    }
    for (int64_t ox = 0; ox < ow; ++ox) o[ox] = -__builtin_inff();
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const float* row = pad + (oy * s.strideH + ky * s.dilationH) * pw;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* src = row + kx * s.dilationW;
        if (s.strideW == 1) maxRow<1>(src, 1, ow, o);
        else if (s.strideW == 2) maxRow<2>(src, 2, ow, o);
        else maxRow<0>(src, s.strideW, ow, o);
      }
    }
    for (int64_t ox = 0; ox < s.outW; ++ox) out[oy * s.outW + ox] = o[ox];
  }
}

}  // namespace convnode
