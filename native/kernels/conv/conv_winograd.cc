// Winograd F(m x m, 3x3) driver, m = 4 or 2 (3x3, stride 1, dilation 1, groups 1; any padding).
// The output of the whole batch is cut into m x m tiles (TH x TW per image), and the tile rows
// of all images, in order, are processed in chunks of whole tile rows (~256 tiles, so V and M
// below stay within L2/L3; a chunk may span images, so a batch widens the GEMMs and U is
// streamed once per chunk instead of once per image):
//   1. input transform  V[e][ic][t] = (B^T d B)[e]  for the alpha x alpha input tile d of each
//                       tile t (alpha = m + 2)
//   2. alpha^2 GEMMs    M[e] = U[e] x V[e],  U[e] = (G g G^T)[e], a [cout x cin] matrix kept
//                       pre-packed in the A-panel layout of the layer's micro-kernel (the
//                       AVX-512 28x16 one when a chunk has <= 16 tiles)
//   3. output transform Y(tile t, oc) = A^T M[.][oc][t] A + bias (ReLU fused)
// On AVX-512 (F(4x4), >= 32 tiles in a chunk) the products may run transposed instead,
// M[e]^T = V[e]^T x U[e]^T with U^T prepacked as the B side, where the tiles fill the register
// tile's rows better than its columns (winoTransposed); the output transform then reads M^T.
// That is the "[Cout x Cin] x [Cin x tiles]" batched-GEMM form of Lavin & Gray: the products
// are independent, so the threads split them (each GEMM single-threaded, on its own
// preallocated packing scratch) and split channels in the transforms.
// Multiplies per output: alpha^2*cin/m^2 = 2.25*cin (F4) or 4*cin (F2) vs 9*cin direct, at the
// price of the transforms and of padding the output to a multiple of m.
#include <new>
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {
inline int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

WinogradTile resolve(const Conv2dShape& s, WinogradTile tile) {
  return tile == WinogradTile::Auto ? winogradTileChoose(s) : tile;
}

const WinoFns& winoFor(Isa isa, WinogradTile tile) {
#if defined(__x86_64__)
  if (isa == Isa::Avx512) return tile == WinogradTile::F2 ? wino22Avx512() : wino43Avx512();
  if (isa == Isa::Avx2) return tile == WinogradTile::F2 ? wino22Avx2() : wino43Avx2();
#endif
  (void)isa;
  return tile == WinogradTile::F2 ? wino22Generic() : wino43Generic();
}

// Chunking: tile rows of the whole batch (n * TH of them, TW tiles each), ~256 tiles per chunk.
struct WinoGeometry {
  int64_t m, alpha, th, tw, rowsTotal, rowsPerChunk, tcMax;
};
WinoGeometry winoGeometry(const Conv2dShape& s, WinogradTile tile) {
  WinoGeometry g;
  g.m = tile == WinogradTile::F2 ? 2 : 4;
  g.alpha = g.m + 2;
  g.th = (s.outH + g.m - 1) / g.m;
  g.tw = (s.outW + g.m - 1) / g.m;
  g.rowsTotal = s.n * g.th;
  g.rowsPerChunk = std::min<int64_t>(g.rowsTotal, std::max<int64_t>(1, (256 + g.tw - 1) / g.tw));
  g.tcMax = g.rowsPerChunk * g.tw;
  return g;
}
// The GEMM micro-kernel table every chunk of this layer uses: chosen once from the full chunk
// width so U, packed for it, fits the last (narrower) chunk too.
const GemmKernelTable* winoKernel(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  return sgemmKernelFor(isa, s.cout, winoGeometry(s, tile).tcMax);
}

// Lanes of a product's register tiles that hold real results (a panel's last columns are
// computed 16 at a time, see sgemm_ukernel_avx512.cc).
double tileFill(const GemmKernelTable* t, int64_t m, int64_t n) {
  int mr = 1, nr = 1;
  sgemmTableTile(t, &mr, &nr);
  const int64_t cols = n / nr * nr + roundUp(n % nr, std::min(nr, 16));
  return double(m) / double(roundUp(m, mr)) * double(n) / double(cols);
}

// The transposed orientation, M[e]^T (tiles x cout) = V[e]^T (tiles x cin) x U[e]^T (cin x
// cout) with U^T prepacked as the B side: where the tiles fill the register tile's rows better
// than they fill its columns. 3x3 128->128 @28, batch 1: 49 tiles fill 77% of two 32-wide
// column panels but 88% of four 14-row tiles (and 128 channels fill 32-wide panels exactly);
// 64->64 @56: 196 tiles are 14 x 14 rows, 64 channels 2 x 32 columns. AVX-512 F(4x4) only
// (its output transform reads M^T: winograd43_avx512.cc).
bool winoTransposed(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  tile = resolve(s, tile);
  if (tile != WinogradTile::F4 || !winoFor(isa, tile).outputTilesT) return false;
  const int64_t tc = winoGeometry(s, tile).tcMax;
  // Few tiles (256->256 @14: 16) leave each row of U^T used by one or two row tiles: the
  // product streams U at up to ~16 bytes a cycle, past what DRAM gives one core. Caches flushed
  // before each call, ResNet-18 plan, 1 thread, ms: transposed 0.62-0.73 vs 0.56-0.62 (warm
  // 0.43 vs 0.46). With 49 tiles (128@28) it wins cold too: 0.46-0.56 vs 0.54-0.62.
  if (tc < 32) return false;
  return tileFill(sgemmKernelFor(isa, tc, s.cout), tc, s.cout) >
         1.08 * tileFill(sgemmKernelFor(isa, s.cout, tc), s.cout, tc);
}
const GemmKernelTable* winoKernelT(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  return sgemmKernelFor(isa, winoGeometry(s, tile).tcMax, s.cout);
}

// One row of G applied to three filter rows a, b, c (each n = cin values): o[r] = G[r] . (a, b, c)
// for the ALPHA rows of G. Used twice per output channel: G g (columns j of the taps), then
// (G g) G^T (rows i of G g), each a contiguous loop over ic.
// F(4x4): G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
// (winograd43.inl).
void wino43G(const float* __restrict a, const float* __restrict b, const float* __restrict c,
             int64_t n, float* const* o) {
  float* __restrict o0 = o[0];
  float* __restrict o1 = o[1];
  float* __restrict o2 = o[2];
  float* __restrict o3 = o[3];
  float* __restrict o4 = o[4];
  float* __restrict o5 = o[5];
  for (int64_t i = 0; i < n; ++i) {
    o0[i] = 0.25f * a[i];
    o1[i] = -(a[i] + b[i] + c[i]) * (1.0f / 6);
    o2[i] = -(a[i] - b[i] + c[i]) * (1.0f / 6);
    o3[i] = a[i] * (1.0f / 24) + b[i] * (1.0f / 12) + c[i] * (1.0f / 6);
    o4[i] = a[i] * (1.0f / 24) - b[i] * (1.0f / 12) + c[i] * (1.0f / 6);
    o5[i] = c[i];
  }
}

// F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] (winograd22.inl).
void wino22G(const float* __restrict a, const float* __restrict b, const float* __restrict c,
             int64_t n, float* const* o) {
  float* __restrict o0 = o[0];
  float* __restrict o1 = o[1];
  float* __restrict o2 = o[2];
  float* __restrict o3 = o[3];
  for (int64_t i = 0; i < n; ++i) {
    o0[i] = a[i];
    o1[i] = 0.5f * (a[i] + b[i] + c[i]);
    o2[i] = 0.5f * (a[i] - b[i] + c[i]);
    o3[i] = c[i];
  }
}

// U = G g G^T per (oc, ic), written plain as U[e][oc][ic] (ALPHA^2 planes), then packed per e
// by the caller. One output channel at a time: its cin filters are first transposed to
// [9 taps][cin] so that every step is a contiguous (vectorized) loop over ic writing ALPHA^2
// contiguous runs. (Writing U[e][oc][ic] filter by filter touched 36 far-apart lines per filter
// and took 40% of a 64->64 @56 layer; for F(2x2) 512->512 it took 12 ms on every eager call
// whose weights had changed.)
template <int ALPHA, void (*G)(const float*, const float*, const float*, int64_t, float* const*)>
void transformFilterPlain(const Conv2dShape& s, const float* w, float* u) {
  const int64_t plane = s.cout * s.cin;
  const int64_t cin = s.cin;
  const int threads = threadsFor(s.cout, s.cin * (ALPHA == 6 ? 400 : 200));
  const int64_t per = (9 + 3 * ALPHA) * cin;  // taps [9][cin] + G g [ALPHA][3][cin]
  AlignedFloats tmpAll = allocFloats(static_cast<size_t>(per * threads));
  if (!tmpAll) throw std::bad_alloc();  // the binding turns it into a JS Error
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    float* gt = tmpAll.get() + omp_get_thread_num() * per;
#pragma omp for schedule(static)
#else
    float* gt = tmpAll.get();
#endif
    for (int64_t oc = 0; oc < s.cout; ++oc) {
      float* t = gt + 9 * cin;  // t[(i*3 + j)*cin + ic] = (G g)[i][j]
      const float* wo = w + oc * cin * 9;
      for (int64_t ic = 0; ic < cin; ++ic)
        for (int k = 0; k < 9; ++k) gt[k * cin + ic] = wo[ic * 9 + k];
      float* o[ALPHA];
      for (int j = 0; j < 3; ++j) {  // G g, column j
        for (int i = 0; i < ALPHA; ++i) o[i] = t + (i * 3 + j) * cin;
        G(gt + j * cin, gt + (3 + j) * cin, gt + (6 + j) * cin, cin, o);
      }
      for (int i = 0; i < ALPHA; ++i) {  // (G g) G^T, row i
        for (int e = 0; e < ALPHA; ++e) o[e] = u + (i * ALPHA + e) * plane + oc * cin;
        G(t + (i * 3) * cin, t + (i * 3 + 1) * cin, t + (i * 3 + 2) * cin, cin, o);
      }
    }
  }
  (void)threads;
}

void winograd43TransformFilterPlain(const Conv2dShape& s, const float* w, float* u) {
  transformFilterPlain<6, wino43G>(s, w, u);
}

void winograd22TransformFilterPlain(const Conv2dShape& s, const float* w, float* u) {
  transformFilterPlain<4, wino22G>(s, w, u);
}

// The fused store of a plan step: dst = min(act(src + dst), clampMax) (ACC) or
// min(act(src), clampMax). The output transform's result is still in L1 here, so the residual
// add costs no pass over the output: ResNet-18 batch 1 ran it as a second pass over each
// residual conv's output (and its result through scratch), ~0.01-0.03 ms a layer at 1 thread.
template <bool ACC, bool RELU>
void storeFusedT(const float* __restrict src, float* __restrict dst, int64_t n, float clampMax) {
  for (int64_t i = 0; i < n; ++i) {
    float v = ACC ? src[i] + dst[i] : src[i];
    if (RELU) v = v < 0.0f ? 0.0f : v;  // keeps NaN, as torch.relu
    dst[i] = v > clampMax ? clampMax : v;
  }
}
void storeFused(const float* src, float* dst, int64_t n, bool acc, bool relu, float clampMax) {
  if (acc) relu ? storeFusedT<true, true>(src, dst, n, clampMax) : storeFusedT<true, false>(src, dst, n, clampMax);
  else relu ? storeFusedT<false, true>(src, dst, n, clampMax) : storeFusedT<false, false>(src, dst, n, clampMax);
}

}  // namespace

namespace {
// Floats of one Winograd plane of U as packed: A panels (cout x cin), or B panels of U^T.
int64_t winoUPlaneFloats(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  if (winoTransposed(s, isa, tile))
    return roundUp(sgemmPackedBFloats(winoKernelT(s, isa, tile), s.cin, s.cout), 16);
  return roundUp(sgemmPackedAFloats(winoKernel(s, isa, tile), s.cout, s.cin), 16);
}
}  // namespace

int64_t winogradFilterFloats(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  tile = resolve(s, tile);
  const int64_t alpha = tile == WinogradTile::F2 ? 4 : 6;
  return alpha * alpha * winoUPlaneFloats(s, isa, tile);
}

int64_t winogradLayoutKey(const Conv2dShape& s, Isa isa, WinogradTile tile) {
  tile = resolve(s, tile);
  const bool transposed = winoTransposed(s, isa, tile);
  int mr = 0, nr = 0;
  sgemmTableTile(transposed ? winoKernelT(s, isa, tile) : winoKernel(s, isa, tile), &mr, &nr);
  return ((static_cast<int64_t>(tile) * 1000 + mr) * 1000 + nr) * 2 + (transposed ? 1 : 0);
}

void winogradTransformFilter(const Conv2dShape& s, Isa isa, const float* w, float* u,
                             WinogradTile tile) {
  tile = resolve(s, tile);
  const int64_t alpha = tile == WinogradTile::F2 ? 4 : 6;
  const int64_t planes = alpha * alpha;
  const bool transposed = winoTransposed(s, isa, tile);
  const GemmKernelTable* t = transposed ? winoKernelT(s, isa, tile) : winoKernel(s, isa, tile);
  int mr = 1, nr = 1;
  sgemmTableTile(t, &mr, &nr);
  const int64_t per = winoUPlaneFloats(s, isa, tile);
  // A block of output channels at a time (a multiple of the kernel's MR, ~32 rows): the plain
  // U[e][oc][ic] of the block stays within L2 and no layer-sized scratch is allocated (16.8 /
  // 37.7 MB for 512->512, whose page faults were ~40% of an eager call with changed weights).
  // (Transposed: blocks of one B panel, nr channels.)
  const int64_t block = transposed ? nr : mr * std::max<int64_t>(1, 32 / mr);
  AlignedFloats plain = allocFloats(static_cast<size_t>(planes * std::min(block, s.cout) * s.cin));
  if (!plain) throw std::bad_alloc();
  GemmShape g;
  g.m = s.cout;
  g.k = s.cin;
  g.lda = s.cin;
  for (int64_t oc0 = 0; oc0 < s.cout; oc0 += block) {
    Conv2dShape sb = s;
    sb.cout = std::min(block, s.cout - oc0);
    const float* wb = w + oc0 * s.cin * 9;
    if (tile == WinogradTile::F2) winograd22TransformFilterPlain(sb, wb, plain.get());
    else winograd43TransformFilterPlain(sb, wb, plain.get());
    for (int64_t e = 0; e < planes; ++e) {
      if (transposed) {  // B(ic, oc) = U[e][oc][ic]: U^T, stored transposed
        GemmShape gb;
        gb.k = s.cin;
        gb.n = s.cout;
        gb.transB = true;
        gb.ldb = s.cin;
        sgemmPackBCols(t, gb, plain.get() + e * sb.cout * s.cin, oc0, sb.cout, u + e * per);
      } else {
        sgemmPackARows(t, g, plain.get() + e * sb.cout * s.cin, oc0, sb.cout, u + e * per);
      }
    }
  }
}

void conv2dWinograd(const Conv2dShape& s, Isa isa, const float* x, const float* u,
                    const float* bias, float* y, bool relu, WinogradTile tile, bool accumulate,
                    float clampMax) {
  // A fused store (residual / clamp) applies the ReLU itself, after the add.
  const bool fused = accumulate || clampMax < __builtin_inff();
  const bool reluT = relu && !fused;
  tile = resolve(s, tile);
  const WinoGeometry geo = winoGeometry(s, tile);
  const int64_t m = geo.m, alpha = geo.alpha, planes = alpha * alpha;
  const int64_t th = geo.th, tw = geo.tw;
  const bool transposed = winoTransposed(s, isa, tile);
  const GemmKernelTable* kernel = transposed ? winoKernelT(s, isa, tile) : winoKernel(s, isa, tile);
  const int64_t uPer = winoUPlaneFloats(s, isa, tile);
  const WinoFns& fns = winoFor(isa, tile);
  const int64_t tcMax = geo.tcMax;
  // Padded input row (+4: whole last phase group; a multiple of 32 so that F(4x4)'s phase pass
  // can run over whole 8-lane vectors) and output row buffer (room for tw rounded up to 8).
  const int64_t rs = roundUp(m * tw + 4, 32);
  const int64_t os = roundUp(m * roundUp(tw, 8), 16);
  GemmShape gs;
  gs.m = transposed ? tcMax : s.cout;
  gs.n = transposed ? s.cout : tcMax;
  gs.k = s.cin;
  const int64_t gemmScratch = roundUp(sgemmScratchFloats(kernel, gs), 16);
  // Small images (few tiles per tile row): the whole-plane transforms, one job per (channel,
  // image segment of the chunk). 512->512 @7, F(2x2), batch 1, 1 thread (perf, 2026-11-25):
  // the per-tile-row transforms (4 tiles per vector op) took ~17% of the layer.
  // F(4x4) 256->256 @14 (tw 4), min of 3 x 1.5 s loops, 1 thread: 0.534 vs 0.660 ms (batch 1),
  // 4.34 vs 5.15 ms (batch 8); 128->128 @28 (tw 7): 0.577 vs 0.572, even.
  const bool planeMode = fns.inputPlane && tw <= 8;
  const int64_t segRowsMax = std::min(th, geo.rowsPerChunk);
  const int64_t tmpFloats = roundUp(std::max<int64_t>(36 * tw + 10 * rs,
      planeMode ? winoPlaneTmpFloats(alpha, segRowsMax, tw) : 0), 16);
  // Plane mode with a fused store: the output transform writes a segment's rows here first.
  const int64_t segFloats = fused && planeMode ? roundUp(m * segRowsMax * s.outW, 16) : 0;
  const int64_t perThread = alpha * rs + tmpFloats + m * os + gemmScratch + segFloats;
  const int64_t vFloats = roundUp(planes * s.cin * tcMax, 16);
  // + 16: the F(4x4) output pass reads up to 7 lanes past the last tile (winograd43.inl).
  const int64_t mFloats = roundUp(planes * s.cout * tcMax, 16) + 16;
  // Small layers stay on one thread: below ~3M multiply-adds in the products (~30 us) waking the
  // pool and the three barriers per chunk cost more than the second core saves. GoogLeNet at
  // batch 1, 2 threads vs 1, per-step minima of 40 plan runs (2026-11-25): 16->48 @14 0.052 vs
  // 0.026 ms, 32->64 @14 0.070 vs 0.047, 48->128 @7 0.060 vs 0.034 (1.2-1.6M MACs) were slower
  // with 2; 32->96 @28 (5.4M) 0.117 vs 0.161 and 160->320 @7 (13M) 0.134 vs 0.174 faster.
  const int64_t macs = planes * tcMax * s.cin * s.cout;
  const int threads = macs < (int64_t(3) << 20) ? 1 : threadsFor(planes * tcMax, s.cin * s.cout);
  AlignedFloats scratch = allocFloats(static_cast<size_t>(vFloats + mFloats + perThread * threads));
  if (!scratch) throw std::bad_alloc();
  float* V = scratch.get();
  float* M = V + vFloats;
  float* perThreadBase = M + mFloats;
  const int64_t planeIn = s.h * s.w, planeOut = s.outH * s.outW;

#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
  {
#if defined(CONVNODE_OPENMP)
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    float* rows = perThreadBase + tid * perThread;
    float* tmp = rows + alpha * rs;
    float* obuf = tmp + tmpFloats;
    float* gbuf = obuf + m * os;
    float* seg = gbuf + gemmScratch;
    for (int64_t r0 = 0; r0 < geo.rowsTotal; r0 += geo.rowsPerChunk) {
      const int64_t tr = std::min(geo.rowsPerChunk, geo.rowsTotal - r0);
      const int64_t tc = tr * tw;
      // Tile row r0 + j is row (r0 + j) % th of image (r0 + j) / th. Segment q of the chunk:
      // image b = bFirst + q, the chunk's tile rows [lo, hi), which are the image's tile rows
      // from ty = lo - b*th on.
      const int64_t bFirst = r0 / th, nseg = (r0 + tr - 1) / th - bFirst + 1;
      struct Segment {
        int64_t b, lo, hi, ty;
      };
      auto segment = [&](int64_t q) {
        const int64_t b = bFirst + q, lo = std::max(r0, b * th), hi = std::min(r0 + tr, (b + 1) * th);
        return Segment{b, lo, hi, lo - b * th};
      };
      // 1. input transform: one (channel, segment) or one (channel, tile row) per iteration.
      // AVX-512 transforms every layer's input whole-plane, straight from x (inputTiles).
      if (planeMode || fns.inputTiles) {
        const auto inputPlane = fns.inputTiles ? fns.inputTiles : fns.inputPlane;
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cin * nseg; ++job) {
          const int64_t ic = job / nseg, q = job % nseg;
          const auto [b, lo, hi, ty] = segment(q);
          inputPlane(x + (b * s.cin + ic) * planeIn, s.h, s.w, s.padTop, s.padLeft,
                         ty, hi - lo, tw, V + ic * tc + (lo - r0) * tw, s.cin * tc, tmp);
        }
      } else {
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cin * tr; ++job) {
          const int64_t ic = job / tr, j = job % tr;
          const int64_t b = (r0 + j) / th, ty = (r0 + j) % th;
          const float* plane = x + (b * s.cin + ic) * planeIn;
          const int64_t iy0 = m * ty - s.padTop;
          for (int64_t r = 0; r < alpha; ++r) {
            float* d = rows + r * rs;
            const int64_t iy = iy0 + r;
            if (iy < 0 || iy >= s.h) {
              std::memset(d, 0, sizeof(float) * rs);
              continue;
            }
            // d[x] = in[iy][x - padLeft], zero outside [0, w).
            const int64_t lo = std::min<int64_t>(rs, s.padLeft);
            const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(rs, s.padLeft + s.w));
            std::memset(d, 0, sizeof(float) * lo);
            std::memcpy(d + lo, plane + iy * s.w + (lo - s.padLeft), sizeof(float) * (hi - lo));
            std::memset(d + hi, 0, sizeof(float) * (rs - hi));
          }
          fns.input(rows, rs, tw, V + ic * tc + j * tw, s.cin * tc, tmp);
        }
      }
      // 2. the alpha^2 independent products M[e] (cout x tc) = U[e] (cout x cin) x V[e] (cin x tc).
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
      for (int64_t e = 0; e < planes; ++e) {
        if (transposed) {  // M[e]^T (tc x cout) = V[e]^T x U[e]^T; V[e] is stored cin x tc
          GemmShape g;
          g.m = tc;
          g.n = s.cout;
          g.k = s.cin;
          g.transA = true;
          g.lda = tc;
          g.ldc = s.cout;
          sgemmSerialPackedB(kernel, g, V + e * s.cin * tc, u + e * uPer, M + e * s.cout * tc,
                             GemmEpilogue(), gbuf);
          continue;
        }
        GemmShape g;
        g.m = s.cout;
        g.n = tc;
        g.k = s.cin;
        g.lda = s.cin;
        g.ldb = tc;
        g.ldc = tc;
        sgemmSerialPackedA(kernel, g, u + e * uPer, V + e * s.cin * tc, M + e * s.cout * tc,
                           GemmEpilogue(), gbuf);
      }
      // 3. output transform: one (channel, segment) or one (channel, tile row) per iteration.
      if (transposed) {  // M^T: 16 channels of one tile are contiguous
        const int64_t groups = (s.cout + 15) / 16;
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < groups * nseg; ++job) {
          const int64_t oc0 = job / nseg * 16, q = job % nseg;
          const auto [b, lo, hi, ty] = segment(q);
          fns.outputTilesT(M + (lo - r0) * tw * s.cout + oc0, s.cout * tc, s.cout,
                           std::min<int64_t>(16, s.cout - oc0), bias ? bias + oc0 : nullptr,
                           ty, hi - lo, tw, y + (b * s.cout + oc0) * planeOut, planeOut,
                           s.outH, s.outW, accumulate, relu, clampMax);
        }
      } else if (fns.outputTiles) {  // AVX-512: straight into y, the fused store included
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cout * nseg; ++job) {
          const int64_t oc = job / nseg, q = job % nseg;
          const auto [b, lo, hi, ty] = segment(q);
          fns.outputTiles(M + oc * tc + (lo - r0) * tw, s.cout * tc, ty, hi - lo, tw,
                          bias ? bias[oc] : 0.0f, y + (b * s.cout + oc) * planeOut, s.outH,
                          s.outW, accumulate, relu, clampMax);
        }
      } else if (planeMode) {
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cout * nseg; ++job) {
          const int64_t oc = job / nseg, q = job % nseg;
          const auto [b, lo, hi, ty] = segment(q);
          float* yo = y + (b * s.cout + oc) * planeOut;
          if (!fused) {
            fns.outputPlane(M + oc * tc + (lo - r0) * tw, s.cout * tc, ty, hi - lo, tw,
                            bias ? bias[oc] : 0.0f, relu, yo, s.outH, s.outW, tmp);
            continue;
          }
          // Rows m*ty .. of the plane, written from seg's start (tile row 0 there).
          const int64_t oy0 = m * ty;
          const int64_t rowsOut = std::min<int64_t>(m * (hi - lo), s.outH - oy0);
          fns.outputPlane(M + oc * tc + (lo - r0) * tw, s.cout * tc, 0, hi - lo, tw,
                          bias ? bias[oc] : 0.0f, false, seg, s.outH - oy0, s.outW, tmp);
          storeFused(seg, yo + oy0 * s.outW, rowsOut * s.outW, accumulate, relu, clampMax);
        }
      } else {
#if defined(CONVNODE_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t job = 0; job < s.cout * tr; ++job) {
          const int64_t oc = job / tr, j = job % tr;
          const int64_t b = (r0 + j) / th, ty = (r0 + j) % th;
          fns.output(M + oc * tc + j * tw, s.cout * tc, tw, bias ? bias[oc] : 0.0f, reluT, obuf,
                     os, tmp);
          const int64_t oy0 = m * ty;
          const int64_t rowsOut = std::min<int64_t>(m, s.outH - oy0);
          float* yo = y + (b * s.cout + oc) * planeOut;
          for (int64_t q = 0; q < rowsOut; ++q) {
            if (fused) storeFused(obuf + q * os, yo + (oy0 + q) * s.outW, s.outW, accumulate, relu, clampMax);
            else std::memcpy(yo + (oy0 + q) * s.outW, obuf + q * os, sizeof(float) * s.outW);
          }
        }
      }
    }
  }
  (void)threads;
}

}  // namespace convnode
