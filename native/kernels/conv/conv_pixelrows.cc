// Pixels-as-rows convolution driver (conv_pixelrows.h): weight packing, the column matrix,
// and the loops around the 7 x 64 (AVX2: 7 x 16) micro-kernel. Baseline ISA; only the micro-kernel is
// compiled for AVX-512 / AVX2, and nothing here runs unless convPixelRowsEligible said one of them.
//
// Loops, per image: column chunks of up to 28 pixel tiles (196 pixels) -> 64-channel (16) weight
// panels (threads split chunk x panel units) -> kc blocks of taps -> the chunk's 7-pixel tiles.
// The weight block (kc x 64 = 32 KiB) stays in L1 while every tile of the chunk reads it, so
// the weights, which dominate the traffic of these small layers, come from memory once per
// chunk; the first tile of a block prefetches them. Partial sums between kc blocks live in a
// per-thread 7 x 64 x 28 tile buffer (on the stack); the last block stores NCHW.
#include "kernels/conv/conv_pixelrows.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {

constexpr int64_t kMr = kPixelRowsMr, kNr = kPixelRowsNr;  // kNr: the widest panel (AVX-512)
constexpr int64_t kChunkTiles = 28;
constexpr int64_t kMinChunkTiles = 4;

inline int64_t taps(const Conv2dShape& s) { return (s.cin / s.groups) * s.kh * s.kw; }
// Panel width (output channels per register tile) of `isa`'s micro-kernel.
inline int64_t panelWidth(Isa isa) { return isa == Isa::Avx512 ? kNr : 16; }
inline int64_t panels(const Conv2dShape& s, int64_t pw) { return (s.cout + pw - 1) / pw; }
inline int64_t roundUp16(int64_t v) { return (v + 15) / 16 * 16; }

// Units of work are (panel, chunk of tiles); a unit costs its tiles times (its panel's width in
// 16-channel vectors + 2): a narrow last panel runs a narrower tile, but each tile's partial
// sums and transposing store cost about the same at any width. Threads take contiguous
// runs of units of about equal cost: unit u goes to thread floor(T * (cost before u + half
// its own) / total). Counting units instead gave 576->96 @14 (panels of 64 + 32 channels) a
// 2:1 split at 2 threads.
struct UnitSplit {
  int64_t tiles, chunkTiles, chunks, np, pw, cout;
  int64_t cost(int64_t u) const {
    const int64_t jp = u / chunks, t0 = (u % chunks) * chunkTiles;
    const int64_t nr = std::min(pw, cout - jp * pw);
    return ((nr + 15) / 16 + 2) * (std::min(tiles, t0 + chunkTiles) - t0);
  }
  int64_t total() const {
    int64_t sum = 0;
    for (int64_t u = 0; u < np * chunks; ++u) sum += cost(u);
    return sum;
  }
  // Thread tid's units [*u0, *u1) of `threads`.
  void share(int tid, int threads, int64_t* u0, int64_t* u1) const {
    const int64_t all = total();
    *u0 = *u1 = np * chunks;
    int64_t before = 0;
    bool started = false;
    for (int64_t u = 0; u < np * chunks; ++u) {
      const int64_t c = cost(u);
      const int64_t owner = (2 * before + c) * threads / (2 * all);
      if (!started && owner >= tid) {
        *u0 = u;
        started = true;
      }
      if (owner > tid) {
        *u1 = u;
        return;
      }
      before += c;
    }
  }
  // The busiest thread's cost over the even share.
  double imbalance(int threads) const {
    int64_t worst = 0;
    for (int t = 0; t < threads; ++t) {
      int64_t u0, u1, sum = 0;
      share(t, threads, &u0, &u1);
      for (int64_t u = u0; u < u1; ++u) sum += cost(u);
      worst = std::max(worst, sum);
    }
    return double(worst) * threads / double(total());
  }
};

// A stride-1 unpadded 1x1 conv reads its input as the column matrix.
inline bool readsInput(const Conv2dShape& s) {
  return s.kh == 1 && s.kw == 1 && s.strideH == 1 && s.strideW == 1 && s.padTop == 0 &&
         s.padBottom == 0 && s.padLeft == 0 && s.padRight == 0;
}

// kc: taps per block. The kc x 64 weight block (32 KiB at 128) must stay in L1 (48 KiB) beside
// the tiles' 7-float rows of A. 64, 128, 256 and 512 measured within noise of each other on
// ResNet-50's layers (bench/ab-pixelrows.ts, 1 thread, 2026-11-25); CONVNODE_PIXEL_ROWS_KC
// overrides it (read once per process: tests run odd block counts with it).
int64_t blockTaps() {
  static const int64_t kc = [] {
    const char* v = std::getenv("CONVNODE_PIXEL_ROWS_KC");
    const long long n = v ? std::atoll(v) : 0;
    return n > 0 ? static_cast<int64_t>(n) : int64_t(128);
  }();
  return kc;
}

}  // namespace

bool convPixelRowsEligible(const Conv2dShape& s, Isa isa) {
#if defined(__x86_64__)
  return (isa == Isa::Avx512 || isa == Isa::Avx2) && s.groups == 1 && s.cout >= 1 && s.outH * s.outW >= 1;
#else
  (void)s;
  (void)isa;
  return false;
#endif
}

// CONVNODE_PIXEL_ROWS=0 never takes the path, =1 takes it wherever it is eligible (tests
// and A/B benches); otherwise the rule below. Read at each plan creation and eager call.
//
// The rule compares the fraction of register-tile lanes doing real work, 7 x 64 (AVX2: 7 x 16)
// here vs the usual kernel's tile over (cout, pixels) (14x32, or 8x48 / 28x16 where sgemm
// picks them; AVX2 6x16):
//   r = fill(pixels, 7) * fill(cout, NR') / (fill(cout, MR) * fill(pixels, NR)),
// NR' = 16 on AVX-512 (a last panel of cout % 64 channels runs 1-3 vectors) and 16 on AVX2.
// With those narrow tails (2026-11-25, same bench, steps alone): 576->96 @14 0.090 -> 0.081,
// 384->96 0.059 -> 0.054, 960->160 @7 0.067 -> 0.056, GoogLeNet 512->160 @14 0.142 -> 0.119;
// MobileNetV2's conv steps 3.05 -> 2.99 ms, GoogLeNet's 7.03 -> 6.95, ResNets unchanged.
// AVX-512, measured per plan step (bench/ab-pixelrows.ts resnet50,resnet18,googlenet,mobilenetV2 1 8:
// both layouts in one process, PlanBenchStep interleaved, min ms, 1 thread, Zen 5, 2026-11-25):
// - 49 pixels: faster at every r >= 0.86 (the lowest seen: 832->32 0.023 -> 0.022 ms; 2048->512
//   0.556 -> 0.429, 832->48 x1.34, 832->160 x1.18, 3x3/s2 512->512 1.34 -> 1.10).
// - 196 pixels: faster when r >= 1 (cout 64 x1.28-1.37, 128 x1.29, 256 x1.20, 1024 x1.08,
//   3x3/s2 256->256 1.25 -> 1.06, 112 / 160 at r = 1: x1.01-1.05), slower below (cout 96 and
//   144, r 0.88-0.92: x0.94; cout 16-32: x0.62-0.91).
// - 784 pixels: r is ~1.03 for most layers, and only the deep ones gain (3x3/s2 128->128 1152
//   taps x1.06, 512->128 x1.06, 512->256 x1.05) or those whose output stays in L2 (192->64 and
//   256->64: x1.10-1.12); 128->512 (x0.94), 256->512/s2 (x0.97), 32->192 (x0.97) lose: each
//   tile stores 64 rows of 7 floats, which costs where the output is large and K short.
// - 3136 pixels and more: not taken (1x1 @56: x0.89-1.09).
bool convPixelRowsSuits(const Conv2dShape& s, Isa isa) {
  if (!convPixelRowsEligible(s, isa)) return false;
  const char* force = std::getenv("CONVNODE_PIXEL_ROWS");
  if (force && force[0] == '0') return false;
  if (force && force[0] == '1') return true;
  if (convSmallCinEligible(s, isa)) return false;  // its own implicit GEMM (RGB stems)
  const int64_t hw = s.outH * s.outW;
  if (hw > 1024) return false;
  auto fill = [](int64_t v, int64_t tile) { return double(v) / double((v + tile - 1) / tile * tile); };
  int mr = 1, nr = 1;
  sgemmTableTile(packedKernel(s, isa), &mr, &nr);
  // AVX-512 runs a narrow last panel with only the 16-channel vectors it needs (7x16..7x48).
  const int64_t coutStep = isa == Isa::Avx512 ? 16 : panelWidth(isa);
  const double r = fill(hw, kMr) * fill(s.cout, coutStep) / (fill(s.cout, mr) * fill(hw, nr));
  if (isa == Isa::Avx2) {
    // AVX2 (7x16 vs the 6x16 kernel; CONVNODE_ISA=avx2 on the same Zen 5, same bench and
    // date): 49 pixels x1.13-1.56 for 1x1/s1 (832->32 0.036 -> 0.023, 2048->512 1.10 -> 0.96),
    // 3x3/s2 512->512 x1.07, but 1x1/s2 1024->2048 x0.92; above 49 pixels only the few-channel
    // layers gain (cout 16 / 32 at 196 and 784 pixels x1.08-1.36, cout 64 at 196 x1.03-1.07),
    // the others are even or slower (x0.80-1.01).
    const bool strided1x1 = s.kh == 1 && s.kw == 1 && (s.strideH > 1 || s.strideW > 1);
    if (hw <= 64) return r >= 0.85 && !strided1x1;
    return r >= 0.999 && (s.cout <= 32 || (hw <= 256 && s.cout <= 64));
  }
  if (hw <= 64) return r >= 0.85;
  if (hw <= 256) return r >= 0.999;
  const bool outputInL2 = s.cout * hw * int64_t(sizeof(float)) <= (int64_t(256) << 10);
  return r >= 0.999 && (taps(s) >= 512 || outputInL2);
}

int64_t convPixelRowsPackedFloats(const Conv2dShape& s, Isa isa) {
  const int64_t pw = panelWidth(isa);
  return panels(s, pw) * pw * taps(s);
}

void convPixelRowsPackWeights(const Conv2dShape& s, Isa isa, const float* w, float* packed) {
  const int64_t k = taps(s), pw = panelWidth(isa);
  // W [cout, k] row-major -> [panel][k][64]: the SGEMM packer's register transposes (2048 x
  // 512 weights: ~0.1 ms, where the loop below strides through W a float at a time).
  if (pw == 64 && packRowPanels64Avx512(w, k, s.cout, k, packed)) return;
  if (pw == 16 && isa == Isa::Avx2 && packRowPanels16Avx2(w, k, s.cout, k, packed)) return;
  for (int64_t jp = 0; jp < panels(s, pw); ++jp) {
    float* d = packed + jp * k * pw;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < pw; ++j) {
        const int64_t c = jp * pw + j;
        d[p * pw + j] = c < s.cout ? w[c * k + p] : 0.0f;
      }
  }
}

namespace {

// Stride 1 or 2: the input is read in place (no column matrix), in tiles of 7 pixels of one
// output row (pixel i of a tile is i*stride floats after pixel 0 for every tap). A row of
// outW % 7 != 0 pixels ends in a shorter tile, whose unused lanes read on past the row.
// AlexNet's 5x5 64->192 @27 (rows of 3 x 7 + 6) had gone through a 1600 x 729 column matrix:
// 1.82 -> 1.71 ms in place (plan step, 1 thread, min of 40 interleaved, 2026-11-25).
inline bool implicitColumns(const Conv2dShape& s) { return !readsInput(s) && s.strideW <= 2; }
inline bool padded(const Conv2dShape& s) { return s.padTop || s.padBottom || s.padLeft || s.padRight; }
// The input is copied first (zero-padded) when the layer pads, and when short tiles would read
// past the end of the caller's input: the copy ends in kStageSlack zeros.
inline bool stagedInput(const Conv2dShape& s) { return padded(s) || s.outW % kMr != 0; }
constexpr int64_t kStageSlack = 2 * kMr + 16;
inline int64_t paddedPlane(const Conv2dShape& s) {
  return (s.h + s.padTop + s.padBottom) * (s.w + s.padLeft + s.padRight);
}
inline int64_t stagedFloats(const Conv2dShape& s) {
  return stagedInput(s) ? roundUp16(s.cin * paddedPlane(s) + kStageSlack) : 0;
}

}  // namespace

int64_t convPixelRowsScratchFloats(const Conv2dShape& s) {
  const int64_t hw = s.outH * s.outW;
  if (readsInput(s)) return hw % kMr ? roundUp16(taps(s) * kMr) : 0;
  if (implicitColumns(s)) return stagedFloats(s) + roundUp16(2 * taps(s));
  return roundUp16(taps(s) * hw) + (hw % kMr ? roundUp16(taps(s) * kMr) : 0);
}

void conv2dPixelRows(const Conv2dShape& s, Isa isa, const float* x, const float* packed,
                     const PixelRowsEpilogue& ep, float* y, float* scratch) {
#if defined(__x86_64__)
  const int64_t k = taps(s), hw = s.outH * s.outW, pw = panelWidth(isa), np = panels(s, pw);
  const auto ukernel = isa == Isa::Avx512 ? f32_conv_pixelrows_ukernel_7x64__avx512f
                                          : f32_conv_pixelrows_ukernel_7x16__avx2_fma;
  const bool direct = readsInput(s), implicit = implicitColumns(s);
  // Implicit: tiles run along output rows, ceil(outW / 7) a row; otherwise along the flat
  // pixel index, the last one zero-padded from `rem`.
  const int64_t tilesPerRow = (s.outW + kMr - 1) / kMr;
  const int64_t tiles = implicit ? s.outH * tilesPerRow : (hw + kMr - 1) / kMr, full = hw / kMr;
  const int64_t wp = s.w + s.padLeft + s.padRight, hp = s.h + s.padTop + s.padBottom;
  float* col = scratch;  // column matrix, or the padded input (implicit)
  float* rem = scratch + (direct ? 0 : roundUp16(k * hw));
  int64_t* koff = nullptr;
  if (implicit) {
    const int64_t plane = stagedInput(s) ? hp * wp : s.h * s.w, rowLen = stagedInput(s) ? wp : s.w;
    koff = reinterpret_cast<int64_t*>(scratch + stagedFloats(s));
    for (int64_t ic = 0, p = 0; ic < s.cin; ++ic)
      for (int64_t ky = 0; ky < s.kh; ++ky)
        for (int64_t kx = 0; kx < s.kw; ++kx, ++p) koff[p] = ic * plane + ky * s.dilationH * rowLen + kx * s.dilationW;
  }
  const int64_t kc = blockTaps();
  // Every tile of a block also prefetches its share of the next block's weights into L2
  // (AVX-512): at batch 1 each layer's weights come from DRAM once per run, and the block's
  // first tile used to stall on them with only its 16-tap-ahead L1 prefetch (ResNet-50, 1
  // thread, sum of in-run step minima 26.4 -> 25.65 ms; 3x3/s2 512->512 @7 0.99 -> 0.89 ms,
  // 1x1 2048->512 @7 0.44 -> 0.38; whole run vs ORT 1.20x -> 1.23x, 2026-11-25).
  const bool farPrefetch = isa == Isa::Avx512;
  const int64_t blockLines = kc * pw / 16;  // cache lines of one kc x pw weight block
  const int64_t packedFloats = np * k * pw;
  // Units of work: (panel, chunk of tiles). With several threads, chunks are cut smaller until
  // the units' costs split evenly (see UnitSplit). MobileNetV2 steps at 2 threads, two builds
  // interleaved (bench/ab-plan-builds.ts, THREADS=2, min of 60 rounds, 2026-11-25): 384->96 @14
  // 0.038-0.043 -> 0.033 ms, 576->96 @14 +residual 0.061-0.064 -> 0.049; @7 layers unchanged.
  int64_t chunks = (tiles + kChunkTiles - 1) / kChunkTiles;
  const int threads = threadsFor(np * tiles, 2 * pw * k * kMr);
  auto splitFor = [&](int64_t c) {
    const int64_t ct = (tiles + c - 1) / c;
    return UnitSplit{tiles, ct, (tiles + ct - 1) / ct, np, pw, s.cout};
  };
  // Chunks keep at least kMinChunkTiles tiles: a chunk re-reads its panel's weights, and with
  // 1-2 tiles per block they come from L2 on every tile (960->160 @7 cut into 5 chunks a panel
  // ran 0.038 -> 0.049 ms).
  if (threads > 1) {
    double best = splitFor(chunks).imbalance(threads);
    for (int64_t c = chunks + 1; best > 1.05 && np * c <= 8 * threads; ++c) {
      if ((tiles + c - 1) / c < kMinChunkTiles) break;
      const double imb = splitFor(c).imbalance(threads);
      if (imb < best - 0.01) {
        best = imb;
        chunks = c;
      }
    }
  }
  const UnitSplit split = splitFor(chunks);
  const int64_t chunkTiles = split.chunkTiles;
  chunks = split.chunks;
  PixelRowsUkParams base;
  base.relu = ep.relu;
  base.clamp = ep.clampMax < std::numeric_limits<float>::infinity();
  base.clampMax = ep.clampMax;
  base.accumulate = ep.accumulate;
  for (int64_t b = 0; b < s.n; ++b) {
    const float* xb = x + b * s.cin * s.h * s.w;
    const float* a = xb;
    if (implicit && stagedInput(s)) {
      const int pt = threadsFor(s.cin, hp * wp);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(pt) schedule(static)
#endif
      for (int64_t ic = 0; ic < s.cin; ++ic) {
        float* d = col + ic * hp * wp;
        const float* src = xb + ic * s.h * s.w;
        std::memset(d, 0, sizeof(float) * s.padTop * wp);
        for (int64_t iy = 0; iy < s.h; ++iy) {
          float* row = d + (s.padTop + iy) * wp;
          std::memset(row, 0, sizeof(float) * s.padLeft);
          std::memcpy(row + s.padLeft, src + iy * s.w, sizeof(float) * s.w);
          std::memset(row + s.padLeft + s.w, 0, sizeof(float) * s.padRight);
        }
        std::memset(d + (s.padTop + s.h) * wp, 0, sizeof(float) * s.padBottom * wp);
      }
      (void)pt;
      std::memset(col + s.cin * hp * wp, 0, sizeof(float) * kStageSlack);
      a = col;
    } else if (!direct && !implicit) {
      (isa == Isa::Avx512 ? im2colFillAvx512 : im2colFillAvx2)(s, xb, s.cin, 0, s.outH, col);
      a = col;
    }
    const int64_t rowLen = implicit && stagedInput(s) ? wp : s.w;
    if (!implicit && hw % kMr) {
      // The last tile's rows past the image would read past the matrix: a zero-padded copy.
      for (int64_t p = 0; p < k; ++p)
        for (int64_t i = 0; i < kMr; ++i)
          rem[p * kMr + i] = full * kMr + i < hw ? a[p * hw + full * kMr + i] : 0.0f;
    }
    float* yb = y + b * s.cout * hw;
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads)
#endif
    {
      alignas(64) float ct[kChunkTiles * kMr * kNr];
      int64_t u0 = 0, u1 = np * chunks;
#if defined(CONVNODE_OPENMP)
      split.share(omp_get_thread_num(), omp_get_num_threads(), &u0, &u1);
#endif
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t jp = u / chunks, t0 = (u % chunks) * chunkTiles;
        const int64_t t1 = std::min(tiles, t0 + chunkTiles);
        const int64_t nr = std::min(pw, s.cout - jp * pw);
        PixelRowsUkParams p = base;
        p.bias = ep.bias ? ep.bias + jp * pw : nullptr;
        const float* wpan = packed + jp * k * pw;
        float* yp = yb + jp * pw * hw;
        for (int64_t pc = 0; pc < k; pc += kc) {
          const int64_t kb = std::min(kc, k - pc);
          const bool first = pc == 0, last = pc + kb >= k;
          for (int64_t t = t0; t < t1; ++t) {
            int64_t p0 = t * kMr, mr = std::min(kMr, hw - p0);
            PixelRowsA at;
            if (implicit) {
              const int64_t oy = t / tilesPerRow, ox = t % tilesPerRow * kMr;
              p0 = oy * s.outW + ox;
              mr = std::min(kMr, s.outW - ox);
              at.a = a + oy * s.strideH * rowLen + ox * s.strideW;
              at.koff = koff + pc;
              at.sw = static_cast<int>(s.strideW);
            } else if (t < full) {
              at.a = a + pc * hw + p0;
              at.lda = hw;
            } else {
              at.a = rem + pc * kMr;
              at.lda = kMr;
            }
            if (farPrefetch) {
              // This tile's share of the next block's lines (the packed weights are one array,
              // so the block after a panel's last is the next panel's first).
              const int64_t nt = t1 - t0, i = t - t0;
              const int64_t l0 = blockLines * i / nt, l1 = blockLines * (i + 1) / nt;
              const int64_t from = (jp * k + pc + kb) * pw + l0 * 16;  // floats into packed
              const int64_t left = (packedFloats - from) / 16;         // none past the end
              p.prefetchNext = left > 0 ? packed + from : nullptr;
              p.prefetchLines = std::max<int64_t>(0, std::min({l1 - l0, kb, left}));
            }
            ukernel(kb, at, wpan + pc * pw, ct + (t - t0) * kMr * pw, first, last, yp + p0, hw,
                    mr, nr, p, t == t0);
          }
        }
      }
    }
    (void)threads;
  }
#else
  (void)s, (void)x, (void)packed, (void)ep, (void)y, (void)scratch;
#endif
}

// Eager calls take the plans' rule (convPixelRowsSuits). Packing the weights on every call
// (register transposes: AVX-512 64-wide panels, AVX2 16-wide) costs less than the usual
// orientation loses on these layers.
// 1 thread, min of 30 x 5 calls (2026-11-25), usual path -> this one, batch 1: 1x1 2048->512
// @7 0.531 -> 0.496 ms, 960->160 @7 0.088 -> 0.076, 1024->256 @14 0.453 -> 0.425, 256->1024
// @14 0.436 -> 0.439, 3x3/s2 512->512 @14 1.35 -> 1.15, 3x3/s2 128->128 @56 1.15 -> 0.95,
// AlexNet 5x5 @27 2.17 -> 1.73; batch 8 (min of 15, two builds interleaved): 2048->512 @7 4.27
// -> 3.25, 3x3/s2 512->512 @14 10.9 -> 7.7, 5x5 @27 16.8 -> 13.8, 3x3/s2 256->256 @28 8.8 ->
// 7.1. AVX2 kernels (isa 'avx2' on the same machine), batch 1: 2048->512 @7 1.13 -> 1.05,
// 512->2048 @7 1.12 -> 0.98, 960->160 @7 0.173 -> 0.144, 384->64 @14 0.093 -> 0.088; with
// AVX2's scalar packing loop batch 1 had been 8-9% slower.
void conv2dPixelRowsEager(const Conv2dShape& s, Isa isa, const float* x, const float* w,
                          const float* bias, float* y, bool relu) {
  AlignedFloats packed = allocFloats(static_cast<size_t>(convPixelRowsPackedFloats(s, isa)));
  AlignedFloats scratch = allocFloats(static_cast<size_t>(std::max<int64_t>(1, convPixelRowsScratchFloats(s))));
  if (!packed || !scratch) throw std::bad_alloc();  // the binding turns it into a JS Error
  convPixelRowsPackWeights(s, isa, w, packed.get());
  PixelRowsEpilogue ep;
  ep.bias = bias;
  ep.relu = relu;
  conv2dPixelRows(s, isa, x, packed.get(), ep, y, scratch.get());
}

}  // namespace convnode
