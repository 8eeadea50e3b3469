// Winograd F(4x4, 3x3) transforms shared by winograd43_{generic,avx2,avx512}.cc (each includes
// this after its `#pragma GCC target`). Tiles of one tile row are the vector lanes: every loop
// over tx below is contiguous in memory (the only strided access, rows[r][4tx + c], is a
// stride-4 deinterleave the vectorizer turns into permutes), so the same source vectorizes to
// 4, 8 or 16 tiles per instruction.
//
// Transform matrices (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015),
// here derived from interpolation points {0, 1, -1, 2, -2, inf}: Y = A^T [(G g G^T) . (B^T d B)] A
// for a 6x6 input tile d, 3x3 filter g, 4x4 output Y (checked numerically against direct
// correlation to 2e-14 in float64).
//
//   B^T = | 4   0  -5   0   1   0 |    G = |  1/4     0     0  |   A^T = | 1  1  1  1  1  0 |
//         | 0  -4  -4   1   1   0 |        | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
//         | 0   4  -4  -1   1   0 |        | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
//         | 0  -2  -1   2   1   0 |        | 1/24  1/12   1/6  |         | 0  1 -1  8 -8  1 |
//         | 0   2  -1  -2   1   0 |        | 1/24 -1/12   1/6  |
//         | 0   4   0  -5   0   1 |        |   0     0     1   |
//
// Rows of B^T are the coefficients of the Lagrange basis at the points (scaled so B^T is
// integral, the scale moved into G); A^T evaluates the product polynomial at 0, 1, -1, 2, -2
// plus the leading coefficient (the point at infinity).
#ifndef WINO_INPUT_TILES
#define WINO_INPUT_TILES nullptr
#endif
#ifndef WINO_OUTPUT_TILES
#define WINO_OUTPUT_TILES nullptr
#endif
#ifndef WINO_OUTPUT_TILES_T
#define WINO_OUTPUT_TILES_T nullptr
#endif

namespace convnode {
namespace {

// t = B^T d along one axis, six inputs -> six outputs.
#define WINO_BT(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5) \
  do {                                                          \
    t0 = 4.0f * d0 - 5.0f * d2 + d4;                            \
    t1 = -4.0f * (d1 + d2) + d3 + d4;                           \
    t2 = 4.0f * (d1 - d2) - d3 + d4;                            \
    t3 = 2.0f * (d3 - d1) - d2 + d4;                            \
    t4 = 2.0f * (d1 - d3) - d2 + d4;                            \
    t5 = 4.0f * d1 - 5.0f * d3 + d5;                            \
  } while (0)

// o = A^T m along one axis, six inputs -> four outputs.
#define WINO_AT(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
  do {                                                   \
    const float p12 = m1 + m2, q12 = m1 - m2;            \
    const float p34 = m3 + m4, q34 = m3 - m4;            \
    o0 = m0 + p12 + p34;                                 \
    o1 = q12 + 2.0f * q34;                               \
    o2 = p12 + 4.0f * p34;                               \
    o3 = q12 + 8.0f * q34 + m5;                          \
  } while (0)

// Every pass below is a separate function over restrict-qualified rows, so the vectorizer sees
// plain contiguous loops (it gave up on the single-function version: "complicated access
// pattern"). The stride-4 tile structure is handled by one deinterleave (4 loads of an
// interleaved group, which vectorizes through permutes) and one interleaving store.

// w_i[x] = sum_r B^T[i][r] * rows_r[x] for all x: the vertical pass, at every column.
void winoInputRows(const float* __restrict d0, const float* __restrict d1,
                   const float* __restrict d2, const float* __restrict d3,
                   const float* __restrict d4, const float* __restrict d5, int64_t n,
                   float* __restrict w0, float* __restrict w1, float* __restrict w2,
                   float* __restrict w3, float* __restrict w4, float* __restrict w5) {
  for (int64_t x = 0; x < n; ++x) {
    float t0, t1, t2, t3, t4, t5;
    WINO_BT(d0[x], d1[x], d2[x], d3[x], d4[x], d5[x], t0, t1, t2, t3, t4, t5);
    w0[x] = t0;
    w1[x] = t1;
    w2[x] = t2;
    w3[x] = t3;
    w4[x] = t4;
    w5[x] = t5;
  }
}

// p_c[tx] = w[4tx + c], tx < n.
void winoDeinterleave4(const float* __restrict w, int64_t n, float* __restrict p0,
                       float* __restrict p1, float* __restrict p2, float* __restrict p3) {
  for (int64_t tx = 0; tx < n; ++tx) {
    p0[tx] = w[4 * tx + 0];
    p1[tx] = w[4 * tx + 1];
    p2[tx] = w[4 * tx + 2];
    p3[tx] = w[4 * tx + 3];
  }
}

// Horizontal pass: tile tx covers columns 4tx .. 4tx+5 = p0..p3 at tx, then p0, p1 at tx+1.
void winoInputCols(const float* __restrict p0, const float* __restrict p1,
                   const float* __restrict p2, const float* __restrict p3, int64_t tw,
                   float* __restrict v0, float* __restrict v1, float* __restrict v2,
                   float* __restrict v3, float* __restrict v4, float* __restrict v5) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    float t0, t1, t2, t3, t4, t5;
    WINO_BT(p0[tx], p1[tx], p2[tx], p3[tx], p0[tx + 1], p1[tx + 1], t0, t1, t2, t3, t4, t5);
    v0[tx] = t0;
    v1[tx] = t1;
    v2[tx] = t2;
    v3[tx] = t3;
    v4[tx] = t4;
    v5[tx] = t5;
  }
}

// rows: 6 zero-padded input rows (stride rs >= 4*tw + 4); writes v[(i*6+k)*ldv + tx].
// tmp: >= 6*rs + 4*(tw + 1) floats... sized by the caller as 36*tw + 10*rs.
void winoInput(const float* rows, int64_t rs, int64_t tw, float* v, int64_t ldv, float* tmp) {
  // The row and phase passes run over whole vectors (rs columns, phases rounded up to 8: the
  // caller makes rs a multiple of 32 >= 4*tw + 4): with tw = 14 (56x56) the exact counts left
  // scalar remainder loops behind the 8-wide ones.
  float* w = tmp;                // 6 rows of rs
  float* p = tmp + 6 * rs;       // 4 phases of ps >= tw + 1
  const int64_t ps = (tw + 1 + 7) / 8 * 8;
  winoInputRows(rows, rows + rs, rows + 2 * rs, rows + 3 * rs, rows + 4 * rs, rows + 5 * rs,
                rs, w, w + rs, w + 2 * rs, w + 3 * rs, w + 4 * rs, w + 5 * rs);
  for (int i = 0; i < 6; ++i) {
    winoDeinterleave4(w + i * rs, ps, p, p + ps, p + 2 * ps, p + 3 * ps);
    float* vi = v + (i * 6) * ldv;
    winoInputCols(p, p + ps, p + 2 * ps, p + 3 * ps, tw, vi, vi + ldv, vi + 2 * ldv,
                  vi + 3 * ldv, vi + 4 * ldv, vi + 5 * ldv);
  }
}

// s_j[tx] = sum_r A^T[j][r] * m_r[tx] (vertical pass for one column k of the 6x6 tiles).
void winoOutputRows(const float* __restrict m0, const float* __restrict m1,
                    const float* __restrict m2, const float* __restrict m3,
                    const float* __restrict m4, const float* __restrict m5, int64_t tw,
                    float* __restrict s0, float* __restrict s1, float* __restrict s2,
                    float* __restrict s3) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    float o0, o1, o2, o3;
    WINO_AT(m0[tx], m1[tx], m2[tx], m3[tx], m4[tx], m5[tx], o0, o1, o2, o3);
    s0[tx] = o0;
    s1[tx] = o1;
    s2[tx] = o2;
    s3[tx] = o3;
  }
}

// Horizontal pass for output row j: out[4tx + q] = A^T[q] . c_k[tx] + bias, ReLU optional.
template <bool RELU>
void winoOutputCols(const float* __restrict c0, const float* __restrict c1,
                    const float* __restrict c2, const float* __restrict c3,
                    const float* __restrict c4, const float* __restrict c5, int64_t tw,
                    float bias, float* __restrict out) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    float o0, o1, o2, o3;
    WINO_AT(c0[tx], c1[tx], c2[tx], c3[tx], c4[tx], c5[tx], o0, o1, o2, o3);
    o0 += bias;
    o1 += bias;
    o2 += bias;
    o3 += bias;
    if (RELU) {  // max(0, x) that keeps NaN, as torch.relu
      o0 = o0 < 0.0f ? 0.0f : o0;
      o1 = o1 < 0.0f ? 0.0f : o1;
      o2 = o2 < 0.0f ? 0.0f : o2;
      o3 = o3 < 0.0f ? 0.0f : o3;
    }
    out[4 * tx + 0] = o0;
    out[4 * tx + 1] = o1;
    out[4 * tx + 2] = o2;
    out[4 * tx + 3] = o3;
  }
}

// m[e*ldm + tx] -> 4 output rows out[j*os + 4tx + q]. tmp: >= 24*tw floats.
// Both passes run over tp = tw rounded up to 8 lanes (no scalar remainder loops): the lanes past
// tw read whatever follows in m (the caller leaves slack at the end of M) and land in out's
// padding (os >= 4*tp).
void winoOutput(const float* m, int64_t ldm, int64_t tw, float bias, bool relu, float* out,
                int64_t os, float* tmp) {
  const int64_t tp = (tw + 7) / 8 * 8;
  // tmp[(j*6 + k)*tp + tx] = s_{j,k}[tx]
  for (int k = 0; k < 6; ++k) {
    winoOutputRows(m + k * ldm, m + (6 + k) * ldm, m + (12 + k) * ldm, m + (18 + k) * ldm,
                   m + (24 + k) * ldm, m + (30 + k) * ldm, tp, tmp + k * tp, tmp + (6 + k) * tp,
                   tmp + (12 + k) * tp, tmp + (18 + k) * tp);
  }
  for (int j = 0; j < 4; ++j) {
    const float* c = tmp + j * 6 * tp;
    if (relu)
      winoOutputCols<true>(c, c + tp, c + 2 * tp, c + 3 * tp, c + 4 * tp, c + 5 * tp, tp, bias,
                           out + j * os);
    else
      winoOutputCols<false>(c, c + tp, c + 2 * tp, c + 3 * tp, c + 4 * tp, c + 5 * tp, tp, bias,
                            out + j * os);
  }
}

// Whole-plane variants for small images (14x14: 4 tiles per tile row; 7x7: 2): the lanes are
// all nrows*tw tiles of tile rows ty0 .. ty0+nrows-1 of one channel plane, t = j*tw + tx, as in
// winograd22.inl (separate functions over restrict parameters so that each loop vectorizes).

// e[t] = p[idx[t]] (idx[t] = 4j*pw + 4tx): one (row, column) phase of the padded plane.
void wino43Gather(const float* __restrict p, const int32_t* __restrict idx, int64_t n,
                  float* __restrict e) {
  for (int64_t t = 0; t < n; ++t) e[t] = p[idx[t]];
}

// o_i = B^T[i] . (d0..d5) elementwise over n lanes.
void wino43Bt(const float* __restrict d0, const float* __restrict d1, const float* __restrict d2,
              const float* __restrict d3, const float* __restrict d4, const float* __restrict d5,
              int64_t n, int64_t ldo, float* __restrict o) {
  float* __restrict o0 = o;
  float* __restrict o1 = o + ldo;
  float* __restrict o2 = o + 2 * ldo;
  float* __restrict o3 = o + 3 * ldo;
  float* __restrict o4 = o + 4 * ldo;
  float* __restrict o5 = o + 5 * ldo;
  for (int64_t t = 0; t < n; ++t) {
    float t0, t1, t2, t3, t4, t5;
    WINO_BT(d0[t], d1[t], d2[t], d3[t], d4[t], d5[t], t0, t1, t2, t3, t4, t5);
    o0[t] = t0;
    o1[t] = t1;
    o2[t] = t2;
    o3[t] = t3;
    o4[t] = t4;
    o5[t] = t5;
  }
}

void wino43InputPlane(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                      int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv, float* tmp) {
  const int64_t n = nrows * tw;
  const int64_t pw = 4 * tw + 2, ph = 4 * nrows + 2;
  float* P = tmp;          // zero-padded input rows 4*ty0 - padTop + r, r < ph (pw columns)
  float* E = P + ph * pw;  // E[(r*6 + c)*n + t] = P[4j + r][4tx + c]
  float* W = E + 36 * n;   // W[(i*6 + c)*n + t] = B^T[i] . E[.][c]
  int32_t* idx = reinterpret_cast<int32_t*>(W + 36 * n);
  const int64_t lo = std::min<int64_t>(pw, std::max<int64_t>(0, padLeft));
  const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(pw, padLeft + w));
  for (int64_t r = 0; r < ph; ++r) {
    float* d = P + r * pw;
    const int64_t iy = 4 * ty0 - padTop + r;
    if (iy < 0 || iy >= h) {
      std::memset(d, 0, sizeof(float) * pw);
      continue;
    }
    std::memset(d, 0, sizeof(float) * lo);
    std::memcpy(d + lo, plane + iy * w + (lo - padLeft), sizeof(float) * (hi - lo));
    std::memset(d + hi, 0, sizeof(float) * (pw - hi));
  }
  for (int64_t j = 0; j < nrows; ++j)
    for (int64_t tx = 0; tx < tw; ++tx) idx[j * tw + tx] = static_cast<int32_t>(4 * j * pw + 4 * tx);
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 6; ++c) wino43Gather(P + r * pw + c, idx, n, E + (r * 6 + c) * n);
  for (int c = 0; c < 6; ++c)  // B^T along the tile's rows: W[i*6 + c]
    wino43Bt(E + c * n, E + (6 + c) * n, E + (12 + c) * n, E + (18 + c) * n, E + (24 + c) * n,
             E + (30 + c) * n, n, 6 * n, W + c * n);
  for (int i = 0; i < 6; ++i) {  // then along its columns, into V[i*6 + q]
    const float* wi = W + i * 6 * n;
    wino43Bt(wi, wi + n, wi + 2 * n, wi + 3 * n, wi + 4 * n, wi + 5 * n, n, ldv, v + i * 6 * ldv);
  }
}

// o_j = A^T[j] . (m0..m5) (+ bias, ReLU) elementwise over n lanes, o_j = o + j*ldo.
template <bool RELU>
void wino43At(const float* __restrict m0, const float* __restrict m1, const float* __restrict m2,
              const float* __restrict m3, const float* __restrict m4, const float* __restrict m5,
              int64_t n, float bias, int64_t ldo, float* __restrict o) {
  float* __restrict o0 = o;
  float* __restrict o1 = o + ldo;
  float* __restrict o2 = o + 2 * ldo;
  float* __restrict o3 = o + 3 * ldo;
  for (int64_t t = 0; t < n; ++t) {
    float a, b, c, d;
    WINO_AT(m0[t], m1[t], m2[t], m3[t], m4[t], m5[t], a, b, c, d);
    a += bias;
    b += bias;
    c += bias;
    d += bias;
    if (RELU) {  // max(0, x) that keeps NaN, as torch.relu
      a = a < 0.0f ? 0.0f : a;
      b = b < 0.0f ? 0.0f : b;
      c = c < 0.0f ? 0.0f : c;
      d = d < 0.0f ? 0.0f : d;
    }
    o0[t] = a;
    o1[t] = b;
    o2[t] = c;
    o3[t] = d;
  }
}

// row[4tx + q] = o_q[tx] for the columns inside outW.
void wino43Interleave(const float* __restrict o0, const float* __restrict o1,
                      const float* __restrict o2, const float* __restrict o3, int64_t tw,
                      int64_t outW, float* __restrict row) {
  const int64_t full = outW / 4;
  for (int64_t tx = 0; tx < full; ++tx) {
    row[4 * tx] = o0[tx];
    row[4 * tx + 1] = o1[tx];
    row[4 * tx + 2] = o2[tx];
    row[4 * tx + 3] = o3[tx];
  }
  if (full < tw) {
    const float* o[4] = {o0, o1, o2, o3};
    for (int64_t q = 0; 4 * full + q < outW; ++q) row[4 * full + q] = o[q][full];
  }
}

void wino43OutputPlane(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                       float bias, bool relu, float* y, int64_t outH, int64_t outW, float* tmp) {
  const int64_t n = nrows * tw;
  float* S = tmp;         // S[(j*6 + k)*n + t] = A^T[j] . m[(.)*6 + k]
  float* O = S + 24 * n;  // O[(j*4 + q)*n + t]
  for (int k = 0; k < 6; ++k)
    wino43At<false>(m + k * ldm, m + (6 + k) * ldm, m + (12 + k) * ldm, m + (18 + k) * ldm,
                    m + (24 + k) * ldm, m + (30 + k) * ldm, n, 0.0f, 6 * n, S + k * n);
  for (int j = 0; j < 4; ++j) {
    const float* c = S + j * 6 * n;
    if (relu) wino43At<true>(c, c + n, c + 2 * n, c + 3 * n, c + 4 * n, c + 5 * n, n, bias, n, O + j * 4 * n);
    else wino43At<false>(c, c + n, c + 2 * n, c + 3 * n, c + 4 * n, c + 5 * n, n, bias, n, O + j * 4 * n);
  }
  for (int64_t jj = 0; jj < nrows; ++jj)
    for (int j = 0; j < 4; ++j) {
      const int64_t oy = 4 * (ty0 + jj) + j;
      if (oy >= outH) break;
      const float* o = O + j * 4 * n + jj * tw;
      wino43Interleave(o, o + n, o + 2 * n, o + 3 * n, tw, outW, y + oy * outW);
    }
}

#undef WINO_BT
#undef WINO_AT

}  // namespace

const Wino43Fns& WINO_TABLE_NAME() {
  static const Wino43Fns fns = {winoInput, winoOutput, wino43InputPlane, wino43OutputPlane,
                                WINO_INPUT_TILES, WINO_OUTPUT_TILES, WINO_OUTPUT_TILES_T};
  return fns;
}

}  // namespace convnode
