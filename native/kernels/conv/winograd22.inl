// Winograd F(2x2, 3x3) transforms shared by winograd22_{generic,avx2,avx512}.cc (each includes
// this after its `#pragma GCC target`). As in winograd43.inl, the tiles of one tile row are the
// vector lanes: every loop over tx is contiguous except the stride-2 reads of a row, which the
// vectorizer turns into permutes.
//
// Transform matrices (Lavin & Gray 2015, interpolation points {0, 1, -1, inf}):
//   Y = A^T [(G g G^T) . (B^T d B)] A, d a 4x4 input tile, g the 3x3 filter, Y 2x2.
//
//   B^T = | 1  0 -1  0 |    G = |  1     0     0  |    A^T = | 1  1  1  0 |
//         | 0  1  1  0 |        | 1/2   1/2   1/2 |          | 0  1 -1 -1 |
//         | 0 -1  1  0 |        | 1/2  -1/2   1/2 |
//         | 0  1  0 -1 |        |  0     0     1  |
//
// All coefficients are 0, +-1 or +-1/2: the transforms add no rounding beyond the sums, which
// is why F(2x2) is also the more accurate variant (error ~ that of direct convolution).
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

// w_i[x] = sum_r B^T[i][r] * d_r[x], at every column x < n (the vertical pass).
void wino22InputRows(const float* __restrict d0, const float* __restrict d1,
                     const float* __restrict d2, const float* __restrict d3, int64_t n,
                     float* __restrict w0, float* __restrict w1, float* __restrict w2,
                     float* __restrict w3) {
  for (int64_t x = 0; x < n; ++x) {
    w0[x] = d0[x] - d2[x];
    w1[x] = d1[x] + d2[x];
    w2[x] = d2[x] - d1[x];
    w3[x] = d1[x] - d3[x];
  }
}

// Horizontal pass over one row w: tile tx covers columns 2tx .. 2tx+3.
void wino22InputCols(const float* __restrict w, int64_t tw, float* __restrict v0,
                     float* __restrict v1, float* __restrict v2, float* __restrict v3) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    const float a = w[2 * tx], b = w[2 * tx + 1], c = w[2 * tx + 2], d = w[2 * tx + 3];
    v0[tx] = a - c;
    v1[tx] = b + c;
    v2[tx] = c - b;
    v3[tx] = b - d;
  }
}

// rows: 4 zero-padded input rows (stride rs >= 2*tw + 2); writes v[(i*4 + j)*ldv + tx].
// tmp: >= 4*rs floats.
void wino22Input(const float* rows, int64_t rs, int64_t tw, float* v, int64_t ldv, float* tmp) {
  wino22InputRows(rows, rows + rs, rows + 2 * rs, rows + 3 * rs, 2 * tw + 2, tmp, tmp + rs,
                  tmp + 2 * rs, tmp + 3 * rs);
  for (int i = 0; i < 4; ++i) {
    float* vi = v + (i * 4) * ldv;
    wino22InputCols(tmp + i * rs, tw, vi, vi + ldv, vi + 2 * ldv, vi + 3 * ldv);
  }
}

// s_j[tx] for column k of the tiles: s_0 = m0 + m1 + m2, s_1 = m1 - m2 - m3 (A^T, vertical).
void wino22OutputRows(const float* __restrict m0, const float* __restrict m1,
                      const float* __restrict m2, const float* __restrict m3, int64_t tw,
                      float* __restrict s0, float* __restrict s1) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    s0[tx] = m0[tx] + m1[tx] + m2[tx];
    s1[tx] = m1[tx] - m2[tx] - m3[tx];
  }
}

template <bool RELU>
void wino22OutputCols(const float* __restrict c0, const float* __restrict c1,
                      const float* __restrict c2, const float* __restrict c3, int64_t tw,
                      float bias, float* __restrict out) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    float o0 = c0[tx] + c1[tx] + c2[tx] + bias;
    float o1 = c1[tx] - c2[tx] - c3[tx] + bias;
    if (RELU) {  // max(0, x) that keeps NaN, as torch.relu
      o0 = o0 < 0.0f ? 0.0f : o0;
      o1 = o1 < 0.0f ? 0.0f : o1;
    }
    out[2 * tx] = o0;
    out[2 * tx + 1] = o1;
  }
}

// m[e*ldm + tx] -> 2 output rows out[j*os + 2tx + q]. tmp: >= 8*tw floats.
void wino22Output(const float* m, int64_t ldm, int64_t tw, float bias, bool relu, float* out,
                  int64_t os, float* tmp) {
  // tmp[(j*4 + k)*tw + tx] = s_{j,k}[tx]
  for (int k = 0; k < 4; ++k)
    wino22OutputRows(m + k * ldm, m + (4 + k) * ldm, m + (8 + k) * ldm, m + (12 + k) * ldm, tw,
                     tmp + k * tw, tmp + (4 + k) * tw);
  for (int j = 0; j < 2; ++j) {
    const float* c = tmp + j * 4 * tw;
    if (relu) wino22OutputCols<true>(c, c + tw, c + 2 * tw, c + 3 * tw, tw, bias, out + j * os);
    else wino22OutputCols<false>(c, c + tw, c + 2 * tw, c + 3 * tw, tw, bias, out + j * os);
  }
}

// Whole-plane variants for small images (7x7: 4 tiles per tile row would fill a quarter of a
// zmm): the lanes are all nrows*tw tiles of tile rows ty0 .. ty0+nrows-1 of one channel plane,
// tile t = j*tw + tx, so one vector op covers 16 tiles at 7x7. Every loop is a separate
// function over restrict-qualified parameters (GCC ignores restrict on block-scope pointers
// and then keeps these loops scalar behind alias checks: 11% of the 512 @7 layer, perf).

// o = B^T (a, b, c, d) elementwise over n lanes.
void wino22Bt(const float* __restrict a, const float* __restrict b, const float* __restrict c,
              const float* __restrict d, int64_t n, float* __restrict o0, float* __restrict o1,
              float* __restrict o2, float* __restrict o3) {
  for (int64_t t = 0; t < n; ++t) {
    o0[t] = a[t] - c[t];
    o1[t] = b[t] + c[t];
    o2[t] = c[t] - b[t];
    o3[t] = b[t] - d[t];
  }
}

// e[t] = p[idx[t]]: one (row, column) phase of the padded plane for every tile (idx[t] =
// 2j*pw + 2tx). One flat loop over all n tiles, which vectorizes to gathers (AVX2/AVX-512);
// the nested j/tx form ran tw = 4 scalar iterations per row (7% of the 512 @7 layer, perf).
void wino22Gather(const float* __restrict p, const int32_t* __restrict idx, int64_t n,
                  float* __restrict e) {
  for (int64_t t = 0; t < n; ++t) e[t] = p[idx[t]];
}

// Input: v[e*ldv + t]. tmp: >= winoPlaneTmpFloats(4, nrows, tw) floats (conv_isa.h).
void wino22InputPlane(const float* plane, int64_t h, int64_t w, int64_t padTop, int64_t padLeft,
                      int64_t ty0, int64_t nrows, int64_t tw, float* v, int64_t ldv, float* tmp) {
  const int64_t n = nrows * tw;
  const int64_t pw = 2 * tw + 2, ph = 2 * nrows + 2;
  float* P = tmp;          // zero-padded input rows 2*ty0 - padTop + r, r < ph (pw columns)
  float* E = P + ph * pw;  // E[(r*4 + c)*n + t] = P[2j + r][2tx + c]
  float* W = E + 16 * n;   // W[(i*4 + c)*n + t] = B^T[i] . E[.][c]
  int32_t* idx = reinterpret_cast<int32_t*>(W + 16 * n);  // n offsets
  const int64_t lo = std::min<int64_t>(pw, std::max<int64_t>(0, padLeft));
  const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(pw, padLeft + w));
  for (int64_t r = 0; r < ph; ++r) {
    float* d = P + r * pw;
    const int64_t iy = 2 * ty0 - padTop + r;
    if (iy < 0 || iy >= h) {
      std::memset(d, 0, sizeof(float) * pw);
      continue;
    }
    std::memset(d, 0, sizeof(float) * lo);
    std::memcpy(d + lo, plane + iy * w + (lo - padLeft), sizeof(float) * (hi - lo));
    std::memset(d + hi, 0, sizeof(float) * (pw - hi));
  }
  for (int64_t j = 0; j < nrows; ++j)
    for (int64_t tx = 0; tx < tw; ++tx) idx[j * tw + tx] = static_cast<int32_t>(2 * j * pw + 2 * tx);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) wino22Gather(P + r * pw + c, idx, n, E + (r * 4 + c) * n);
  for (int c = 0; c < 4; ++c)  // B^T along the tile's rows
    wino22Bt(E + c * n, E + (4 + c) * n, E + (8 + c) * n, E + (12 + c) * n, n, W + c * n,
             W + (4 + c) * n, W + (8 + c) * n, W + (12 + c) * n);
  for (int i = 0; i < 4; ++i) {  // then along its columns, into V
    const float* wi = W + i * 4 * n;
    float* vi = v + i * 4 * ldv;
    wino22Bt(wi, wi + n, wi + 2 * n, wi + 3 * n, n, vi, vi + ldv, vi + 2 * ldv, vi + 3 * ldv);
  }
}

// s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 (A^T) elementwise, + bias and ReLU when asked.
template <bool RELU>
void wino22At(const float* __restrict m0, const float* __restrict m1, const float* __restrict m2,
              const float* __restrict m3, int64_t n, float bias, float* __restrict s0,
              float* __restrict s1) {
  for (int64_t t = 0; t < n; ++t) {
    float a = m0[t] + m1[t] + m2[t] + bias;
    float b = m1[t] - m2[t] - m3[t] + bias;
    if (RELU) {  // max(0, x) that keeps NaN, as torch.relu
      a = a < 0.0f ? 0.0f : a;
      b = b < 0.0f ? 0.0f : b;
    }
    s0[t] = a;
    s1[t] = b;
  }
}

// row[2tx] = o0[tx], row[2tx + 1] = o1[tx] (the last odd column only when inside outW).
void wino22Interleave(const float* __restrict o0, const float* __restrict o1, int64_t tw,
                      int64_t outW, float* __restrict row) {
  const int64_t full = outW / 2;
  for (int64_t tx = 0; tx < full; ++tx) {
    row[2 * tx] = o0[tx];
    row[2 * tx + 1] = o1[tx];
  }
  if (full < tw) row[2 * full] = o0[full];
}

// Output: m[e*ldm + t] for the nrows*tw tiles -> y rows 2*ty0 .. of one output plane (outH x
// outW), bias and ReLU fused. tmp: >= winoPlaneTmpFloats(4, nrows, tw) floats.
void wino22OutputPlane(const float* m, int64_t ldm, int64_t ty0, int64_t nrows, int64_t tw,
                       float bias, bool relu, float* y, int64_t outH, int64_t outW, float* tmp) {
  const int64_t n = nrows * tw;
  float* S = tmp;       // S[(j*4 + k)*n + t] = A^T[j] . m[(.)*4 + k]
  float* O = S + 8 * n;  // O[(j*2 + q)*n + t]
  for (int k = 0; k < 4; ++k)
    wino22At<false>(m + k * ldm, m + (4 + k) * ldm, m + (8 + k) * ldm, m + (12 + k) * ldm, n, 0.0f,
                    S + k * n, S + (4 + k) * n);
  for (int j = 0; j < 2; ++j) {
    const float* c = S + j * 4 * n;
    if (relu) wino22At<true>(c, c + n, c + 2 * n, c + 3 * n, n, bias, O + 2 * j * n, O + (2 * j + 1) * n);
    else wino22At<false>(c, c + n, c + 2 * n, c + 3 * n, n, bias, O + 2 * j * n, O + (2 * j + 1) * n);
  }
  for (int64_t jj = 0; jj < nrows; ++jj)
    for (int j = 0; j < 2; ++j) {
      const int64_t oy = 2 * (ty0 + jj) + j;
      if (oy >= outH) break;
      wino22Interleave(O + 2 * j * n + jj * tw, O + (2 * j + 1) * n + jj * tw, tw, outW,
                       y + oy * outW);
    }
}

}  // namespace

const WinoFns& WINO_TABLE_NAME() {
  static const WinoFns fns = {wino22Input, wino22Output, wino22InputPlane, wino22OutputPlane,
                              WINO_INPUT_TILES, WINO_OUTPUT_TILES, WINO_OUTPUT_TILES_T};
  return fns;
}

}  // namespace convnode
