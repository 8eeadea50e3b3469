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

// Horizontal pass over each of the 6 rows (tiles as lanes), then vertical pass, writing
// v[(i*6+k)*ldv + tx].
void winoInput(const float* __restrict rows, int64_t rs, int64_t tw, float* __restrict v,
               int64_t ldv, float* __restrict tmp) {
  for (int r = 0; r < 6; ++r) {
    const float* __restrict d = rows + r * rs;
    float* __restrict t = tmp + r * 6 * tw;
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* __restrict q = d + 4 * tx;
      float t0, t1, t2, t3, t4, t5;
      WINO_BT(q[0], q[1], q[2], q[3], q[4], q[5], t0, t1, t2, t3, t4, t5);
      t[0 * tw + tx] = t0;
      t[1 * tw + tx] = t1;
      t[2 * tw + tx] = t2;
      t[3 * tw + tx] = t3;
      t[4 * tw + tx] = t4;
      t[5 * tw + tx] = t5;
    }
  }
  for (int k = 0; k < 6; ++k) {
    const float* __restrict a0 = tmp + (0 * 6 + k) * tw;
    const float* __restrict a1 = tmp + (1 * 6 + k) * tw;
    const float* __restrict a2 = tmp + (2 * 6 + k) * tw;
    const float* __restrict a3 = tmp + (3 * 6 + k) * tw;
    const float* __restrict a4 = tmp + (4 * 6 + k) * tw;
    const float* __restrict a5 = tmp + (5 * 6 + k) * tw;
    float* __restrict v0 = v + (0 * 6 + k) * ldv;
    float* __restrict v1 = v + (1 * 6 + k) * ldv;
    float* __restrict v2 = v + (2 * 6 + k) * ldv;
    float* __restrict v3 = v + (3 * 6 + k) * ldv;
    float* __restrict v4 = v + (4 * 6 + k) * ldv;
    float* __restrict v5 = v + (5 * 6 + k) * ldv;
    for (int64_t tx = 0; tx < tw; ++tx) {
      float t0, t1, t2, t3, t4, t5;
      WINO_BT(a0[tx], a1[tx], a2[tx], a3[tx], a4[tx], a5[tx], t0, t1, t2, t3, t4, t5);
      v0[tx] = t0;
      v1[tx] = t1;
      v2[tx] = t2;
      v3[tx] = t3;
      v4[tx] = t4;
      v5[tx] = t5;
    }
  }
}

// Vertical pass (rows of the 6x6 M tile), then horizontal pass interleaving the 4 output
// columns of each tile into out[j*os + 4tx + q], with bias and ReLU fused.
void winoOutput(const float* __restrict m, int64_t ldm, int64_t tw, float bias, bool relu,
                float* __restrict out, int64_t os, float* __restrict tmp) {
  for (int k = 0; k < 6; ++k) {
    const float* __restrict m0 = m + (0 * 6 + k) * ldm;
    const float* __restrict m1 = m + (1 * 6 + k) * ldm;
    const float* __restrict m2 = m + (2 * 6 + k) * ldm;
    const float* __restrict m3 = m + (3 * 6 + k) * ldm;
    const float* __restrict m4 = m + (4 * 6 + k) * ldm;
    const float* __restrict m5 = m + (5 * 6 + k) * ldm;
    float* __restrict s0 = tmp + (0 * 6 + k) * tw;
    float* __restrict s1 = tmp + (1 * 6 + k) * tw;
    float* __restrict s2 = tmp + (2 * 6 + k) * tw;
    float* __restrict s3 = tmp + (3 * 6 + k) * tw;
    for (int64_t tx = 0; tx < tw; ++tx) {
      float o0, o1, o2, o3;
      WINO_AT(m0[tx], m1[tx], m2[tx], m3[tx], m4[tx], m5[tx], o0, o1, o2, o3);
      s0[tx] = o0;
      s1[tx] = o1;
      s2[tx] = o2;
      s3[tx] = o3;
    }
  }
  for (int j = 0; j < 4; ++j) {
    const float* __restrict c = tmp + j * 6 * tw;
    float* __restrict o = out + j * os;
    for (int64_t tx = 0; tx < tw; ++tx) {
      float o0, o1, o2, o3;
      WINO_AT(c[0 * tw + tx], c[1 * tw + tx], c[2 * tw + tx], c[3 * tw + tx], c[4 * tw + tx],
              c[5 * tw + tx], o0, o1, o2, o3);
      o0 += bias;
      o1 += bias;
      o2 += bias;
      o3 += bias;
      if (relu) {
        // max(0, x) that keeps NaN, as torch.relu.
        o0 = o0 < 0.0f ? 0.0f : o0;
        o1 = o1 < 0.0f ? 0.0f : o1;
        o2 = o2 < 0.0f ? 0.0f : o2;
        o3 = o3 < 0.0f ? 0.0f : o3;
      }
      o[4 * tx + 0] = o0;
      o[4 * tx + 1] = o1;
      o[4 * tx + 2] = o2;
      o[4 * tx + 3] = o3;
    }
  }
}

#undef WINO_BT
#undef WINO_AT

}  // namespace

const Wino43Fns& WINO_TABLE_NAME() {
  static const Wino43Fns fns = {winoInput, winoOutput};
  return fns;
}

}  // namespace convnode
