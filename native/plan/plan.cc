#include "plan/plan.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/threading.h"
#include "kernels/conv/conv_pixelrows.h"
#include "kernels/conv/conv_isa.h"  // packedKernel, convSmallCinEligible: the prepacked layout
#include "kernels/gemm/gemm.h"
#include "kernels/norm/norm.h"

namespace convnode {

namespace {

constexpr float kNoClamp = std::numeric_limits<float>::infinity();

// Elementwise post-ops of fused steps, threaded in blocks of 16K floats (a pass over a
// 64x56x56 activation is ~0.1 ms; below 32K floats one thread is faster).
template <typename Fn>
void forBlocks(int64_t count, Fn fn) {
  constexpr int64_t kBlock = 16384;
  const int64_t blocks = (count + kBlock - 1) / kBlock;
  const int threads = threadsFor(blocks, kBlock);
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int64_t b = 0; b < blocks; ++b) fn(b * kBlock, std::min(count, (b + 1) * kBlock));
  (void)threads;
}

// y = act(y + r): the residual add of a conv whose kernel cannot accumulate in its store.
void addActivate(float* y, const float* r, int64_t count, bool relu, float clampMax) {
  forBlocks(count, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      float v = y[i] + r[i];
      if (relu) v = v < 0.0f ? 0.0f : v;
      y[i] = v > clampMax ? clampMax : v;
    }
  });
}

void clampInPlace(float* y, int64_t count, float clampMax) {
  forBlocks(count, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) y[i] = y[i] > clampMax ? clampMax : y[i];
  });
}

// Whether runConv runs the layer as conv1x1Gemms with everything fused in the GEMM's store:
// bias, ReLU, clamp, and the residual (beta = 1 over the output slot, which holds it); a strided
// 1x1 gathers its sampled pixels into scratch (planScratchFloats sizes it by the same rule).
// A few-input-channel layer (cin <= 4, AVX-512) has its weights in the implicit-GEMM layout
// instead, which conv2dGemm1x1 dispatches on: it runs the generic path.
bool runsFused1x1(const PlanStep& s, Isa isa) {
  return !s.pixelRows && s.algo == ConvAlgo::Gemm1x1 && s.packedWeights && !convSmallCinEligible(s.conv, isa);
}

void runConv(PlanStep& s, const ArenaView& a, Isa isa, float* scratch) {
  const float* x = a.read(s.inputs[0]);
  const float* w = a.read(s.inputs[1]);
  const float* bias = s.hasBias ? a.read(s.inputs[2]) : nullptr;
  float* out = a.write(s.output);
  const float* packed = s.packedWeights.get();
  if (s.pixelRows) {
    PixelRowsEpilogue ep;
    ep.bias = bias;
    ep.relu = s.relu;
    ep.clampMax = s.clampMax;
    ep.accumulate = s.accumulate;
    conv2dPixelRows(s.conv, isa, x, packed, ep, out, scratch);
    return;
  }
  if (runsFused1x1(s, isa)) {
    conv1x1Gemms(s.conv, isa, x, w, packed, bias, s.relu, s.clampMax, s.accumulate, out, scratch);
    return;
  }
  // Depthwise fuses the clamp too (in its store on AVX-512, else per plane while it is in
  // cache) instead of a second pass over the whole output (MobileNetV2's ReLU6).
  if (s.algo == ConvAlgo::Depthwise && !s.accumulate && convAlgoSupports(ConvAlgo::Depthwise, s.conv)) {
    conv2dDepthwise(s.conv, isa, x, w, bias, out, s.relu, s.clampMax);
    return;
  }
  // Winograd adds the residual and clamps in its output transform's store.
  if (s.algo == ConvAlgo::Winograd && packed) {
    conv2dWinograd43(s.conv, isa, x, packed, bias, out, s.relu, s.accumulate, s.clampMax);
    return;
  }
  // Other algorithms: the kernel fuses bias and ReLU; a residual is added in a second pass
  // (the kernel writes to scratch), and the clamp too.
  float* dst = s.accumulate ? scratch : out;
  const bool relu = s.relu && !s.accumulate;
  if (s.algo == ConvAlgo::Im2col && !s.accumulate) {  // the clamp in the kernels' store too
    conv2dIm2col(s.conv, isa, x, w, bias, dst, relu, packed, s.clampMax);
    return;
  }
  if (s.algo == ConvAlgo::Im2col) {
    conv2dIm2col(s.conv, isa, x, w, bias, dst, relu, packed);
  } else if (s.algo == ConvAlgo::Gemm1x1) {
    conv2dGemm1x1(s.conv, isa, x, w, bias, dst, relu, packed);
  } else {
    conv2d(s.conv, s.algo, isa, x, w, bias, dst, relu);
  }
  const int64_t count = s.conv.n * s.conv.cout * s.conv.outH * s.conv.outW;
  if (s.accumulate) addActivate(out, dst, count, s.relu, s.clampMax);
  else if (s.clampMax < kNoClamp) clampInPlace(out, count, s.clampMax);
}

void runStep(PlanStep& s, const ArenaView& a, Isa isa, float* scratch) {
  auto in = [&](size_t i) { return a.read(s.inputs[i]); };
  float* out = a.write(s.output);
  switch (s.op) {
    case StepOp::Conv2d:
      if (s.fusedAway) break;  // its consumer computes it (plan_dwfuse.cc)
      if (s.expand) runExpandDepthwise(s, a, isa, scratch);
      else runConv(s, a, isa, scratch);
      break;
    case StepOp::MaxPool2d:
      maxPool2d(s.pool, isa, in(0), out);
      break;
    case StepOp::AvgPool2d:
      avgPool2d(s.pool, isa, s.countIncludePad, s.divisorOverride, in(0), out);
      break;
    case StepOp::LpPool2d:
      lpPool2dGeneric(s.pool, s.p, in(0), out);
      break;
    case StepOp::AdaptiveAvgPool2d:
      adaptiveAvgPool2dGeneric(s.n, s.c, s.h, s.w, s.outH, s.outW, in(0), out);
      break;
    case StepOp::AdaptiveMaxPool2d:
      adaptiveMaxPool2dGeneric(s.n, s.c, s.h, s.w, s.outH, s.outW, in(0), out);
      break;
    case StepOp::Linear: {
      GemmShape g;
      g.m = s.rows;
      g.n = s.outFeatures;
      g.k = s.inFeatures;
      g.transB = true;
      g.lda = s.inFeatures;
      g.ldb = s.inFeatures;
      g.ldc = s.outFeatures;
      GemmEpilogue ep;
      if (s.hasBias) {
        ep.bias = in(2);
        ep.biasMode = BiasMode::PerCol;
      }
      ep.relu = s.relu;
      ep.clampMax = s.clampMax;
      sgemm(g, in(0), in(1), out, ep);
      break;
    }
    case StepOp::Unary:
      unary(isa, s.unary, s.alpha, in(0), out, s.count);
      break;
    case StepOp::Binary:
      binaryBroadcastGeneric(s.binary, s.broadcast, in(0), in(1), out);
      if (s.relu) unary(isa, UnaryOp::Relu, 0.0f, out, out, s.count);
      break;
    case StepOp::Softmax:
      softmax(isa, s.log, s.outer, s.dim, s.inner, in(0), out);
      break;
    case StepOp::Lrn:
      lrn(isa, s.n, s.c, s.inner, s.size, s.alpha, s.beta, s.k, in(0), out);
      break;
    case StepOp::BatchNorm:
      batchNormInference(isa, s.n, s.c, s.inner, in(0), in(1), in(2), s.hasAffine ? in(3) : nullptr,
                                s.hasAffine ? in(4) : nullptr, s.eps, out);
      if (s.relu) unary(isa, UnaryOp::Relu, 0.0f, out, out, s.count);
      break;
    case StepOp::Concat: {
      std::vector<const float*> parts(s.inputs.size());
      for (size_t i = 0; i < s.inputs.size(); ++i) parts[i] = in(i);
      concatGeneric(static_cast<int64_t>(parts.size()), parts.data(), s.sizes.data(), s.outer, s.inner, out);
      break;
    }
    case StepOp::Copy:
      if (out != in(0)) std::memmove(out, in(0), static_cast<size_t>(s.count) * sizeof(float));
      break;
  }
}

const char* opName(StepOp op) {
  switch (op) {
    case StepOp::Conv2d: return "conv2d";
    case StepOp::MaxPool2d: return "maxPool2d";
    case StepOp::AvgPool2d: return "avgPool2d";
    case StepOp::LpPool2d: return "lpPool2d";
    case StepOp::AdaptiveAvgPool2d: return "adaptiveAvgPool2d";
    case StepOp::AdaptiveMaxPool2d: return "adaptiveMaxPool2d";
    case StepOp::Linear: return "linear";
    case StepOp::Unary: return "unary";
    case StepOp::Binary: return "binary";
    case StepOp::Softmax: return "softmax";
    case StepOp::Lrn: return "lrn";
    case StepOp::BatchNorm: return "batchNorm2d";
    case StepOp::Concat: return "concat";
    case StepOp::Copy: return "copy";
  }
  return "?";
}

// CONVNODE_PLAN_PROFILE=N (N >= 1): time every step of every run and, every N runs of a plan,
// print to stderr each step's minimum and mean ms over the runs so far. Off (0) by default; the
// clock reads cost ~50 ns a step, nothing when off.
int64_t profileEvery() {
  static const int64_t every = [] {
    const char* v = std::getenv("CONVNODE_PLAN_PROFILE");
    const long long n = v ? std::atoll(v) : 0;
    return n > 0 ? static_cast<int64_t>(n) : int64_t(0);
  }();
  return every;
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void printProfile(const Plan& plan) {
  const PlanProfile& p = plan.profile;
  double minTotal = 0, meanTotal = 0;
  std::fprintf(stderr, "convnode plan profile: %zu steps, %lld runs (min / mean ms)\n", plan.steps.size(),
               static_cast<long long>(p.runs));
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const double mean = p.sumMs[i] / static_cast<double>(p.runs);
    minTotal += p.minMs[i];
    meanTotal += mean;
    std::fprintf(stderr, "  %3zu %8.3f %8.3f  %s\n", i, p.minMs[i], mean, describeStep(plan.steps[i]).c_str());
  }
  std::fprintf(stderr, "  sum %8.3f %8.3f\n", minTotal, meanTotal);
}

}  // namespace

std::string describeStep(const PlanStep& s) {
  std::string d = opName(s.op);
  char buf[160];
  if (s.op == StepOp::Conv2d) {
    const Conv2dShape& c = s.conv;
    std::snprintf(buf, sizeof buf, " n%lld %lld->%lld %lldx%lld/%lld%s @%lldx%lld %s%s%s", static_cast<long long>(c.n),
                  static_cast<long long>(c.cin), static_cast<long long>(c.cout), static_cast<long long>(c.kh),
                  static_cast<long long>(c.kw), static_cast<long long>(c.strideH),
                  c.groups > 1 ? (" g" + std::to_string(c.groups)).c_str() : "", static_cast<long long>(c.outH),
                  static_cast<long long>(c.outW), convAlgoName(s.algo), s.pixelRows ? " pixel-rows" : "",
                  s.accumulate ? " +residual" : "");
    d += buf;
    if (s.relu) d += s.clampMax < kNoClamp ? " relu6" : " relu";
    if (s.fusedAway) d += " (computed by the next step)";
    if (s.expand) d += " +1x1 expansion";
  } else if (s.op == StepOp::MaxPool2d || s.op == StepOp::AvgPool2d || s.op == StepOp::LpPool2d) {
    std::snprintf(buf, sizeof buf, " %lldx%lld @%lldx%lld c%lld", static_cast<long long>(s.pool.kh),
                  static_cast<long long>(s.pool.kw), static_cast<long long>(s.pool.outH),
                  static_cast<long long>(s.pool.outW), static_cast<long long>(s.pool.c));
    d += buf;
  } else if (s.op == StepOp::Linear) {
    std::snprintf(buf, sizeof buf, " %lldx%lld->%lld%s", static_cast<long long>(s.rows),
                  static_cast<long long>(s.inFeatures), static_cast<long long>(s.outFeatures),
                  s.relu ? (s.clampMax < kNoClamp ? " relu6" : " relu") : "");
    d += buf;
  } else if (s.count > 0) {
    std::snprintf(buf, sizeof buf, " count %lld%s", static_cast<long long>(s.count), s.relu ? " relu" : "");
    d += buf;
  }
  return d;
}

void runPlanStep(Plan& plan, size_t index) {
  ArenaView a;
  a.base = plan.arena.get();
  runStep(plan.steps[index], a, plan.isa, plan.scratch.get());
}

int64_t planScratchFloats(const PlanStep& s, Isa isa) {
  if (s.op != StepOp::Conv2d) return 0;
  const Conv2dShape& c = s.conv;
  if (s.pixelRows) return convPixelRowsScratchFloats(c);
  if (runsFused1x1(s, isa)) return c.strideH != 1 || c.strideW != 1 ? c.cin * c.outH * c.outW : 0;
  if (s.algo == ConvAlgo::Winograd && s.packedWeights) return 0;  // fused in its store
  return s.accumulate ? c.n * c.cout * c.outH * c.outW : 0;
}

void runPlan(Plan& plan, const float* input, float* output) {
  ArenaView a;
  a.base = plan.arena.get();
  a.input = input;
  a.inputBegin = plan.inputOffset;
  a.inputEnd = plan.inputOffset + plan.inputSize;
  a.output = output;
  a.outputBegin = plan.outputOffset;
  a.outputEnd = plan.outputOffset + plan.outputSize;
  spreadTeamAcrossCpus(numThreads());
  const int64_t every = profileEvery();
  if (every == 0) {
    for (PlanStep& s : plan.steps) runStep(s, a, plan.isa, plan.scratch.get());
  } else {
    PlanProfile& p = plan.profile;
    if (p.minMs.size() != plan.steps.size()) {
      p.minMs.assign(plan.steps.size(), 1e300);
      p.sumMs.assign(plan.steps.size(), 0.0);
    }
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      runStep(plan.steps[i], a, plan.isa, plan.scratch.get());
      const double ms = msSince(t0);
      p.minMs[i] = std::min(p.minMs[i], ms);
      p.sumMs[i] += ms;
    }
    if (++p.runs % every == 0) printProfile(plan);
  }
}

}  // namespace convnode
