// Inverted-residual fusion (MobileNetV2): a 1x1 expansion conv whose output only feeds the
// next step, a 3x3 stride-2 depthwise conv (AVX-512), runs band by band of depthwise output rows. For each band
// the GEMM computes just the expanded rows the band reads (all channels) into plan scratch,
// sized to stay in L2, and the depthwise kernel consumes them there, so the expanded tensor
// (96 x 112 x 112 = 4.8 MB, 144 x 56 x 56 = 1.8 MB) is never written to and read back from
// memory. Bands overlap by the 3 - stride rows their 3x3 windows share; those are recomputed
// (a few % of the expansion's flops at the band sizes below).
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/threading.h"
#include "kernels/conv/conv_isa.h"
#include "kernels/gemm/gemm.h"
#include "plan/plan.h"

namespace convnode {

namespace {

// Expanded floats per band (all channels x band rows x width). CONVNODE_DWFUSE_BAND overrides
// it for A/B runs; 0 turns the fusion off.
int64_t bandFloats() {
  static const int64_t v = [] {
    const char* e = std::getenv("CONVNODE_DWFUSE_BAND");
    return e ? static_cast<int64_t>(std::atoll(e)) : int64_t(262144);
  }();
  return v;
}

bool overlaps(int64_t a, int64_t na, int64_t b, int64_t nb) { return a < b + nb && b < a + na; }

bool expandEligible(const PlanStep& e, Isa isa) {
  const Conv2dShape& c = e.conv;
  return e.op == StepOp::Conv2d && e.feedsNext && e.algo == ConvAlgo::Gemm1x1 && e.packedWeights &&
         !convSmallCinEligible(c, isa) && c.groups == 1 && c.strideH == 1 && c.strideW == 1 &&
         c.kh == 1 && c.kw == 1 && !e.accumulate;
}

bool depthwiseEligible(const PlanStep& d, const PlanStep& e, Isa isa) {
  const Conv2dShape& c = d.conv;
  // Stride 2 only: there the depthwise output is a quarter of the expanded tensor, whose
  // round trip through memory dominates. Stride 1 lost (in-run profile, 1 thread, 2026-11-25,
  // unfused vs fused ms: 16->96 @112 + dw/2 0.650 vs 0.465, 24->144 @56 + dw/1 0.320 vs
  // 0.352, 144 @28 + dw/2 0.228 vs 0.194, 192 @28 + dw/1 0.113 vs 0.111).
  return isa == Isa::Avx512 && d.op == StepOp::Conv2d && d.algo == ConvAlgo::Depthwise &&
         c.strideH == 2 &&
         !d.accumulate && d.inputs[0] == e.output && c.groups == c.cin && c.cout == c.cin &&
         c.n == e.conv.n && c.cin == e.conv.cout && c.h == e.conv.outH && c.w == e.conv.outW &&
         dw3x3Avx512Eligible(c) &&
         // Later bands still read the expansion's input: the depthwise output must not share
         // its memory (the compiler keeps that input live through the depthwise step).
         !overlaps(d.output, c.n * c.cout * c.outH * c.outW, e.inputs[0],
                                              e.conv.n * e.conv.cin * e.conv.h * e.conv.w);
}

// Output rows per band and the input rows it spans at most.
void bandRows(const Conv2dShape& d, int64_t* outRows, int64_t* inRows) {
  const int64_t s = d.strideH;
  const int64_t target = std::max<int64_t>(3, bandFloats() / (d.cin * d.w));
  int64_t b = std::max<int64_t>(1, (target - 3) / s + 1);
  b = std::min(b, d.outH);
  *outRows = b;
  *inRows = std::min(d.h, (b - 1) * s + 3);
}

}  // namespace

void fuseExpandDepthwise(Plan& plan) {
#if defined(__x86_64__)
  if (bandFloats() <= 0) return;
  for (size_t i = 0; i + 1 < plan.steps.size(); ++i) {
    PlanStep& e = plan.steps[i];
    PlanStep& d = plan.steps[i + 1];
    if (!expandEligible(e, plan.isa) || !depthwiseEligible(d, e, plan.isa)) continue;
    int64_t outRows = 0, inRows = 0;
    bandRows(d.conv, &outRows, &inRows);
    e.fusedAway = true;
    d.expand = &e;
    // Scratch for one band per thread (threads may be raised after creation: at least 2, at
    // most 8 bands in flight).
    d.fuseSlots = std::min(8, std::max(2, numThreads()));
    plan.scratchFloats = std::max(plan.scratchFloats, d.fuseSlots * (d.conv.cin * inRows * d.conv.w + 64));
  }
#else
  (void)plan;
#endif
}

namespace {

// One band: output rows [oy0, oy0 + rowsOut) of image b. parallelInside: the GEMM and the
// channel loop use numThreads() (bands run in turn); false inside a band-parallel region.
void runBand(const PlanStep& d, const ArenaView& a, Isa isa, const GemmKernelTable* kernel,
             int64_t b, int64_t oy0, int64_t rowsOut, int64_t plane, float* scratch,
             bool parallelInside) {
  const PlanStep& e = *d.expand;
  const Conv2dShape& ec = e.conv;
  const Conv2dShape& dc = d.conv;
  const int64_t W = dc.w, C = dc.cin;
  const float* x = a.read(e.inputs[0]) + b * ec.cin * ec.h * ec.w;
  float* y = a.write(d.output) + b * C * dc.outH * dc.outW;
  const float* ebias = e.hasBias ? a.read(e.inputs[2]) : nullptr;
  const float* dw = a.read(d.inputs[1]);
  const float* dbias = d.hasBias ? a.read(d.inputs[2]) : nullptr;
  const int64_t first = oy0 * dc.strideH - dc.padTop;  // input row of the band's window top
  const int64_t r0 = std::max<int64_t>(0, first);
  // r1 < r0 only when padding is wider than the image: the windows see padding alone.
  const int64_t r1 = std::max(r0, std::min(dc.h, (oy0 + rowsOut - 1) * dc.strideH - dc.padTop + 3));
  GemmShape gs;
  gs.m = C;
  gs.n = (r1 - r0) * W;
  gs.k = ec.cin;
  gs.lda = ec.cin;
  gs.ldb = ec.h * ec.w;
  gs.ldc = plane;
  GemmEpilogue ep;
  ep.relu = e.relu;
  ep.clampMax = e.clampMax;
  if (ebias) {
    ep.bias = ebias;
    ep.biasMode = BiasMode::PerRow;
  }
  if (gs.n > 0) sgemmPrepackedA(kernel, gs, e.packedWeights.get(), x + r0 * W, scratch, ep, parallelInside ? 0 : 1);
  // The band as a depthwise layer of its own over scratch rows [r0, r1).
  Conv2dShape bs = dc;
  bs.n = 1;
  bs.h = r1 - r0;
  bs.padTop = r0 - first;
  bs.outH = rowsOut;
  const int threads = parallelInside ? threadsFor(C, rowsOut * dc.outW * 9) : 1;
  const int64_t outPlane = dc.outH * dc.outW;
  float* yBand = y + oy0 * dc.outW;
  if (dw3x3Avx512PlanesEligible(bs)) {  // the channels' set-up shared (narrow stride 2)
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
    {
      int64_t c0 = 0, c1 = 0;
      threadShare(C, &c0, &c1);
      if (c1 > c0) {
        dw3x3PlanesAvx512(bs, scratch + c0 * plane, plane, dw + c0 * 9, dbias ? dbias + c0 : nullptr, d.relu,
                          d.clampMax, yBand + c0 * outPlane, outPlane, c1 - c0);
      }
    }
    return;
  }
  // The flattened stride-1 kernels' per-chunk tap masks (empty for the stride-2 layers fused
  // today; kept general for stride 1).
  std::vector<uint16_t> masks(static_cast<size_t>(dw3x3Avx512MaskCount(bs)));
  if (!masks.empty()) dw3x3Avx512Masks(bs, masks.data());
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
  for (int64_t ch = 0; ch < C; ++ch) {
    dw3x3PlaneAvx512(bs, scratch + ch * plane, dw + ch * 9, dbias ? dbias[ch] : 0.0f, d.relu,
                     d.clampMax, masks.data(), yBand + ch * outPlane);
  }
  (void)threads;
}

}  // namespace

void runExpandDepthwise(const PlanStep& d, const ArenaView& a, Isa isa, float* scratch) {
#if defined(__x86_64__)
  const Conv2dShape& dc = d.conv;
  const GemmKernelTable* kernel = packedKernel(d.expand->conv, isa);
  int64_t outRows = 0, inRows = 0;
  bandRows(dc, &outRows, &inRows);
  const int64_t plane = inRows * dc.w;  // channel stride in scratch
  const int64_t bandFloatsAll = dc.cin * plane + 64;
  // Threads take whole bands (each its own scratch, one parallel region, no barrier between
  // GEMM and depthwise); the band count per image is rounded up to a multiple of the threads
  // and band i covers output rows [i*outH/nb, (i+1)*outH/nb), so every thread gets the same
  // rows (56 rows as 6 bands of at most 11 gave one thread 33 rows and the other 23: 2T
  // 96 @56 pair 0.285 ms vs 0.411 at 1T). With 1 thread, bands run in turn, each threaded
  // inside (a no-op).
  const int bandThreads = static_cast<int>(std::min<int64_t>(numThreads(), d.fuseSlots));
  int64_t perImage = (dc.outH + outRows - 1) / outRows;
  if (bandThreads > 1) perImage = std::min(dc.outH, (perImage + bandThreads - 1) / bandThreads * bandThreads);
  const int64_t bands = dc.n * perImage;
  auto bandAt = [&](int64_t i, int64_t* b, int64_t* oy0, int64_t* rows) {
    *b = i / perImage;
    const int64_t j = i % perImage;
    *oy0 = j * dc.outH / perImage;
    *rows = (j + 1) * dc.outH / perImage - *oy0;  // <= outRows: perImage only grew
  };
  if (bandThreads > 1 && bands >= bandThreads) {
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(bandThreads) schedule(static)
#endif
    for (int64_t i = 0; i < bands; ++i) {
#if defined(CONVNODE_OPENMP)
      const int tid = omp_get_thread_num();
#else
      const int tid = 0;
#endif
      int64_t b = 0, oy0 = 0, rows = 0;
      bandAt(i, &b, &oy0, &rows);
      runBand(d, a, isa, kernel, b, oy0, rows, plane, scratch + tid * bandFloatsAll, false);
    }
    return;
  }
  for (int64_t i = 0; i < bands; ++i) {
    int64_t b = 0, oy0 = 0, rows = 0;
    bandAt(i, &b, &oy0, &rows);
    runBand(d, a, isa, kernel, b, oy0, rows, plane, scratch, true);
  }
#else
  (void)d;
  (void)a;
  (void)isa;
  (void)scratch;
#endif
}

}  // namespace convnode
