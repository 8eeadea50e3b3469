#include "plan/plan.h"

#include <cstring>

#include "kernels/gemm/gemm.h"
#include "kernels/norm/norm.h"

namespace convnode {

namespace {

void runStep(PlanStep& s, float* arena, Isa isa) {
  auto in = [&](size_t i) { return arena + s.inputs[i]; };
  float* out = arena + s.output;
  switch (s.op) {
    case StepOp::Conv2d: {
      const float* bias = s.hasBias ? in(2) : nullptr;
      const float* packed = s.packedWeights.get();
      if (s.algo == ConvAlgo::Winograd && packed) {
        conv2dWinograd43(s.conv, isa, in(0), packed, bias, out, s.relu);
      } else if (s.algo == ConvAlgo::Im2col) {
        conv2dIm2col(s.conv, isa, in(0), in(1), bias, out, s.relu, packed);
      } else if (s.algo == ConvAlgo::Gemm1x1) {
        conv2dGemm1x1(s.conv, isa, in(0), in(1), bias, out, s.relu, packed);
      } else {
        conv2d(s.conv, s.algo, isa, in(0), in(1), bias, out, s.relu);
      }
      break;
    }
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

}  // namespace

void runPlan(Plan& plan, const float* input, float* output) {
  float* arena = plan.arena.get();
  std::memcpy(arena + plan.inputOffset, input, static_cast<size_t>(plan.inputSize) * sizeof(float));
  for (PlanStep& s : plan.steps) runStep(s, arena, plan.isa);
  std::memcpy(output, arena + plan.outputOffset, static_cast<size_t>(plan.outputSize) * sizeof(float));
}

}  // namespace convnode
